#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::gateway_whatsapp {

// Checks of Meta's webhook requests. Pure functions; thread-safe.

enum class SignatureCheck {
    kValid,
    kMissing,    // no X-Hub-Signature-256 header
    kMalformed,  // not "sha256=<64 hex digits>"
    kMismatch,   // forged, or signed with another app secret
};
const char* ToString(SignatureCheck check);

// X-Hub-Signature-256 is "sha256=" + hex HMAC-SHA256 of the raw body keyed with the app secret.
// Compared in constant time; hex digits are accepted in either case.
SignatureCheck CheckSignature(std::optional<std::string_view> header, std::string_view raw_body,
                              std::string_view app_secret);

// The subscription handshake Meta sends when the callback URL is configured:
// GET ?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<challenge>. The challenge to
// echo back if the mode is "subscribe" and the token equals `verify_token` (constant time);
// std::nullopt otherwise (answer 403).
std::optional<std::string> VerifySubscription(const std::map<std::string, std::string>& query,
                                              std::string_view verify_token);

}  // namespace switchboard::gateway_whatsapp
