#pragma once

#include <string>
#include <string_view>

#include "switchboard/core/error.hpp"

namespace switchboard::channel {

// A secret (bot token, app secret, SMTP password) from the environment variable `env_name`, or
// else from the file named by `env_name`_FILE (trailing newline trimmed; a Kubernetes Secret
// mounted as a file). Never logged: errors name the variable, not the value.
Result<std::string> ReadSecret(const std::string& env_name);

// ReadSecret for a start-up step: throws std::runtime_error with ReadSecret's message if the secret
// is missing or empty (composition roots wrap it in runtime::OrExit).
std::string RequireSecret(const std::string& env_name);

// Equality that takes the same time wherever the first difference is (for tokens, signatures).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// HMAC-SHA256 of `data` with `key`, as lower-case hex (64 characters).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace switchboard::channel
