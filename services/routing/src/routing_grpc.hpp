#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "inbox_hub.hpp"
#include "router.hpp"
#include "switchboard/core/clock.hpp"
#include "switchboard/routing/v1/routing.grpc.pb.h"

namespace switchboard::routing {

// gRPC RoutingService for the operators' inbox (proto/switchboard/routing/v1/routing.proto): an
// adapter that authenticates the caller, validates the request, calls the Router and maps its
// outcome to a status code. Logic lives in the Router.
//
// Every call must carry "authorization: Bearer <token>" (operator_token.hpp), else
// UNAUTHENTICATED; an operator_id field naming someone other than the token's operator is
// PERMISSION_DENIED (an empty one means "me"). Bad input is INVALID_ARGUMENT with a message naming
// the field. Redis/Kafka trouble is UNAVAILABLE (retry). Router::ActionError maps as ToGrpc says.
//
// StreamAssignments holds one gRPC sync-server thread per open stream for as long as it is open;
// the hub caps how many may be open. It ends when the client cancels, or, with UNAVAILABLE, when the
// hub shuts down (call InboxHub::Shutdown() before grpc::Server::Shutdown() so that does not wait
// for the drain deadline).
//
// Thread-safety: every RPC may run concurrently. Lifetime: the Router, hub and clock outlive it.
class RoutingGrpc final : public v1::RoutingService::Service {
public:
    struct Options {
        std::string token_secret;
        // How often an idle stream checks whether its client went away (the sync API has no
        // cancellation callback).
        std::chrono::milliseconds stream_poll{500};
    };

    RoutingGrpc(Router& router, InboxHub& hub, const Clock& clock, Options options);

    grpc::Status SetStatus(grpc::ServerContext*, const v1::SetStatusRequest*,
                           v1::SetStatusResponse*) override;
    grpc::Status Reply(grpc::ServerContext*, const v1::ReplyRequest*, v1::ReplyResponse*) override;
    grpc::Status Resolve(grpc::ServerContext*, const v1::ResolveRequest*, v1::ResolveResponse*) override;
    grpc::Status GetConversation(grpc::ServerContext*, const v1::GetConversationRequest*,
                                 v1::Conversation*) override;
    grpc::Status Heartbeat(grpc::ServerContext*, const v1::HeartbeatRequest*,
                           v1::HeartbeatResponse*) override;
    grpc::Status StreamAssignments(grpc::ServerContext*, const v1::StreamAssignmentsRequest*,
                                   grpc::ServerWriter<v1::InboxEvent>*) override;
    grpc::Status Accept(grpc::ServerContext*, const v1::AcceptRequest*, v1::AcceptResponse*) override;
    grpc::Status Decline(grpc::ServerContext*, const v1::DeclineRequest*, v1::DeclineResponse*) override;
    grpc::Status Transfer(grpc::ServerContext*, const v1::TransferRequest*, v1::TransferResponse*) override;
    grpc::Status ListQueue(grpc::ServerContext*, const v1::ListQueueRequest*,
                           v1::ListQueueResponse*) override;

private:
    // The caller's operator id, or the status to return. `claimed` is the request's operator_id.
    grpc::Status Authenticate(const grpc::ServerContext& ctx, const std::string& claimed,
                              OperatorId& op) const;

    Router& router_;
    InboxHub& hub_;
    const Clock& clock_;
    const Options options_;
};

// Router::ActionError → gRPC status (exposed for tests):
//   kNone → OK; kInvalid → INVALID_ARGUMENT; kNotAssigned, kNotOffered → FAILED_PRECONDITION;
//   kOtherOperator → PERMISSION_DENIED; kUnavailable → UNAVAILABLE;
//   kExpired → FAILED_PRECONDITION (not DEADLINE_EXCEEDED: that code means the call's own deadline
//   passed and clients treat it as worth retrying, while an expired offer never comes back).
grpc::Status ToGrpc(Router::ActionError error, const std::string& message);

// Normalizes and checks a skills list: each value lower-cased, [a-z0-9._-]{1,64}, at most 32,
// duplicates dropped. nullopt if invalid; `field` names it in `error`.
std::optional<std::vector<std::string>> NormalizeSkillValues(
    const google::protobuf::RepeatedPtrField<std::string>& in, const std::string& field, std::string& error);

}  // namespace switchboard::routing
