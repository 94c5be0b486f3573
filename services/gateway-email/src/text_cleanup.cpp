#include "text_cleanup.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <vector>

#include "text_util.hpp"

namespace switchboard::gateway_email {

namespace {

using Lines = std::vector<std::string_view>;

bool HasDigit(std::string_view s) {
    for (const char c : s) {
        if (c >= '0' && c <= '9') return true;
    }
    return false;
}

bool IsQuoted(std::string_view line) { return !line.empty() && line.front() == '>'; }

// "…wrote:" in the languages our customers write in. Matched at the end of a (joined) line.
constexpr std::array<std::string_view, 14> kWroteEndings = {
    "wrote:",     "writes:",    "пишет:",       "написал:",    "написала:", "написал(а):", "написал (а):",
    "schrieb:",   "a écrit :", "a écrit:",     "escribió:",   "scrisse:",  "napisał:",    "yazdı:",
};

bool EndsWithWrote(std::string_view s) {
    for (const auto e : kWroteEndings) {
        if (EndsWithIgnoreCase(s, e)) return true;
    }
    return false;
}

// The first non-empty line at or after `i`, or "" past the end.
std::string_view NextNonEmpty(const Lines& lines, std::size_t i) {
    for (; i < lines.size(); ++i) {
        if (!TrimWhitespace(lines[i]).empty()) return TrimWhitespace(lines[i]);
    }
    return {};
}

// The number of lines (1–3) an attribution line spans starting at `i`, or 0 if none starts there.
std::size_t AttributionAt(const Lines& lines, std::size_t i) {
    std::string joined;
    for (std::size_t span = 1; span <= 3 && i + span - 1 < lines.size(); ++span) {
        const std::string_view line = TrimWhitespace(lines[i + span - 1]);
        if (line.empty() || IsQuoted(line)) return 0;
        if (span > 1) joined.push_back(' ');
        joined.append(line);
        if (joined.size() > 400) return 0;
        const std::string_view j = joined;
        const bool next_is_quote = IsQuoted(NextNonEmpty(lines, i + span));
        // A wrapped attribution only when its first line looks like one (Gmail wraps "On …").
        const bool plausible_start =
            span == 1 || StartsWithIgnoreCase(TrimWhitespace(lines[i]), "On ") || HasDigit(lines[i]);
        if (!plausible_start) continue;
        if (EndsWithWrote(j) && (HasDigit(j) || j.find('@') != std::string_view::npos || next_is_quote)) {
            return span;
        }
        // Gmail/Yandex/Mail.ru in Russian: "<date>, <name> <addr@host>:" without a verb.
        if (j.size() >= 3 && j.substr(j.size() - 2) == ">:" && j.find('@') != std::string_view::npos &&
            HasDigit(j)) {
            return span;
        }
    }
    return 0;
}

bool IsOriginalMessageSeparator(std::string_view line) {
    std::string_view t = TrimWhitespace(line);
    if (t.size() < 8 || t.front() != '-' || t.back() != '-') return false;
    while (!t.empty() && t.front() == '-') t.remove_prefix(1);
    while (!t.empty() && t.back() == '-') t.remove_suffix(1);
    t = TrimWhitespace(t);
    return EqualsIgnoreCase(t, "Original Message") || EqualsIgnoreCase(t, "Original message") ||
           t == "Исходное сообщение" || t == "Пересылаемое сообщение" || EqualsIgnoreCase(t, "Reply message") ||
           EqualsIgnoreCase(t, "Ursprüngliche Nachricht");
}

bool StartsWithHeader(std::string_view line, std::initializer_list<std::string_view> names) {
    std::string_view t = TrimWhitespace(line);
    // Outlook's HTML turned to text sometimes keeps the bold markers: "*From:* …".
    if (!t.empty() && t.front() == '*') t.remove_prefix(1);
    for (const auto n : names) {
        if (StartsWithIgnoreCase(t, n)) return true;
    }
    return false;
}

// "From: …" then, within the next lines of the same block, "Sent:"/"Date:" and "To:"/"Subject:".
bool OutlookHeaderBlockAt(const Lines& lines, std::size_t i) {
    if (!StartsWithHeader(lines[i], {"From:", "От:", "От кого:", "Von:"})) return false;
    bool when = false;
    bool what = false;
    for (std::size_t k = i + 1; k < lines.size() && k <= i + 6; ++k) {
        if (TrimWhitespace(lines[k]).empty()) break;
        if (StartsWithHeader(lines[k], {"Sent:", "Date:", "Отправлено:", "Дата:", "Gesendet:"})) when = true;
        if (StartsWithHeader(lines[k], {"To:", "Subject:", "Cc:", "Кому:", "Тема:", "Копия:", "An:", "Betreff:"})) {
            what = true;
        }
    }
    return when && what;
}

bool IsUnderscoreRule(std::string_view line) {
    const std::string_view t = TrimWhitespace(line);
    if (t.size() < 10) return false;
    for (const char c : t) {
        if (c != '_') return false;
    }
    return true;
}

// Where quoted history starts and how many lines its marker spans; {lines.size(), 0} if nowhere.
std::pair<std::size_t, std::size_t> FindHistory(const Lines& lines) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (IsQuoted(lines[i])) continue;
        if (const std::size_t span = AttributionAt(lines, i); span > 0) return {i, span};
        if (IsOriginalMessageSeparator(lines[i])) return {i, 1};
        if (OutlookHeaderBlockAt(lines, i)) {
            if (i > 0 && IsUnderscoreRule(lines[i - 1])) return {i - 1, 2};
            return {i, 1};
        }
    }
    return {lines.size(), 0};
}

