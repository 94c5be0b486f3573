#pragma once

#include <memory>

namespace grpc {
class ServerBuilder;
}
namespace prometheus {
class Registry;
}

namespace switchboard::runtime {

// Registers a server interceptor that exports, for every RPC the server handles,
// switchboard_grpc_request_seconds{method="/pkg.Service/Method", code="OK|NOT_FOUND|…"}: from the
// call's start to the status being sent (streams: their whole life). Call before BuildAndStart.
void InstrumentGrpc(grpc::ServerBuilder& builder, prometheus::Registry& registry);

}  // namespace switchboard::runtime
