// WhatsApp Cloud API webhook: the X-Hub-Signature-256 check, the verification handshake and the
// payload parser (services/gateway-whatsapp/src/webhook_auth.*, webhook_payload.*).
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "fuzz_check.hpp"
#include "webhook_auth.hpp"
#include "webhook_payload.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace wa = switchboard::gateway_whatsapp;
    const auto body = switchboard::fuzz::AsText(data, size);

    auto parsed = wa::ParseWebhook(body);
    if (parsed.ok()) {
        for (const auto& m : parsed->messages) {
            FUZZ_CHECK(!m.id.empty() && !m.from.empty() && !m.type.empty(),
                       "a parsed message has id, from and type (documented)");
        }
        for (const auto& s : parsed->statuses) {
            FUZZ_CHECK(!s.id.empty() && !s.recipient_id.empty() && !s.status.empty(),
                       "a parsed status has id, recipient_id and status (documented)");
        }
    } else {
        FUZZ_CHECK(!parsed.error().retryable, "a bad webhook body is a non-retryable error");
    }

    // The signature header is attacker-controlled too: use the first line of the input as the
    // header, the whole input as the body.
    const auto nl = body.find('\n');
    const auto header = body.substr(0, nl == std::string_view::npos ? std::min<size_t>(body.size(), 80) : nl);
    const auto check = wa::CheckSignature(header, body, "app-secret");
    FUZZ_CHECK(check != wa::SignatureCheck::kValid, "a forged signature is never valid");
    FUZZ_CHECK(wa::CheckSignature(std::nullopt, body, "app-secret") == wa::SignatureCheck::kMissing,
               "no header is kMissing");
    (void)wa::ToString(check);

    // hub.* query of the subscription handshake, split from the input at NUL bytes.
    std::map<std::string, std::string> query;
    const char* keys[] = {"hub.mode", "hub.verify_token", "hub.challenge"};
    size_t pos = 0;
    for (const char* key : keys) {
        const auto end = body.find('\0', pos);
        query[key] = std::string(body.substr(pos, end == std::string_view::npos ? body.size() - pos : end - pos));
        if (end == std::string_view::npos) break;
        pos = end + 1;
    }
    const auto challenge = wa::VerifySubscription(query, "verify-token");
    if (challenge) {
        FUZZ_CHECK(query["hub.mode"] == "subscribe" && query["hub.verify_token"] == "verify-token",
                   "the handshake is answered only for mode=subscribe and the right token");
    }
    return 0;
}
