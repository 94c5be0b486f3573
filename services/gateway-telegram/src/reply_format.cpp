#include "reply_format.hpp"

namespace switchboard::gateway_telegram {

namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // "…", one UTF-16 unit

// Bytes in the UTF-8 sequence that starts with `lead` (1 for a stray continuation byte).
std::size_t SequenceLength(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1;
}

std::size_t Utf16Units(unsigned char lead) { return (lead & 0xF8) == 0xF0 ? 2 : 1; }

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

std::string_view TrimSpace(std::string_view s) {
    while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
    return s;
}

// The largest prefix of `text` (in bytes, on a sequence boundary) that is at most `limit` UTF-16
// units long.
std::size_t FittingPrefix(std::string_view text, std::size_t limit) {
    std::size_t bytes = 0;
    std::size_t units = 0;
    while (bytes < text.size()) {
        const auto lead = static_cast<unsigned char>(text[bytes]);
        const std::size_t len = std::min(SequenceLength(lead), text.size() - bytes);
        const std::size_t u = Utf16Units(lead);
        if (units + u > limit) break;
        units += u;
        bytes += len;
    }
    return bytes;
}

// Where to cut a window of `fit` bytes: after the last paragraph break, line break or space in its
// second half; `fit` itself if there is none.
std::size_t CutPoint(std::string_view text, std::size_t fit) {
    const std::string_view window = text.substr(0, fit);
    const std::size_t half = fit / 2;
    for (std::string_view sep : {std::string_view("\n\n"), std::string_view("\n"), std::string_view(" ")}) {
        const std::size_t at = window.rfind(sep);
        if (at != std::string_view::npos && at >= half && at > 0) return at + sep.size();
    }
    return fit;
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::size_t Utf16Length(std::string_view utf8) {
    std::size_t units = 0;
    for (std::size_t i = 0; i < utf8.size();) {
        const auto lead = static_cast<unsigned char>(utf8[i]);
        units += Utf16Units(lead);
        i += std::min(SequenceLength(lead), utf8.size() - i);
    }
    return units;
}

std::vector<std::string> SplitText(std::string_view text, const SplitOptions& options) {
    std::vector<std::string> parts;
    std::string_view rest = TrimSpace(text);
    const std::size_t max_parts = std::max<std::size_t>(options.max_parts, 1);
    while (!rest.empty()) {
        const std::size_t limit =
            parts.empty() ? options.max_chars - std::min(options.first_reserved, options.max_chars - 1)
                          : options.max_chars;
        const bool last_allowed = parts.size() + 1 == max_parts;
        if (Utf16Length(rest) <= limit) {
            parts.emplace_back(rest);
            break;
        }
        if (last_allowed) {
            // Too long for the parts allowed: end this one early, marked as cut.
            const std::size_t fit = FittingPrefix(rest, limit - Utf16Length(kEllipsis));
            parts.emplace_back(std::string(TrimSpace(rest.substr(0, CutPoint(rest, fit)))) +
                               std::string(kEllipsis));
            break;
        }
        const std::size_t fit = FittingPrefix(rest, limit);
        std::size_t cut = CutPoint(rest, fit);
        // A limit narrower than one character (2 units for an emoji) still makes progress.
        if (cut == 0) cut = std::min(SequenceLength(static_cast<unsigned char>(rest.front())), rest.size());
        parts.emplace_back(TrimSpace(rest.substr(0, cut)));
        rest = TrimSpace(rest.substr(cut));
    }
    return parts;
}

std::vector<std::string> RenderReply(const chat::v1::OutboundMessage& reply, std::size_t max_parts) {
    std::string prefix_plain;
    std::string prefix_html;
    if (reply.responder() == chat::v1::RESPONDER_OPERATOR) {
        const std::string name = reply.operator_name().empty() ? "Operator" : reply.operator_name();
        prefix_plain = name + ": ";
        prefix_html = "<b>" + EscapeHtml(name) + "</b>: ";
    }
    SplitOptions options;
    options.max_parts = max_parts;
    options.first_reserved = Utf16Length(prefix_plain);
    std::vector<std::string> parts = SplitText(reply.text(), options);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        parts[i] = (i == 0 ? prefix_html : std::string()) + EscapeHtml(parts[i]);
    }
    return parts;
}

}  // namespace switchboard::gateway_telegram
