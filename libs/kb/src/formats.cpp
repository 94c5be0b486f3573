#include "switchboard/kb/formats.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "switchboard/core/ids.hpp"

namespace switchboard::kb {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kCommentOpen = "<!-- article:";
constexpr std::string_view kCommentClose = "-->";

Error AtLine(int line, const std::string& message) {
    return Error::Fatal("line " + std::to_string(line) + ": " + message);
}

// Without a BOM, with LF line ends: every parser below sees one shape of text.
std::string Prepare(std::string_view content) {
    if (content.starts_with(kUtf8Bom)) content.remove_prefix(kUtf8Bom.size());
    std::string out;
    out.reserve(content.size());
    for (std::size_t i = 0; i < content.size(); ++i) {
        if (content[i] == '\r' && i + 1 < content.size() && content[i + 1] == '\n') continue;
        out += content[i];
    }
    return out;
}

std::string Trim(std::string_view s) {
    const std::size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const std::size_t e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s.substr(0, 80)) + "\""; }

std::string GeneratedId(std::string_view prefix, std::string_view answer) {
    return std::string(prefix) + DerivedId("", answer).substr(0, 12);
}

// An article being assembled, with the lines its parts came from for error messages.
struct Draft {
    Article article;
    int line = 0;  // where it starts
    std::vector<int> question_lines;
    bool explicit_id = false;
    bool explicit_enabled = false;

    void AddQuestion(std::string question, int at) {
        if (std::find(article.questions.begin(), article.questions.end(), question) !=
            article.questions.end()) {
            return;
        }
        article.questions.push_back(std::move(question));
        question_lines.push_back(at);
    }
    // The first tags given are taken as they are (ValidateArticle lets an article repeat one, and
    // an export must come back the same); later records' or sections' are united in.
    void AddTags(const std::vector<std::string>& tags) {
        if (article.tags.empty()) {
            article.tags = tags;
        } else {
            Unite(article.tags, tags);
        }
    }
    void AddChannels(const std::vector<std::string>& channels) { Unite(article.channels, channels); }
    void AddLinks(const std::vector<Link>& links) { Unite(article.links, links); }

    template <typename T>
    static void Unite(std::vector<T>& into, const std::vector<T>& items) {
        for (const T& item : items) {
            if (std::find(into.begin(), into.end(), item) == into.end()) into.push_back(item);
        }
    }
};

// Fills in the detected language, then holds the draft to ValidateArticle's rules, naming the
// line each problem comes from.
Result<Article> Finish(Draft draft) {
    Article& a = draft.article;
    if (a.lang.empty()) {
        std::string text = a.answer;
        for (const std::string& q : a.questions) text += " " + q;
        a.lang = DetectLang(text);
    }
    if (Status s = ValidateId(a.id.str()); !s.ok()) return AtLine(draft.line, s.error().message);
    if (a.questions.size() > kMaxQuestions) {
        return AtLine(draft.question_lines[kMaxQuestions], "article " + Quoted(a.id.str()) +
                                                               " has more than " +
                                                               std::to_string(kMaxQuestions) + " questions");
    }
    for (std::size_t i = 0; i < a.questions.size(); ++i) {
        if (Status s = ValidateQuestion(a.questions[i]); !s.ok()) {
            return AtLine(draft.question_lines[i], s.error().message);
        }
    }
    if (Status s = ValidateArticle(a); !s.ok()) return AtLine(draft.line, s.error().message);
    return std::move(draft.article);
}

// ---- CSV ----

struct CsvRecord {
    std::vector<std::string> fields;
    int line = 0;
};

Result<std::vector<CsvRecord>> ReadCsv(const std::string& text) {
    std::vector<CsvRecord> records;
    std::size_t i = 0;
    int line = 1;
    while (i < text.size()) {
        CsvRecord record;
        record.line = line;
        while (true) {
            std::string field;
            if (i < text.size() && text[i] == '"') {
                const int opened = line;
                ++i;
                while (true) {
                    if (i >= text.size()) return AtLine(opened, "a quoted field is never closed");
                    if (text[i] == '"') {
                        if (i + 1 < text.size() && text[i + 1] == '"') {
                            field += '"';
                            i += 2;
                            continue;
                        }
                        ++i;
                        break;
                    }
                    if (text[i] == '\n') ++line;
                    field += text[i++];
                }
                while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
                if (i < text.size() && text[i] != ',' && text[i] != '\n') {
                    return AtLine(line,
                                  "unexpected text after a closing quote (a quote inside a field is "
                                  "written as two quotes)");
                }
            } else {
                while (i < text.size() && text[i] != ',' && text[i] != '\n') {
                    if (text[i] == '"') {
                        return AtLine(line,
                                      "a quote inside an unquoted field (quote the whole field and "
                                      "double the quote)");
                    }
                    field += text[i++];
                }
            }
            record.fields.push_back(std::move(field));
            if (i < text.size() && text[i] == ',') {
                ++i;
                continue;
            }
            break;
        }
        if (i < text.size() && text[i] == '\n') {
            ++i;
            ++line;
        }
        records.push_back(std::move(record));
    }
    return records;
}

