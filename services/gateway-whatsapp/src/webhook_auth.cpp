#include "webhook_auth.hpp"

#include <cctype>

#include "switchboard/channel/secrets.hpp"

namespace switchboard::gateway_whatsapp {

const char* ToString(SignatureCheck check) {
    switch (check) {
        case SignatureCheck::kValid:
            return "valid";
        case SignatureCheck::kMissing:
            return "missing";
        case SignatureCheck::kMalformed:
            return "malformed";
        case SignatureCheck::kMismatch:
            return "mismatch";
    }
    return "unknown";
}

SignatureCheck CheckSignature(std::optional<std::string_view> header, std::string_view raw_body,
                              std::string_view app_secret) {
    if (!header) return SignatureCheck::kMissing;
    constexpr std::string_view kPrefix = "sha256=";
    if (header->size() != kPrefix.size() + 64 || header->substr(0, kPrefix.size()) != kPrefix) {
        return SignatureCheck::kMalformed;
    }
    std::string given(header->substr(kPrefix.size()));
    for (char& c : given) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) return SignatureCheck::kMalformed;
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const std::string expected = channel::HmacSha256Hex(app_secret, raw_body);
    return channel::ConstantTimeEquals(given, expected) ? SignatureCheck::kValid : SignatureCheck::kMismatch;
}

std::optional<std::string> VerifySubscription(const std::map<std::string, std::string>& query,
                                              std::string_view verify_token) {
    auto get = [&query](const char* key) -> std::string_view {
        auto it = query.find(key);
        return it == query.end() ? std::string_view{} : std::string_view(it->second);
    };
    const std::string_view token = get("hub.verify_token");
    const std::string_view challenge = get("hub.challenge");
    // An unset verify token never matches: an empty configured token would accept anyone.
    const bool token_ok = !verify_token.empty() && channel::ConstantTimeEquals(token, verify_token);
    if (get("hub.mode") != "subscribe" || !token_ok || challenge.empty()) return std::nullopt;
    return std::string(challenge);
}

}  // namespace switchboard::gateway_whatsapp
