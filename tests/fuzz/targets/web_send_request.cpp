// gateway-web POST /v1/messages body → ParseSendRequest (services/gateway-web/src/send_request.*).
#include <cstdint>

#include "fuzz_check.hpp"
#include "send_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace web = switchboard::gateway_web;
    namespace fz = switchboard::fuzz;
    const auto body = fz::AsText(data, size);
    const auto out = web::ParseSendRequest(body);
    if (out.ok) {
        const auto& r = out.request;
        FUZZ_CHECK(!r.conversation_id.empty(), "an accepted request has a conversation id");
        FUZZ_CHECK(!r.text.empty() && r.text.size() <= web::kMaxTextBytes, "accepted text is 1..kMaxTextBytes");
        FUZZ_CHECK(fz::IsUtf8OrExplain(r.text, "r.text"), "accepted text is valid UTF-8");
        FUZZ_CHECK(fz::IsUtf8OrExplain(r.customer_name, "r.customer_name") && fz::IsUtf8OrExplain(r.customer_id, "r.customer_id") && fz::IsUtf8OrExplain(r.language, "r.language"),
                   "accepted customer fields are valid UTF-8 (they end up in protobuf strings)");
    } else {
        FUZZ_CHECK(out.rejection.status == 400 || out.rejection.status == 413, "a rejection is 400 or 413");
        FUZZ_CHECK(!out.rejection.code.empty(), "a rejection has a code");
    }
    FUZZ_CHECK(web::IsValidUtf8(body) == fz::IsUtf8(body), "IsValidUtf8 agrees with a reference decoder");
    return 0;
}
