#pragma once

#include "router.hpp"
#include "switchboard/routing/v1/routing.grpc.pb.h"

namespace switchboard::routing {

// gRPC RoutingService for the operators' inbox: validates requests and maps Router outcomes to
// gRPC status codes. Thread-safe.
class RoutingGrpc final : public switchboard::routing::v1::RoutingService::Service {
public:
    explicit RoutingGrpc(Router& router);

    grpc::Status SetStatus(grpc::ServerContext*, const v1::SetStatusRequest*, v1::SetStatusResponse*) override;
    grpc::Status Reply(grpc::ServerContext*, const v1::ReplyRequest*, v1::ReplyResponse*) override;
    grpc::Status Resolve(grpc::ServerContext*, const v1::ResolveRequest*, v1::ResolveResponse*) override;
    grpc::Status GetConversation(grpc::ServerContext*, const v1::GetConversationRequest*,
                                 v1::Conversation*) override;

private:
    Router& router_;
};

// Maps Router errors to gRPC codes (exposed for tests).
grpc::Status ToGrpc(Router::ActionError error, const std::string& message);

}  // namespace switchboard::routing
