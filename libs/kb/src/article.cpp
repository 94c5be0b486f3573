#include "switchboard/kb/article.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <fstream>
#include <set>
#include <sstream>

#include "switchboard/core/ids.hpp"

namespace switchboard::kb {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The keys ToJsonLine writes, in its order: a line may have no other (a typo such as "enable"
// would otherwise publish the article with the default silently).
constexpr std::array<std::string_view, 9> kKeys{"id",      "questions", "answer", "lang",    "tags",
                                                "enabled", "version",   "links",  "channels"};

// "a, b, c": the names an error message lists as allowed.
template <std::size_t N>
std::string Listed(const std::array<std::string_view, N>& names) {
    std::string out;
    for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
}

// nlohmann's message for a JSON error. Each line is parsed alone, so its "at line 1, column N" would
// name a line other than the file's: only the column is kept.
std::string JsonError(const nlohmann::json::exception& e) {
    std::string what = e.what();
    const std::size_t at = what.find(" at line ");
    const std::size_t column = what.find(", column ", at == std::string::npos ? what.size() : at);
    if (at != std::string::npos && column != std::string::npos) what.erase(at + 4, column + 2 - (at + 4));
    return what;
}

Result<Article> ParseLine(const std::string& line) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for 1e999
        return Error::Fatal("invalid JSON: " + JsonError(e));
    }
    if (!j.is_object()) return Error::Fatal("expected a JSON object");
    for (const auto& item : j.items()) {
        if (std::find(kKeys.begin(), kKeys.end(), item.key()) == kKeys.end()) {
            return Error::Fatal("unknown key \"" + item.key().substr(0, 80) + "\" (expected " + Listed(kKeys) + ")");
        }
    }
    auto str = [&](const char* key, bool required) -> Result<std::string> {
        auto it = j.find(key);
        if (it == j.end() || it->is_null()) {
            if (required) return Error::Fatal(std::string("missing \"") + key + "\"");
            return std::string();
        }
        if (!it->is_string()) return Error::Fatal(std::string("\"") + key + "\" must be a string");
        return it->get<std::string>();
    };
    auto list = [&](const char* key) -> Result<std::vector<std::string>> {
        std::vector<std::string> out;
        auto it = j.find(key);
        if (it == j.end() || it->is_null()) return out;
        if (!it->is_array()) return Error::Fatal(std::string("\"") + key + "\" must be an array of strings");
        for (const auto& v : *it) {
            if (!v.is_string()) return Error::Fatal(std::string("\"") + key + "\" must be an array of strings");
            out.push_back(v.get<std::string>());
        }
        return out;
    };
    Article a;
    auto id = str("id", true);
    if (!id) return id.error();
    if (id->empty()) return Error::Fatal("\"id\" must not be empty");
    a.id = ArticleId(std::move(id).value());
    auto questions = list("questions");
    if (!questions) return questions.error();
    a.questions = std::move(questions).value();
    if (a.questions.empty()) return Error::Fatal("\"questions\" must have at least one question");
    auto answer = str("answer", true);
    if (!answer) return answer.error();
    if (answer->empty()) return Error::Fatal("\"answer\" must not be empty");
    a.answer = std::move(answer).value();
    auto lang = str("lang", false);
    if (!lang) return lang.error();
    a.lang = std::move(lang).value();
    auto tags = list("tags");
    if (!tags) return tags.error();
    a.tags = std::move(tags).value();
    if (auto it = j.find("enabled"); it != j.end()) {
        if (!it->is_boolean()) return Error::Fatal("\"enabled\" must be true or false");
        a.enabled = it->get<bool>();
    }
    if (auto it = j.find("version"); it != j.end()) {
        if (!it->is_number_integer()) return Error::Fatal("\"version\" must be an integer");
        a.version = it->get<std::int64_t>();
    }
    if (auto it = j.find("links"); it != j.end() && !it->is_null()) {
        constexpr const char* kShape = "\"links\" must be an array of {\"title\": string, \"url\": string}";
        if (!it->is_array()) return Error::Fatal(kShape);
        for (const auto& v : *it) {
            if (!v.is_object()) return Error::Fatal(kShape);
            Link link;
            for (const auto& [key, value] : v.items()) {
                if (key != "title" && key != "url") return Error::Fatal(kShape);
                if (value.is_null()) continue;
                if (!value.is_string()) return Error::Fatal(kShape);
                (key == "url" ? link.url : link.title) = value.get<std::string>();
            }
            if (link.url.empty()) return Error::Fatal("a link in \"links\" has no \"url\"");
            a.links.push_back(std::move(link));
        }
    }
    auto channels = list("channels");
    if (!channels) return channels.error();
    a.channels = std::move(channels).value();
    return a;
}

}  // namespace

Result<std::vector<Article>> ParseJsonl(std::string_view content) { return ParseJsonl(content, nullptr); }

