#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "switchboard/core/strong_id.hpp"

namespace switchboard::routing {

// Operator bearer tokens for the RoutingService:
//
//   <operator id>.<expiry, Unix seconds>.<hex HMAC-SHA256(secret, "<operator id>.<expiry>")>
//
// Operator ids may contain dots ([A-Za-z0-9._:-]{1,128}), so a token is split from the right.
// Stateless: any replica holding the secret verifies any token; rotating the secret revokes all of
// them. Free functions; thread-safe.

// Why a token was refused. The reasons are for logs and metrics; callers should not tell a client
// more than "invalid token".
enum class TokenProblem { kNone, kMalformed, kBadSignature, kExpired };
std::string_view TokenProblemName(TokenProblem problem);

struct TokenCheck {
    TokenProblem problem = TokenProblem::kMalformed;
    OperatorId op;  // set when problem == kNone
    std::chrono::system_clock::time_point expires_at{};

    bool ok() const { return problem == TokenProblem::kNone; }
};

// Secrets shorter than this are refused at start-up (and by `routing token`): a token is only as
// strong as the secret it is signed with.
inline constexpr std::size_t kMinTokenSecretBytes = 16;

// A token for `op` valid until `expires_at` (truncated to whole seconds). `op` must be a valid
// external id (IsValidExternalId); the secret must be non-empty.
std::string MintOperatorToken(std::string_view secret, const OperatorId& op,
                              std::chrono::system_clock::time_point expires_at);

// Checks a token's form, then its signature (constant-time), then its expiry against `now`
// (a token is valid while now < expiry).
TokenCheck VerifyOperatorToken(std::string_view secret, std::string_view token,
                               std::chrono::system_clock::time_point now);

// A lifetime such as "30d", "12h", "15m", "90s" or "3600" (seconds); nullopt if malformed,
// zero or longer than 10 years.
std::optional<std::chrono::seconds> ParseTokenTtl(std::string_view text);

// `routing token --operator ID [--ttl 30d]`: prints a token signed with the secret from
// SWITCHBOARD_ROUTING_TOKEN_SECRET (or the file named by SWITCHBOARD_ROUTING_TOKEN_SECRET_FILE).
// `argv[0]` is "token". Returns the process exit code.
int RunTokenCommand(int argc, char** argv);

// The environment variable holding the token secret (or, with _FILE, naming a file holding it).
inline constexpr const char* kTokenSecretEnv = "SWITCHBOARD_ROUTING_TOKEN_SECRET";

}  // namespace switchboard::routing