bool Blank(const CsvRecord& r) {
    return std::all_of(r.fields.begin(), r.fields.end(),
                       [](const std::string& f) { return Trim(f).empty(); });
}

std::vector<std::string> SplitTags(std::string_view s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const std::size_t end = std::min(s.find(';', start), s.size());
        if (std::string t = Trim(s.substr(start, end - start)); !t.empty()) out.push_back(std::move(t));
        start = end + 1;
    }
    return out;
}

std::string Lower(std::string s) {
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
}

// A CSV cell of links: one per line, "title: url" or the url alone. The url is the line's last
// word (a valid one has no spaces); the title what comes before, one ':' after it dropped, so a
// title that itself ends in ':' survives ExportCsv's "title: url".
std::vector<Link> SplitLinks(std::string_view s) {
    std::vector<Link> out;
    std::size_t start = 0;
    while (start < s.size()) {
        const std::size_t end = std::min(s.find('\n', start), s.size());
        const std::string line = Trim(s.substr(start, end - start));
        start = end + 1;
        if (line.empty()) continue;
        const std::size_t space = line.find_last_of(" \t");
        if (space == std::string::npos) {
            out.push_back({"", line});
            continue;
        }
        std::string title = Trim(std::string_view(line).substr(0, space));
        if (title.ends_with(':')) title.pop_back();
        out.push_back({Trim(title), line.substr(space + 1)});
    }
    return out;
}

std::string JoinLinks(const std::vector<Link>& links) {
    std::string out;
    for (const Link& l : links) {
        if (!out.empty()) out += '\n';
        out += l.title.empty() ? l.url : l.title + ": " + l.url;
    }
    return out;
}

enum Column : std::size_t { kQuestion, kAnswer, kId, kLang, kTags, kEnabled, kLinks, kChannels, kColumns };
constexpr std::array<std::string_view, kColumns> kColumnNames{"question", "answer",  "id",    "lang",
                                                              "tags",     "enabled", "links", "channels"};

}  // namespace

