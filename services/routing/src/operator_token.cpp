#include "operator_token.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <iostream>
#include <limits>

#include "switchboard/channel/secrets.hpp"
#include "switchboard/core/ids.hpp"

namespace switchboard::routing {

namespace {

// 128 (id) + 1 + 12 (expiry) + 1 + 64 (signature), rounded up: anything longer is not ours.
constexpr std::size_t kMaxTokenBytes = 256;
constexpr std::size_t kSignatureHexChars = 64;
constexpr std::size_t kMaxExpiryDigits = 12;

bool IsLowerHex(std::string_view s) {
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

std::int64_t UnixSeconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string SignedPart(std::string_view op, std::string_view expiry) {
    std::string s;
    s.reserve(op.size() + 1 + expiry.size());
    s.append(op).append(".").append(expiry);
    return s;
}

}  // namespace

std::string_view TokenProblemName(TokenProblem problem) {
    switch (problem) {
        case TokenProblem::kNone:
            return "ok";
        case TokenProblem::kMalformed:
            return "malformed";
        case TokenProblem::kBadSignature:
            return "bad_signature";
        case TokenProblem::kExpired:
            return "expired";
    }
    return "malformed";
}

std::string MintOperatorToken(std::string_view secret, const OperatorId& op,
                              std::chrono::system_clock::time_point expires_at) {
    const std::string payload = SignedPart(op.str(), std::to_string(UnixSeconds(expires_at)));
    return payload + "." + channel::HmacSha256Hex(secret, payload);
}

TokenCheck VerifyOperatorToken(std::string_view secret, std::string_view token,
                               std::chrono::system_clock::time_point now) {
    TokenCheck check;
    if (secret.empty() || token.size() > kMaxTokenBytes) return check;
    const std::size_t sig_dot = token.rfind('.');
    if (sig_dot == std::string_view::npos || sig_dot == 0) return check;
    const std::size_t exp_dot = token.rfind('.', sig_dot - 1);
    if (exp_dot == std::string_view::npos) return check;
    const std::string_view op = token.substr(0, exp_dot);
    const std::string_view expiry = token.substr(exp_dot + 1, sig_dot - exp_dot - 1);
    const std::string_view signature = token.substr(sig_dot + 1);
    if (!IsValidExternalId(op) || expiry.empty() || expiry.size() > kMaxExpiryDigits ||
        signature.size() != kSignatureHexChars || !IsLowerHex(signature)) {
        return check;
    }
    std::int64_t expiry_s = 0;
    const auto [end, ec] = std::from_chars(expiry.data(), expiry.data() + expiry.size(), expiry_s);
    if (ec != std::errc() || end != expiry.data() + expiry.size() || expiry_s < 0) return check;
    // Only the canonical spelling is signed ("0042" is not "42"), so one token has one form.
    if (expiry.size() > 1 && expiry.front() == '0') return check;

    if (!channel::ConstantTimeEquals(channel::HmacSha256Hex(secret, SignedPart(op, expiry)), signature)) {
        check.problem = TokenProblem::kBadSignature;
        return check;
    }
    check.expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(expiry_s));
    if (UnixSeconds(now) >= expiry_s) {
        check.problem = TokenProblem::kExpired;
        return check;
    }
    check.problem = TokenProblem::kNone;
    check.op = OperatorId(std::string(op));
    return check;
}

std::optional<std::chrono::seconds> ParseTokenTtl(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::int64_t unit = 1;
    switch (text.back()) {
        case 'd':
            unit = 86400;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'm':
            unit = 60;
            break;
        case 's':
            unit = 1;
            break;
        default:
            unit = 0;
            break;
    }
    const std::string_view digits = unit == 0 ? text : text.substr(0, text.size() - 1);
    if (unit == 0) unit = 1;
    if (digits.empty() || digits.size() > 10) return std::nullopt;
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size() || n <= 0) return std::nullopt;
    constexpr std::int64_t kTenYears = 10LL * 366 * 86400;
    if (n > kTenYears / unit) return std::nullopt;
    return std::chrono::seconds(n * unit);
}

int RunTokenCommand(int argc, char** argv) {
    CLI::App app(
        std::string("Prints a bearer token for one operator of the RoutingService, signed with the secret "
                    "from ") +
            kTokenSecretEnv + " (or the file named by " + kTokenSecretEnv +
            "_FILE). The inbox sends it as \"authorization: Bearer <token>\".",
        "routing token");
    std::string op;
    std::string ttl_text = "30d";
    app.add_option("--operator", op, "operator id ([A-Za-z0-9._:-], 1-128 characters)")->required();
    app.add_option("--ttl", ttl_text, "lifetime: <n>d, <n>h, <n>m, <n>s or seconds (at most 10 years)")
        ->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (!IsValidExternalId(op)) {
        std::cerr << "routing token: --operator must be 1-128 characters of [A-Za-z0-9._:-]\n";
        return 2;
    }
    const auto ttl = ParseTokenTtl(ttl_text);
    if (!ttl) {
        std::cerr << "routing token: --ttl must look like 30d, 12h, 15m, 90s or 3600 (at most 10 years)\n";
        return 2;
    }
    auto secret = channel::ReadSecret(kTokenSecretEnv);
    if (!secret) {
        std::cerr << "routing token: " << secret.error().message << "\n";
        return 2;
    }
    if (secret->size() < kMinTokenSecretBytes) {
        std::cerr << "routing token: the secret in " << kTokenSecretEnv << " must be at least "
                  << kMinTokenSecretBytes << " bytes\n";
        return 2;
    }
    const auto expires = std::chrono::system_clock::now() + *ttl;
    std::cout << MintOperatorToken(*secret, OperatorId(op), expires) << "\n";
    std::cerr << "token for operator " << op << ", expires at Unix time " << UnixSeconds(expires) << "\n";
    return 0;
}

}  // namespace switchboard::routing
