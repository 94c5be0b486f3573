#pragma once

#include "switchboard/core/utf8.hpp"

#include <string>
#include <string_view>
#include <vector>

// Small ASCII/UTF-8 string helpers shared by the e-mail gateway's parsers. Pure functions.
namespace switchboard::gateway_email {

using switchboard::AppendUtf8;   // switchboard/core/utf8.hpp
using switchboard::IsValidUtf8;

std::string AsciiLower(std::string_view s);
std::string AsciiUpper(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
bool EndsWithIgnoreCase(std::string_view s, std::string_view suffix);
// Without leading and trailing ASCII whitespace (space, tab, CR, LF).
std::string_view TrimWhitespace(std::string_view s);
// Lines split on LF, each without its CR; a final empty line after a trailing LF is dropped.
std::vector<std::string_view> SplitLines(std::string_view text);
// True if `s` is valid UTF-8.
// `s` with every byte that does not start a valid UTF-8 sequence replaced by U+FFFD.
std::string ReplaceInvalidUtf8(std::string_view s);

}  // namespace switchboard::gateway_email