Result<std::vector<Article>> ParseJsonl(std::string_view content, const ArticleCheck& check) {
    std::vector<Article> out;
    std::set<std::string> ids;
    std::istringstream in{std::string(content)};
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (n == 1 && line.starts_with(kUtf8Bom)) line.erase(0, kUtf8Bom.size());
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto a = ParseLine(line);
        if (!a) return Error::Fatal("line " + std::to_string(n) + ": " + a.error().message);
        if (!ids.insert(a->id.str()).second) {
            return Error::Fatal("line " + std::to_string(n) + ": duplicate id \"" + a->id.str() + "\"");
        }
        if (check) {
            if (Status s = check(*a); !s.ok()) {
                return Error::Fatal("line " + std::to_string(n) + ": " + s.error().message);
            }
        }
        out.push_back(std::move(a).value());
    }
    return out;
}

Result<std::vector<Article>> LoadJsonlFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return Error::Fatal("cannot read knowledge base file " + path);
    std::ostringstream ss;
    ss << f.rdbuf();
    auto r = ParseJsonl(ss.str());
    if (!r) return Error::Fatal(path + ": " + r.error().message);
    return r;
}

}  // namespace switchboard::kb

namespace switchboard::kb {

std::string ToJsonLine(const Article& article) {
    nlohmann::ordered_json links = nlohmann::ordered_json::array();
    for (const Link& l : article.links) links.push_back({{"title", l.title}, {"url", l.url}});
    const nlohmann::ordered_json j{
        {"id", article.id.str()},       {"questions", article.questions},
        {"answer", article.answer},     {"lang", article.lang},
        {"tags", article.tags},         {"enabled", article.enabled},
        {"version", article.version},   {"links", links},
        {"channels", article.channels},
    };
    // Articles are validated as UTF-8 before they get here; anything else is replaced rather
    // than thrown on.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ToJsonl(const std::vector<Article>& articles) {
    std::string out;
    for (const Article& a : articles) {
        out += ToJsonLine(a);
        out += '\n';
    }
    return out;
}

std::string AnswerText(const Article& article) {
    if (article.links.empty()) return article.answer;
    std::string out = article.answer;
    out += '\n';
    for (const Link& l : article.links) {
        out += '\n';
        if (!l.title.empty()) out += l.title + ": ";
        out += l.url;
    }
    return out;
}

namespace {

bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }
bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

Status ValidateId(std::string_view id) {
    if (!IsValidExternalId(id)) {
        return Error::Fatal("id \"" + std::string(id.substr(0, 140)) +
                            "\" must be 1..128 characters of A-Z a-z 0-9 . _ : -");
    }
    return Status::Ok();
}

namespace {

// What is wrong with a question, as the end of "question [N] …"; empty if nothing.
std::string QuestionProblem(std::string_view question) {
    if (!IsValidUtf8(question)) return "is not valid UTF-8";
    if (IsBlank(question)) return "is empty";
    if (question.size() > kMaxQuestionBytes) {
        return "is longer than " + std::to_string(kMaxQuestionBytes) + " bytes";
    }
    if (HasLineBreak(question)) return "contains a line break";
    return {};
}

}  // namespace

Status ValidateQuestion(std::string_view question) {
    if (std::string problem = QuestionProblem(question); !problem.empty()) {
        return Error::Fatal("question " + problem);
    }
    return Status::Ok();
}

Status ValidateAnswer(std::string_view answer) {
    if (!IsValidUtf8(answer)) return Error::Fatal("answer is not valid UTF-8");
    if (IsBlank(answer)) return Error::Fatal("answer is empty");
    if (answer.size() > kMaxAnswerBytes) {
        return Error::Fatal("answer is longer than " + std::to_string(kMaxAnswerBytes) + " bytes");
    }
    return Status::Ok();
}

Status ValidateLang(std::string_view lang) {
    // BCP 47's shape: a 2-3 letter language ("en", "ru"), then subtags of 1-8 letters or digits
    // ("en-US", "sr-Latn-RS"). "english" or "123" would be stored and match no customer ever.
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    auto alnum = [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); };
    bool shaped = lang.size() <= 35;
    std::size_t start = 0;
    for (int i = 0; shaped && start <= lang.size() && !lang.empty(); ++i) {
        const std::size_t end = std::min(lang.find('-', start), lang.size());
        const std::string_view sub = lang.substr(start, end - start);
        shaped = i == 0 ? sub.size() >= 2 && sub.size() <= 3 && std::all_of(sub.begin(), sub.end(), alpha)
                        : !sub.empty() && sub.size() <= 8 && std::all_of(sub.begin(), sub.end(), alnum);
        start = end + 1;
    }
    if (!shaped) {
        return Error::Fatal("lang \"" + std::string(lang.substr(0, 40)) +
                            "\" is not a language tag such as \"en\" or \"ru\"");
    }
    return Status::Ok();
}