Result<std::vector<Article>> ImportCsv(std::string_view content) {
    const std::string text = Prepare(content);
    auto records = ReadCsv(text);
    if (!records) return records.error();
    auto it = std::find_if(records->begin(), records->end(), [](const CsvRecord& r) { return !Blank(r); });
    if (it == records->end()) return AtLine(1, "no header; expected at least the columns question,answer");

    // Header: which field holds which column.
    std::array<std::optional<std::size_t>, kColumns> where{};
    for (std::size_t f = 0; f < it->fields.size(); ++f) {
        const std::string name = Lower(Trim(it->fields[f]));
        const auto known = std::find(kColumnNames.begin(), kColumnNames.end(), name);
        if (known == kColumnNames.end()) {
            return AtLine(it->line,
                          "unknown column " + Quoted(name) +
                              " (columns: question, answer, id, lang, tags, enabled, links, channels)");
        }
        auto& slot = where[static_cast<std::size_t>(known - kColumnNames.begin())];
        if (slot) return AtLine(it->line, "column " + Quoted(name) + " appears twice");
        slot = f;
    }
    if (!where[kQuestion] || !where[kAnswer]) {
        return AtLine(it->line, "the header needs the columns question and answer");
    }
    const std::size_t columns = it->fields.size();

    std::vector<Draft> drafts;
    std::map<std::string, std::size_t> by_id;
    std::map<std::string, std::size_t> by_answer;
    for (++it; it != records->end(); ++it) {
        const CsvRecord& r = *it;
        if (Blank(r)) continue;
        if (r.fields.size() < columns) {
            return AtLine(r.line, "expected " + std::to_string(columns) + " fields, found " +
                                      std::to_string(r.fields.size()));
        }
        for (std::size_t f = columns; f < r.fields.size(); ++f) {
            if (!Trim(r.fields[f]).empty()) {
                return AtLine(r.line, "expected " + std::to_string(columns) + " fields, found " +
                                          std::to_string(r.fields.size()));
            }
        }
        auto get = [&](Column c) { return where[c] ? Trim(r.fields[*where[c]]) : std::string(); };
        std::string question = get(kQuestion);
        std::string answer = get(kAnswer);
        const std::string id = get(kId);
        const std::string lang = get(kLang);
        const std::string enabled_text = Lower(get(kEnabled));
        if (question.empty()) return AtLine(r.line, "question is empty");
        if (answer.empty()) return AtLine(r.line, "answer is empty");
        std::optional<bool> enabled;
        if (enabled_text == "true" || enabled_text == "yes" || enabled_text == "1") enabled = true;
        if (enabled_text == "false" || enabled_text == "no" || enabled_text == "0") enabled = false;
        if (!enabled_text.empty() && !enabled) {
            return AtLine(r.line, "enabled must be true or false, not " + Quoted(enabled_text));
        }

        std::optional<std::size_t> target;
        if (!id.empty()) {
            if (auto found = by_id.find(id); found != by_id.end()) target = found->second;
        } else if (auto same = by_answer.find(answer); same != by_answer.end()) {
            target = same->second;
        } else if (auto generated = by_id.find(GeneratedId("csv-", answer)); generated != by_id.end()) {
            target = generated->second;
        }
        if (!target) {
            Draft d;
            d.article.id = ArticleId(id.empty() ? GeneratedId("csv-", answer) : id);
            d.article.answer = answer;
            d.line = r.line;
            d.explicit_id = !id.empty();
            target = drafts.size();
            by_id.emplace(d.article.id.str(), drafts.size());
            by_answer.emplace(answer, drafts.size());
            drafts.push_back(std::move(d));
        }
        Draft& d = drafts[*target];
        if (d.article.answer != answer) {
            return AtLine(r.line, "article " + Quoted(d.article.id.str()) +
                                      " has a different answer on line " + std::to_string(d.line));
        }
        if (!lang.empty()) {
            if (!d.article.lang.empty() && d.article.lang != lang) {
                return AtLine(r.line, "lang " + Quoted(lang) + " differs from " + Quoted(d.article.lang) +
                                          " given earlier for article " + Quoted(d.article.id.str()));
            }
            d.article.lang = lang;
        }
        if (enabled) {
            if (d.explicit_enabled && d.article.enabled != *enabled) {
                return AtLine(r.line, "enabled differs from what an earlier record of article " +
                                          Quoted(d.article.id.str()) + " says");
            }
            d.article.enabled = *enabled;
            d.explicit_enabled = true;
        }
        d.AddTags(SplitTags(get(kTags)));
        d.AddChannels(SplitTags(get(kChannels)));
        d.AddLinks(SplitLinks(get(kLinks)));
        d.AddQuestion(std::move(question), r.line);
    }

    std::vector<Article> out;
    out.reserve(drafts.size());
    for (Draft& d : drafts) {
        auto a = Finish(std::move(d));
        if (!a) return a.error();
        out.push_back(std::move(a).value());
    }
    return out;
}

namespace {

std::string CsvField(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '"') out += '"';
        // The import reads CRLF as LF: a CR before a line break is written twice so that one stays.
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') out += '\r';
        out += s[i];
    }
    out += '"';
    return out;
}

// ---- Markdown ----

