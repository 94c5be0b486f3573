#pragma once

#include <string>
#include <string_view>

namespace switchboard {

// Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF, no truncated sequence.
bool IsValidUtf8(std::string_view text);

// Appends `cp` encoded as UTF-8; a surrogate or a value past U+10FFFF becomes U+FFFD.
void AppendUtf8(std::string& out, char32_t cp);

}  // namespace switchboard
