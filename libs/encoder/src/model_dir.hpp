#pragma once

#include <string>

namespace switchboard::encoder {

// $<env_override> if set and not empty, else
// ${SWITCHBOARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard}/models/<name>: where
// tools/encoder/fetch-model and fetch-use-model put their files by default.
std::string ModelDir(const char* env_override, const char* name);

}  // namespace switchboard::encoder