std::vector<std::string_view> Lines(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

bool IsHeading(std::string_view line) {
    return line.starts_with("##") && (line.size() == 2 || line[2] == ' ' || line[2] == '\t');
}

bool IsArticleComment(std::string_view line) { return line.starts_with(kCommentOpen); }

// The ``` or ~~~ run a line starts with, after up to three spaces (CommonMark's code fence); a
// run shorter than three is none (length 0).
struct FenceRun {
    char marker = '\0';
    std::size_t length = 0;
    std::string_view rest;  // after the run
};

FenceRun ReadFence(std::string_view s) {
    for (int indent = 0; indent < 3 && s.starts_with(' '); ++indent) s.remove_prefix(1);
    FenceRun f;
    if (s.empty() || (s.front() != '`' && s.front() != '~')) return f;
    f.marker = s.front();
    while (f.length < s.size() && s[f.length] == f.marker) ++f.length;
    f.rest = s.substr(f.length);
    if (f.length < 3) f.length = 0;
    return f;
}

// A line the import would not take as answer text as it stands — a heading, the article comment,
// a fence (see FencedLines) — or that starts with backslashes before one: it gets a backslash,
// which the import removes.
bool NeedsEscape(std::string_view line) {
    while (line.starts_with('\\')) line.remove_prefix(1);
    return IsHeading(line) || IsArticleComment(line) || ReadFence(line).length > 0;
}

std::string HeadingText(std::string_view line) {
    std::string text = Trim(line.substr(2));
    // An ATX closing sequence ("## Question ##") is not part of the text.
    const std::size_t hashes = text.find_last_not_of('#');
    if (hashes == std::string::npos) return {};
    if (hashes + 1 < text.size() && (text[hashes] == ' ' || text[hashes] == '\t'))
        text = Trim(text.substr(0, hashes));
    return text;
}

// Tracks ``` / ~~~ code fences, in which no line is a heading.
class Fences {
public:
    // Feeds one line; true if the line is inside a fence (its opening and closing lines included).
    bool Inside(std::string_view line) {
        const FenceRun f = ReadFence(line);
        if (open_ == 0) {
            if (f.length == 0) return false;
            marker_ = f.marker;
            open_ = f.length;
            return true;
        }
        if (f.marker == marker_ && f.length >= open_ && Trim(f.rest).empty()) open_ = 0;
        return true;
    }
    bool Open() const { return open_ != 0; }

private:
    char marker_ = '\0';
    std::size_t open_ = 0;  // length of the opening run; 0 = not in a fence
};

// Which lines of an answer ExportMarkdown leaves inside a fence (the import reads them so). A fence
// the answer never closes would run on through the next articles' headings and swallow them, so
// its opening line is not left a fence (NeedsEscape escapes it) and the lines after it are read
// afresh — they may open another.
std::vector<bool> FencedLines(const std::vector<std::string_view>& lines) {
    std::vector<bool> fenced(lines.size(), false);
    std::size_t from = 0;
    while (from < lines.size()) {
        Fences fences;
        std::size_t opened = from;
        for (std::size_t i = from; i < lines.size(); ++i) {
            const bool was_open = fences.Open();
            fenced[i] = fences.Inside(lines[i]);
            if (!was_open && fenced[i]) opened = i;
        }
        if (!fences.Open()) break;
        fenced[opened] = false;
        from = opened + 1;
    }
    return fenced;
}

// nlohmann's message for a JSON error names a position in the JSON alone ("at line 1, column N"):
// made the column of the file's line, in which the JSON starts after `offset` bytes.
std::string JsonError(const nlohmann::json::exception& e, std::size_t offset) {
    std::string what = e.what();
    const std::size_t at = what.find(" at line ");
    const std::size_t column = what.find(", column ", at == std::string::npos ? what.size() : at);
    if (column == std::string::npos) return what;
    std::size_t end = column + 9;
    std::size_t n = 0;
    for (; end < what.size() && what[end] >= '0' && what[end] <= '9' && n < 1'000'000'000; ++end) {
        n = n * 10 + static_cast<std::size_t>(what[end] - '0');
    }
    return what.substr(0, at) + " at column " + std::to_string(n + offset) + what.substr(end);
}

Status ApplyComment(std::string_view line, int at, Draft& d) {
    std::string_view body = line.substr(kCommentOpen.size());
    const std::size_t close = body.rfind(kCommentClose);
    if (close == std::string_view::npos || !Trim(body.substr(close + kCommentClose.size())).empty()) {
        return AtLine(at, "the article comment must end with --> on the same line");
    }
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(body.substr(0, close));
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for 1e999
        return AtLine(at, "article comment: invalid JSON: " + JsonError(e, kCommentOpen.size()));
    }
    if (!j.is_object()) return AtLine(at, "article comment: expected a JSON object");
    for (const auto& [key, value] : j.items()) {
        if (key == "id" && value.is_string()) {
            d.article.id = ArticleId(value.get<std::string>());
            d.explicit_id = true;
        } else if (key == "lang" && value.is_string()) {
            d.article.lang = value.get<std::string>();
        } else if (key == "enabled" && value.is_boolean()) {
            d.article.enabled = value.get<bool>();
        } else if ((key == "tags" || key == "channels") && value.is_array() &&
                   std::all_of(value.begin(), value.end(),
                               [](const nlohmann::json& t) { return t.is_string(); })) {
            if (key == "tags") d.AddTags(value.get<std::vector<std::string>>());
            if (key == "channels") d.AddChannels(value.get<std::vector<std::string>>());
        } else if (key == "links" && value.is_array() &&
                   std::all_of(value.begin(), value.end(), [](const nlohmann::json& l) {
                       return l.is_object() && l.contains("url") && l["url"].is_string() &&
                              (!l.contains("title") || l["title"].is_string()) &&
                              l.size() == (l.contains("title") ? 2u : 1u);
                   })) {
            for (const auto& l : value) d.AddLinks({{l.value("title", ""), l["url"].get<std::string>()}});
        } else {
            return AtLine(at,
                          "article comment: " + Quoted(key) +
                              " is not one of id (string), lang (string), tags (strings), enabled (bool), "
                              "links ({\"title\", \"url\"} objects), channels (strings)");
        }
    }
    return Status::Ok();
}

}  // namespace