bool HasContent(const Lines& lines) {
    for (const auto l : lines) {
        if (!TrimWhitespace(l).empty()) return true;
    }
    return false;
}

constexpr std::array<std::string_view, 16> kMobileSignatures = {
    "Sent from my ",
    "Sent from Mail for Windows",
    "Sent from Outlook",
    "Sent from Yahoo Mail",
    "Sent from Samsung",
    "Sent with ProtonMail",
    "Sent with Proton Mail",
    "Get Outlook for ",
    "Sent via ",
    "Отправлено с iPhone",
    "Отправлено с моего ",
    "Отправлено из мобильной Почты",
    "Отправлено с мобильного",
    "Отправлено из Яндекс",
    "Отправлено из приложения",
    "Von meinem iPhone gesendet",
};

bool IsMobileSignature(std::string_view line) {
    const std::string_view t = TrimWhitespace(line);
    if (t.empty() || t.size() > 80) return false;
    for (const auto s : kMobileSignatures) {
        if (StartsWithIgnoreCase(t, s)) return true;
    }
    return false;
}

// Cuts at the signature: the "-- " delimiter, or a mobile-client line among the last lines.
void CutSignature(Lines& lines) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i] == "-- " || lines[i] == "--") {
            lines.resize(i);
            break;
        }
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (!IsMobileSignature(lines[i])) continue;
        std::size_t after = 0;
        for (std::size_t k = i + 1; k < lines.size(); ++k) {
            if (!TrimWhitespace(lines[k]).empty()) ++after;
        }
        if (after <= 2) {
            lines.resize(i);
            break;
        }
    }
}

std::string Join(const Lines& lines) {
    std::string out;
    int blank_run = 0;
    for (const auto line : lines) {
        std::string_view l = line;
        while (!l.empty() && (l.back() == ' ' || l.back() == '\t' || l.back() == '\r')) l.remove_suffix(1);
        if (l.empty()) {
            if (out.empty()) continue;
            ++blank_run;
            continue;
        }
        if (!out.empty()) out.append(blank_run > 0 ? "\n\n" : "\n");
        blank_run = 0;
        out.append(l);
    }
    return out;
}

}  // namespace

