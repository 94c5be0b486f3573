// gateway-web WebSocket frames from the widget → ParseSocketInput, and the resume cursor of the
// upgrade's query → ParseResumeCursor (services/gateway-web/src/socket_protocol.*).
#include <cstdint>
#include <map>
#include <string>

#include "fuzz_check.hpp"
#include "socket_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace web = switchboard::gateway_web;
    const auto text = switchboard::fuzz::AsText(data, size);
    const auto in = web::ParseSocketInput(text);  // documented: never throws
    if (in.kind == web::SocketInputKind::kInvalid) {
        FUZZ_CHECK(in.reason == "too_large" || in.reason == "invalid_json" || in.reason == "unknown_type",
                   "an ignored frame is counted by one of the documented reasons");
    }
    if (size > web::kMaxSocketInputBytes) {
        FUZZ_CHECK(in.kind == web::SocketInputKind::kInvalid, "an oversized frame is never acted on");
    }
    // The same bytes as the `after` query parameter.
    const auto cursor = web::ParseResumeCursor({{"after", std::string(text)}});
    FUZZ_CHECK(cursor.requested, "after= given means a resume was requested");
    if (!cursor.valid) FUZZ_CHECK(cursor.after == 0, "an unreadable cursor is treated as 0");
    return 0;
}
