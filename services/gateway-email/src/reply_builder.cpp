#include "reply_builder.hpp"

#include <array>
#include <ctime>

#include "text_util.hpp"

namespace switchboard::gateway_email {

namespace {

constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(std::string_view in) {
    std::string out;
    std::size_t i = 0;
    while (i + 2 < in.size()) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out.push_back(kBase64[(v >> 18) & 63]);
        out.push_back(kBase64[(v >> 12) & 63]);
        out.push_back(kBase64[(v >> 6) & 63]);
        out.push_back(kBase64[v & 63]);
        i += 3;
    }
    if (i < in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out.push_back(kBase64[(v >> 18) & 63]);
        out.push_back(kBase64[(v >> 12) & 63]);
        out.push_back(i + 1 < in.size() ? kBase64[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

bool PrintableAscii(std::string_view s) {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) return false;
    }
    return true;
}

// Length of the UTF-8 sequence starting with byte `c` (1 for stray continuation bytes).
std::size_t SequenceLength(unsigned char c) {
    if (c >= 0xF0) return 4;
    if (c >= 0xE0) return 3;
    if (c >= 0xC0) return 2;
    return 1;
}

// Folds a header "Name: value" at spaces so no line passes 78 characters where avoidable.
std::string Fold(std::string_view name, std::string_view value) {
    std::string out(name);
    out.append(":");
    std::size_t line_len = out.size();
    std::size_t i = 0;
    bool first = true;
    while (i < value.size()) {
        auto sp = value.find(' ', i);
        if (sp == std::string_view::npos) sp = value.size();
        const std::string_view word = value.substr(i, sp - i);
        i = sp + 1;
        if (word.empty()) continue;
        if (!first && line_len + 1 + word.size() > 78) {
            out.append("\r\n");
            line_len = 0;
        }
        out.push_back(' ');
        out.append(word);
        line_len += 1 + word.size();
        first = false;
    }
    out.append("\r\n");
    return out;
}

bool NeedsQuoting(std::string_view name) {
    for (const char c : name) {
        if (std::string_view("()<>[]:;@\\,.\"").find(c) != std::string_view::npos) return true;
    }
    return false;
}

}  // namespace

std::string EncodeHeaderText(std::string_view utf8) {
    if (PrintableAscii(utf8)) return std::string(utf8);
    // Each encoded word holds at most 39 bytes (52 base64 chars + 12 of framing = 64), so that
    // "Subject: " and one word stay within 78 characters.
    std::string out;
    std::size_t i = 0;
    while (i < utf8.size()) {
        // Words end on a character boundary and, where one allows, after a multiple of 3 bytes:
        // some decoders (GMime among them) join adjacent words before decoding base64, and
        // padding in the middle would cut the text there.
        std::size_t end = i;
        std::size_t aligned = i;
        while (end < utf8.size()) {
            const std::size_t n = SequenceLength(static_cast<unsigned char>(utf8[end]));
            if (end + n - i > 39) break;
            end += n;
            if ((end - i) % 3 == 0) aligned = end;
        }
        if (end < utf8.size() && aligned > i) end = aligned;
        if (end == i) end = std::min(utf8.size(), i + 1);
        if (!out.empty()) out.push_back(' ');
        out.append("=?UTF-8?B?").append(Base64(utf8.substr(i, end - i))).append("?=");
        i = end;
    }
    return out;
}

std::string FormatAddress(std::string_view name, std::string_view address) {
    const std::string bracketed = "<" + std::string(address) + ">";
    if (name.empty()) return bracketed;
    if (!PrintableAscii(name)) return EncodeHeaderText(name) + " " + bracketed;
    if (!NeedsQuoting(name)) return std::string(name) + " " + bracketed;
    std::string q = "\"";
    for (const char c : name) {
        if (c == '"' || c == '\\') q.push_back('\\');
        q.push_back(c);
    }
    q.append("\" ");
    return q + bracketed;
}

std::string QuotedPrintable(std::string_view text) {
    static constexpr std::string_view kHex = "0123456789ABCDEF";
    std::string out;
    std::size_t line_len = 0;
    auto emit = [&](std::string_view piece) {
        if (line_len + piece.size() > 75) {  // leave room for the soft-break '='
            out.append("=\r\n");
            line_len = 0;
        }
        out.append(piece);
        line_len += piece.size();
    };
    for (const auto line : SplitLines(text)) {
        for (std::size_t i = 0; i < line.size(); ++i) {
            const auto c = static_cast<unsigned char>(line[i]);
            const bool last = i + 1 == line.size();
            // Trailing whitespace is encoded: transports may strip it.
            const bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
            if (literal) {
                const char ch = static_cast<char>(c);
                emit(std::string_view(&ch, 1));
            } else {
                const std::array<char, 3> enc{'=', kHex[c >> 4], kHex[c & 15]};
                emit(std::string_view(enc.data(), enc.size()));
            }
        }
        out.append("\r\n");
        line_len = 0;
    }
    return out;
}

std::string RfcDate(std::chrono::system_clock::time_point t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::array<char, 64> buf{};
    std::snprintf(buf.data(), buf.size(), "%s, %02d %s %04d %02d:%02d:%02d +0000",
                  kDays[static_cast<std::size_t>(tm.tm_wday)], tm.tm_mday, kMonths[static_cast<std::size_t>(tm.tm_mon)],
                  tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf.data();
}

std::string DomainOf(std::string_view address) {
    const auto at = address.rfind('@');
    return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

std::string RenderEmail(const OutgoingEmail& e) {
    std::string m;
    m.append("Date: ").append(RfcDate(e.date)).append("\r\n");
    m.append(Fold("From", FormatAddress(e.from_name, e.from_address)));
    m.append(Fold("To", FormatAddress(e.to_name, e.to_address)));
    m.append(Fold("Subject", EncodeHeaderText(e.subject)));
    m.append("Message-ID: <").append(e.message_id).append(">\r\n");
    if (!e.in_reply_to.empty()) m.append("In-Reply-To: <").append(e.in_reply_to).append(">\r\n");
    if (!e.references.empty()) {
        std::string refs;
        for (const auto& r : e.references) {
            if (!refs.empty()) refs.push_back(' ');
            refs.append("<").append(r).append(">");
        }
        m.append(Fold("References", refs));
    }
    if (e.auto_submitted) m.append("Auto-Submitted: auto-replied\r\n");
    m.append("MIME-Version: 1.0\r\n");
    m.append("Content-Type: text/plain; charset=utf-8\r\n");

    bool seven_bit = true;
    for (const auto line : SplitLines(e.body)) {
        if (line.size() > 76 || !PrintableAscii(line) || (!line.empty() && line.back() == ' ')) {
            seven_bit = false;
            break;
        }
    }
    if (seven_bit) {
        m.append("Content-Transfer-Encoding: 7bit\r\n\r\n");
        for (const auto line : SplitLines(e.body)) m.append(line).append("\r\n");
    } else {
        m.append("Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        m.append(QuotedPrintable(e.body));
    }
    return m;
}

}  // namespace switchboard::gateway_email