std::string StripQuotedText(std::string_view text) {
    const Lines all = SplitLines(text);
    const auto [start, span] = FindHistory(all);
    Lines kept(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(start));
    if (!HasContent(kept) && start < all.size()) {
        // Bottom-posting: the attribution and the quote come first, the answer below them.
        Lines rest(all.begin() + static_cast<std::ptrdiff_t>(start + span), all.end());
        const auto [next, next_span] = FindHistory(rest);
        (void)next_span;
        kept.assign(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(next));
    }
    Lines unquoted;
    for (const auto l : kept) {
        if (!IsQuoted(l)) unquoted.push_back(l);
    }
    CutSignature(unquoted);
    return Join(unquoted);
}

// ---------------------------------------------------------------------------------------------
// HTML

namespace {

struct Entity {
    std::string_view name;
    char32_t cp;
};
constexpr std::array<Entity, 24> kEntities = {{
    {"amp", U'&'},       {"lt", U'<'},        {"gt", U'>'},         {"quot", U'"'},      {"apos", U'\''},
    {"nbsp", U' '},      {"mdash", U'\u2014'}, {"ndash", U'\u2013'}, {"hellip", U'\u2026'}, {"laquo", U'\u00AB'},
    {"raquo", U'\u00BB'}, {"copy", U'\u00A9'}, {"reg", U'\u00AE'},  {"trade", U'\u2122'}, {"rsquo", U'\u2019'},
    {"lsquo", U'\u2018'}, {"ldquo", U'\u201C'}, {"rdquo", U'\u201D'}, {"euro", U'\u20AC'}, {"bull", U'\u2022'},
    {"middot", U'\u00B7'}, {"shy", 0},          {"zwnj", 0},          {"zwj", 0},
}};

// Decodes the entity at html[i] ('&'); returns the characters consumed (0 if not an entity).
std::size_t DecodeEntity(std::string_view html, std::size_t i, std::string& out) {
    const auto semi = html.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12 || semi == i + 1) return 0;
    const std::string_view body = html.substr(i + 1, semi - i - 1);
    if (body.front() == '#') {
        std::uint32_t cp = 0;
        const bool hex = body.size() > 1 && (body[1] == 'x' || body[1] == 'X');
        const std::string_view digits = body.substr(hex ? 2 : 1);
        if (digits.empty()) return 0;
        for (const char c : digits) {
            int v = -1;
            if (c >= '0' && c <= '9') v = c - '0';
            else if (hex && c >= 'a' && c <= 'f') v = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F') v = c - 'A' + 10;
            if (v < 0) return 0;
            cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
            if (cp > 0x10FFFF) return 0;
        }
        if (cp == 0xA0) cp = ' ';
        if (cp != 0) AppendUtf8(out, static_cast<char32_t>(cp));
        return semi - i + 1;
    }
    for (const auto& e : kEntities) {
        if (body == e.name) {
            if (e.cp != 0) AppendUtf8(out, e.cp);
            return semi - i + 1;
        }
    }
    return 0;
}

bool IsBlockTag(std::string_view t) {
    static constexpr std::array<std::string_view, 20> kBlocks = {
        "p",  "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2",
        "h3", "h4",  "h5", "h6", "hr", "pre", "dl", "dt",   "dd", "section"};
    for (const auto b : kBlocks) {
        if (t == b) return true;
    }
    return false;
}

// Whether an opening tag's attributes mark quoted history or a signature.
bool MarksHistory(std::string_view tag, std::string_view attrs) {
    if (tag == "blockquote") return true;
    const std::string a = AsciiLower(attrs);
    return a.find("gmail_quote") != std::string::npos || a.find("gmail_signature") != std::string::npos ||
           a.find("yahoo_quoted") != std::string::npos || a.find("divrplyfwdmsg") != std::string::npos ||
           a.find("moz-cite-prefix") != std::string::npos;
}

}  // namespace

