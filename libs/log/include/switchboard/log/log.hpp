#pragma once

#include <string>
#include <string_view>

namespace switchboard::log {

// Configures spdlog's default logger to write one JSON object per line to stderr:
//   {"ts":"2026-01-01T00:00:00.000Z","level":"info","service":"assistant","msg":"..."}
// Call once from main() before any thread starts. Afterwards use spdlog::info(...) etc.
// `level` is one of trace, debug, info, warn, error; anything else throws std::invalid_argument.
void Init(std::string_view service, std::string_view level);

// `s` escaped for use inside a JSON string (no surrounding quotes).
std::string JsonEscape(std::string_view s);

}  // namespace switchboard::log