Status ValidateTag(std::string_view tag) {
    if (!IsValidUtf8(tag)) return Error::Fatal("a tag is not valid UTF-8");
    if (IsBlank(tag) || tag.size() > kMaxTagBytes || HasLineBreak(tag) ||
        tag.find(';') != std::string_view::npos) {
        return Error::Fatal("tag \"" + std::string(tag.substr(0, 80)) + "\" must be 1.." +
                            std::to_string(kMaxTagBytes) + " bytes without ';' or line breaks");
    }
    return Status::Ok();
}

namespace {

// What is wrong with a link, as the end of "link [N] …"; empty if nothing.
std::string LinkProblem(const Link& link) {
    const std::string_view url = link.url;
    auto starts_with_ci = [&](std::string_view prefix) {
        return url.size() >= prefix.size() &&
               std::equal(prefix.begin(), prefix.end(), url.begin(), [](char p, char c) {
                   return p == (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
               });
    };
    const std::size_t scheme = starts_with_ci("https://") ? 8 : starts_with_ci("http://") ? 7 : 0;
    const std::string quoted = "url \"" + std::string(url.substr(0, 80)) + "\"";
    if (scheme == 0 || url.size() == scheme) return quoted + " must start with http:// or https://";
    if (url.size() > kMaxLinkUrlBytes)
        return "url is longer than " + std::to_string(kMaxLinkUrlBytes) + " bytes";
    if (!IsValidUtf8(url)) return "url is not valid UTF-8";
    // The url is what a messenger turns into a link, up to the first space: with one inside, the
    // customer would get another link than meant (and a CSV file reads a link's url as its last word).
    const bool clean = std::none_of(url.begin(), url.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c <= ' ' || c == 0x7F;
    });
    if (!clean) return quoted + " contains a space or a control character";
    if (!IsValidUtf8(link.title)) return "title is not valid UTF-8";
    if (link.title.size() > kMaxLinkTitleBytes) {
        return "title is longer than " + std::to_string(kMaxLinkTitleBytes) + " bytes";
    }
    if (HasLineBreak(link.title)) return "title contains a line break";
    return {};
}

}  // namespace

Status ValidateLink(const Link& link) {
    if (std::string problem = LinkProblem(link); !problem.empty()) return Error::Fatal("link " + problem);
    return Status::Ok();
}

Status ValidateChannel(std::string_view channel) {
    if (std::find(kChannelNames.begin(), kChannelNames.end(), channel) == kChannelNames.end()) {
        return Error::Fatal("channel \"" + std::string(channel.substr(0, 40)) + "\" is not one of " +
                            Listed(kChannelNames));
    }
    return Status::Ok();
}

Status ValidateArticle(const Article& article) {
    if (Status s = ValidateId(article.id.str()); !s.ok()) return s;
    if (article.questions.empty()) return Error::Fatal("article has no question");
    if (article.questions.size() > kMaxQuestions) {
        return Error::Fatal("article has " + std::to_string(article.questions.size()) +
                            " questions, at most " + std::to_string(kMaxQuestions) + " are allowed");
    }
    for (std::size_t i = 0; i < article.questions.size(); ++i) {
        if (std::string problem = QuestionProblem(article.questions[i]); !problem.empty()) {
            return Error::Fatal("question " + std::to_string(i + 1) + " " + problem);
        }
    }
    if (Status s = ValidateAnswer(article.answer); !s.ok()) return s;
    if (Status s = ValidateLang(article.lang); !s.ok()) return s;
    if (article.tags.size() > kMaxTags) {
        return Error::Fatal("article has more than " + std::to_string(kMaxTags) + " tags");
    }
    for (const std::string& tag : article.tags) {
        if (Status s = ValidateTag(tag); !s.ok()) return s;
    }
    if (article.links.size() > kMaxLinks) {
        return Error::Fatal("article has " + std::to_string(article.links.size()) + " links, at most " +
                            std::to_string(kMaxLinks) + " are allowed");
    }
    for (std::size_t i = 0; i < article.links.size(); ++i) {
        if (std::string problem = LinkProblem(article.links[i]); !problem.empty()) {
            return Error::Fatal("link " + std::to_string(i + 1) + " " + problem);
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (article.links[j].url == article.links[i].url) {
                return Error::Fatal("link " + std::to_string(i + 1) + " repeats the url of link " +
                                    std::to_string(j + 1));
            }
        }
    }
    for (std::size_t i = 0; i < article.channels.size(); ++i) {
        if (Status s = ValidateChannel(article.channels[i]); !s.ok()) return s;
        if (std::find(article.channels.begin(), article.channels.begin() + static_cast<std::ptrdiff_t>(i),
                      article.channels[i]) != article.channels.begin() + static_cast<std::ptrdiff_t>(i)) {
            return Error::Fatal("channel \"" + article.channels[i] + "\" is given twice");
        }
    }
    return Status::Ok();
}

}  // namespace switchboard::kb
