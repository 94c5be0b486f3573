#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/chat/v1/messages.pb.h"

namespace switchboard::gateway_telegram {

// Telegram counts a message's length after entity parsing, in UTF-16 code units; the limit is 4096.
inline constexpr std::size_t kMaxMessageChars = 4096;

// Escapes text for parse_mode "HTML": & < > become &amp; &lt; &gt; (and " becomes &quot;, harmless
// outside tags). Pure.
std::string EscapeHtml(std::string_view text);

// Length in UTF-16 code units of UTF-8 text (a character outside the BMP, e.g. an emoji, counts 2).
// Malformed bytes count 1 each. Pure.
std::size_t Utf16Length(std::string_view utf8);

struct SplitOptions {
    std::size_t max_chars = kMaxMessageChars;  // per piece, in UTF-16 code units
    std::size_t max_parts = 4;                 // more text than fits is truncated, ending in "…"
    std::size_t first_reserved = 0;            // chars the first piece leaves free (a name prefix)
};

// Cuts plain text into pieces that each fit a message: at the last paragraph break, else line
// break, else space in the second half of the window, else hard (never inside a UTF-8 sequence).
// Whitespace at the cuts is dropped. If the text needs more than max_parts pieces, the last piece
// is cut shorter and ends with "…". Empty (or all-whitespace) text gives no pieces. Pure.
std::vector<std::string> SplitText(std::string_view text, const SplitOptions& options);

// The HTML texts to send for one reply, in order: the reply's text split as above and escaped;
// an operator's reply starts with their name in bold ("<b>Anna</b>: …"). Pure.
std::vector<std::string> RenderReply(const chat::v1::OutboundMessage& reply, std::size_t max_parts);

}  // namespace switchboard::gateway_telegram