Result<std::vector<Article>> ImportMarkdown(std::string_view content) {
    const std::string text = Prepare(content);
    const std::vector<std::string_view> lines = Lines(text);

    std::vector<Draft> drafts;
    std::map<std::string, std::size_t> by_id;
    std::optional<Draft> cur;
    std::vector<std::string_view> answer;
    bool commented = false;
    int last_heading = 0;  // line of the last heading read
    Fences fences;

    auto finish_section = [&]() -> Status {
        if (!cur) return Status::Ok();
        while (!answer.empty() && Trim(answer.back()).empty()) answer.pop_back();
        std::string body;
        for (std::size_t i = 0; i < answer.size(); ++i) {
            if (i > 0) body += '\n';
            body += answer[i];
        }
        body = Trim(body);
        if (body.empty()) {
            return AtLine(cur->line, "question " + Quoted(cur->article.questions.front()) + " has no answer");
        }
        cur->article.answer = body;
        if (!cur->explicit_id) cur->article.id = ArticleId(GeneratedId("md-", body));
        if (auto seen = by_id.find(cur->article.id.str()); seen != by_id.end()) {
            Draft& first = drafts[seen->second];
            // Two sections with one answer are one article; an id given twice is a mistake.
            if (cur->explicit_id || first.explicit_id || first.article.answer != body) {
                return AtLine(cur->line, "duplicate id " + Quoted(cur->article.id.str()) +
                                             " (first on line " + std::to_string(first.line) + ")");
            }
            for (std::size_t i = 0; i < cur->article.questions.size(); ++i) {
                first.AddQuestion(cur->article.questions[i], cur->question_lines[i]);
            }
            first.AddTags(cur->article.tags);
            first.AddLinks(cur->article.links);
            first.AddChannels(cur->article.channels);
        } else {
            by_id.emplace(cur->article.id.str(), drafts.size());
            drafts.push_back(std::move(*cur));
        }
        cur.reset();
        answer.clear();
        commented = false;
        return Status::Ok();
    };

    for (std::size_t i = 0; i < lines.size(); ++i) {
        const int n = static_cast<int>(i) + 1;
        const std::string_view line = lines[i];
        const bool fenced = fences.Inside(line);
        if (!fenced && IsHeading(line)) {
            std::string question = HeadingText(line);
            if (question.empty()) return AtLine(n, "empty question heading");
            if (cur && !answer.empty()) {
                if (Status s = finish_section(); !s.ok()) return s.error();
            }
            // Only a heading on the line after the last one is another phrasing: after a blank line
            // or the article comment, the section's answer was due (taking the heading as a phrasing
            // would give the answer-less question the next article's answer).
            if (cur && (commented || last_heading != n - 1)) {
                return AtLine(cur->line, "question " + Quoted(cur->article.questions.front()) +
                                             " has no answer (one article's question headings are on "
                                             "consecutive lines, its answer after them)");
            }
            if (!cur) {
                cur.emplace();
                cur->line = n;
            }
            cur->AddQuestion(std::move(question), n);
            last_heading = n;
            continue;
        }
        if (!cur) continue;  // the preamble: a title, an introduction
        if (!fenced && IsArticleComment(line)) {
            if (!answer.empty())
                return AtLine(n, "the article comment must come right after the question headings");
            if (commented) return AtLine(n, "a second article comment for the same questions");
            if (Status s = ApplyComment(line, n, *cur); !s.ok()) return s.error();
            commented = true;
            continue;
        }
        if (answer.empty() && Trim(line).empty()) continue;
        std::string_view kept = line;
        if (!fenced && kept.starts_with('\\') && NeedsEscape(kept.substr(1))) kept.remove_prefix(1);
        answer.push_back(kept);
    }
    if (Status s = finish_section(); !s.ok()) return s.error();

    std::vector<Article> out;
    out.reserve(drafts.size());
    for (Draft& d : drafts) {
        auto a = Finish(std::move(d));
        if (!a) return a.error();
        out.push_back(std::move(a).value());
    }
    return out;
}