std::string HtmlToText(std::string_view html) {
    std::string out;
    // Inside an element whose content is dropped: its tag and how deeply it is nested in itself.
    std::string skip_tag;
    int skip_depth = 0;
    bool pending_space = false;
    bool in_pre = false;
    auto newline = [&](int n) {
        pending_space = false;
        std::size_t have = 0;
        for (auto it = out.rbegin(); it != out.rend() && *it == '\n'; ++it) ++have;
        if (out.empty()) return;
        while (have < static_cast<std::size_t>(n)) {
            out.push_back('\n');
            ++have;
        }
    };

    std::size_t i = 0;
    while (i < html.size()) {
        const char c = html[i];
        if (c == '<') {
            if (html.compare(i, 4, "<!--") == 0) {
                const auto end = html.find("-->", i + 4);
                i = end == std::string_view::npos ? html.size() : end + 3;
                continue;
            }
            // Find the end of the tag, honouring quoted attribute values.
            std::size_t j = i + 1;
            char quote = 0;
            while (j < html.size()) {
                if (quote != 0) {
                    if (html[j] == quote) quote = 0;
                } else if (html[j] == '"' || html[j] == '\'') {
                    quote = html[j];
                } else if (html[j] == '>') {
                    break;
                }
                ++j;
            }
            const std::string_view inner = html.substr(i + 1, j - i - 1);
            i = j < html.size() ? j + 1 : html.size();
            const bool closing = !inner.empty() && inner.front() == '/';
            std::string_view rest = closing ? inner.substr(1) : inner;
            std::size_t n = 0;
            while (n < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[n])) != 0)) ++n;
            const std::string tag = AsciiLower(rest.substr(0, n));
            const std::string_view attrs = rest.substr(n);
            if (tag.empty()) continue;  // <!DOCTYPE>, <?xml?>, stray '<'

            if (!skip_tag.empty()) {
                if (tag == skip_tag) {
                    if (closing) {
                        if (--skip_depth == 0) {
                            skip_tag.clear();
                            newline(1);
                        }
                    } else if (attrs.empty() || attrs.back() != '/') {
                        ++skip_depth;
                    }
                }
                continue;
            }
            if (!closing && (tag == "script" || tag == "style" || tag == "head" || tag == "title" ||
                             MarksHistory(tag, attrs))) {
                skip_tag = tag;
                skip_depth = 1;
                continue;
            }
            if (tag == "pre") in_pre = !closing;
            if (tag == "br") {
                out.push_back('\n');
                pending_space = false;
            } else if (tag == "p" || tag == "h1" || tag == "h2" || tag == "h3" || tag == "h4" || tag == "h5" ||
                       tag == "h6" || tag == "table" || tag == "ul" || tag == "ol") {
                newline(2);
            } else if (tag == "li" && !closing) {
                newline(1);
                out.append("- ");
            } else if (IsBlockTag(tag)) {
                newline(1);
            } else if ((tag == "td" || tag == "th") && closing) {
                pending_space = true;
            }
            continue;
        }
        if (!skip_tag.empty()) {
            ++i;
            continue;
        }
        if (!in_pre && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
            pending_space = true;
            ++i;
            continue;
        }
        if (pending_space && !out.empty() && out.back() != '\n') out.push_back(' ');
        pending_space = false;
        if (c == '&') {
            if (const std::size_t used = DecodeEntity(html, i, out); used > 0) {
                i += used;
                continue;
            }
        }
        out.push_back(c);
        ++i;
    }
    // Tidy: trim each line, at most one blank line in a row.
    std::string tidy;
    int blank = 0;
    for (const auto line : SplitLines(out)) {
        const std::string_view t = TrimWhitespace(line);
        if (t.empty()) {
            if (!tidy.empty()) ++blank;
            continue;
        }
        if (!tidy.empty()) tidy.append(blank > 0 ? "\n\n" : "\n");
        blank = 0;
        tidy.append(t);
    }
    return tidy;
}

}  // namespace switchboard::gateway_email
