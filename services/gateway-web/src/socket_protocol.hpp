#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace switchboard::gateway_web {

// What the widget may send on its WebSocket (the socket is otherwise push-only; messages go by
// POST /v1/messages so they are acknowledged once durable):
//   {"type":"typing"}   the customer is typing (the widget throttles; the gateway does too)
//   {"type":"ping"}     keep-alive; answered {"type":"pong"}
// Anything else is ignored and counted by reason: "too_large", "invalid_json", "unknown_type".
enum class SocketInputKind { kTyping, kPing, kInvalid };

struct SocketInput {
    SocketInputKind kind = SocketInputKind::kInvalid;
    std::string reason;  // for kInvalid
};

constexpr std::size_t kMaxSocketInputBytes = 1024;

// Pure; thread-safe; never throws.
SocketInput ParseSocketInput(std::string_view text);

// The resume cursor of a WebSocket upgrade, from its query: `after=<seq>` (decimal, 0 = from the
// start). Without `after` the socket does not resume (live pushes only, the original protocol).
struct ResumeCursor {
    bool requested = false;
    std::uint64_t after = 0;
    bool valid = true;  // false: `after` was not a number; treated as 0 (the client drops repeats)
};
ResumeCursor ParseResumeCursor(const std::map<std::string, std::string>& query);

}  // namespace switchboard::gateway_web