Result<std::vector<Article>> ImportJsonl(std::string_view content) {
    return ParseJsonl(content, ValidateArticle);
}

Result<std::vector<Article>> Import(Format format, std::string_view content) {
    switch (format) {
        case Format::kJsonl:
            return ImportJsonl(content);
        case Format::kCsv:
            return ImportCsv(content);
        case Format::kMarkdown:
            return ImportMarkdown(content);
    }
    return Error::Fatal("unknown format");
}

std::string ExportCsv(const std::vector<Article>& articles) {
    std::string out = "id,question,answer,lang,tags,enabled,links,channels\n";
    for (const Article& a : articles) {
        std::string tags;
        for (const std::string& t : a.tags) tags += (tags.empty() ? "" : ";") + t;
        std::string channels;
        for (const std::string& c : a.channels) channels += (channels.empty() ? "" : ";") + c;
        const std::string links = JoinLinks(a.links);
        for (const std::string& q : a.questions) {
            out += CsvField(a.id.str()) + ',' + CsvField(q) + ',' + CsvField(a.answer) + ',' +
                   CsvField(a.lang) + ',' + CsvField(tags) + ',' + (a.enabled ? "true" : "false") + ',' +
                   CsvField(links) + ',' + CsvField(channels) + '\n';
        }
    }
    return out;
}

std::string ExportMarkdown(const std::vector<Article>& articles) {
    std::string out = "# Knowledge base\n";
    for (const Article& a : articles) {
        out += '\n';
        for (std::string q : a.questions) {
            std::replace_if(
                q.begin(), q.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
            // A closing sequence, which the import strips, keeps a question's own trailing '#'s
            // from being read as one ("## How do I type # ##").
            out += "## " + q + (q.ends_with('#') ? " ##\n" : "\n");
        }
        nlohmann::ordered_json meta{{"id", a.id.str()}, {"lang", a.lang}, {"tags", a.tags}};
        if (!a.enabled) meta["enabled"] = false;
        // Links and channels only when set, like enabled: a knowledge base without them exports
        // as it did before they existed.
        if (!a.links.empty()) {
            meta["links"] = nlohmann::ordered_json::array();
            for (const Link& l : a.links) {
                meta["links"].push_back(l.title.empty()
                                            ? nlohmann::ordered_json{{"url", l.url}}
                                            : nlohmann::ordered_json{{"title", l.title}, {"url", l.url}});
            }
        }
        if (!a.channels.empty()) meta["channels"] = a.channels;
        out += std::string(kCommentOpen) + ' ' +
               meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ' ' +
               std::string(kCommentClose) + "\n\n";
        const std::vector<std::string_view> lines = Lines(a.answer);
        const std::vector<bool> fenced = FencedLines(lines);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            if (!fenced[i] && NeedsEscape(lines[i])) out += '\\';
            out += lines[i];
            // The import reads CRLF as LF: a CR ending a line is written twice so that one stays.
            if (lines[i].ends_with('\r')) out += '\r';
            out += '\n';
        }
    }
    return out;
}

std::string Export(Format format, const std::vector<Article>& articles) {
    switch (format) {
        case Format::kJsonl:
            return ToJsonl(articles);
        case Format::kCsv:
            return ExportCsv(articles);
        case Format::kMarkdown:
            return ExportMarkdown(articles);
    }
    return {};
}

std::string_view FormatName(Format format) {
    switch (format) {
        case Format::kJsonl:
            return "jsonl";
        case Format::kCsv:
            return "csv";
        case Format::kMarkdown:
            return "markdown";
    }
    return "";
}

std::string DetectLang(std::string_view text) {
    int cyrillic = 0;
    int latin = 0;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ++latin;
        // Cyrillic letters U+0400..U+04FF are two bytes led by 0xD0..0xD3.
        if (c >= 0xD0 && c <= 0xD3) ++cyrillic;
    }
    return cyrillic > latin ? "ru" : "en";
}

}  // namespace switchboard::kb
