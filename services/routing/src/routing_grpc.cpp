#include "routing_grpc.hpp"

#include "switchboard/core/ids.hpp"

namespace switchboard::routing {

namespace {
constexpr std::size_t kMaxTextBytes = 4096;
constexpr std::size_t kMaxNameBytes = 128;
}  // namespace

grpc::Status ToGrpc(Router::ActionError error, const std::string& message) {
    switch (error) {
        case Router::ActionError::kNone: return grpc::Status::OK;
        case Router::ActionError::kNotAssigned: return {grpc::StatusCode::FAILED_PRECONDITION, message};
        case Router::ActionError::kOtherOperator: return {grpc::StatusCode::PERMISSION_DENIED, message};
        case Router::ActionError::kUnavailable: return {grpc::StatusCode::UNAVAILABLE, message};
    }
    return {grpc::StatusCode::INTERNAL, message};
}

RoutingGrpc::RoutingGrpc(Router& router) : router_(router) {}

grpc::Status RoutingGrpc::SetStatus(grpc::ServerContext*, const v1::SetStatusRequest* req,
                                    v1::SetStatusResponse* resp) {
    if (!IsValidExternalId(req->operator_id())) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "operator_id must be 1-128 characters of [A-Za-z0-9._:-]"};
    }
    if (req->display_name().size() > kMaxNameBytes) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "display_name longer than 128 bytes"};
    }
    if (req->capacity() < 0 || req->capacity() > 100) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "capacity must be between 0 (keep) and 100"};
    }
    conversation::OperatorStatus status;
    switch (req->status()) {
        case v1::OPERATOR_STATUS_ONLINE: status = conversation::OperatorStatus::kOnline; break;
        case v1::OPERATOR_STATUS_AWAY: status = conversation::OperatorStatus::kAway; break;
        case v1::OPERATOR_STATUS_OFFLINE: status = conversation::OperatorStatus::kOffline; break;
        default: return {grpc::StatusCode::INVALID_ARGUMENT, "status must be ONLINE, AWAY or OFFLINE"};
    }
    const std::string name = req->display_name().empty() ? req->operator_id() : req->display_name();
    auto assigned = router_.SetStatus(OperatorId(req->operator_id()), name, status, req->capacity());
    if (!assigned) return {grpc::StatusCode::UNAVAILABLE, assigned.error().message};
    for (const auto& a : *assigned) {
        if (a.op.str() == req->operator_id()) resp->add_assigned_conversation_ids(a.conversation.str());
    }
    return grpc::Status::OK;
}

grpc::Status RoutingGrpc::Reply(grpc::ServerContext*, const v1::ReplyRequest* req, v1::ReplyResponse* resp) {
    if (!IsValidExternalId(req->operator_id()) || !IsValidExternalId(req->conversation_id())) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "operator_id and conversation_id are required"};
    }
    if (req->text().empty() || req->text().size() > kMaxTextBytes) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "text must be 1-4096 bytes"};
    }
    auto r = router_.Reply(OperatorId(req->operator_id()), ConversationId(req->conversation_id()), req->text());
    if (r.error != Router::ActionError::kNone) return ToGrpc(r.error, r.message);
    resp->set_reply_id(r.reply_id);
    return grpc::Status::OK;
}

grpc::Status RoutingGrpc::Resolve(grpc::ServerContext*, const v1::ResolveRequest* req, v1::ResolveResponse*) {
    if (!IsValidExternalId(req->operator_id()) || !IsValidExternalId(req->conversation_id())) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "operator_id and conversation_id are required"};
    }
    auto r = router_.Resolve(OperatorId(req->operator_id()), ConversationId(req->conversation_id()));
    return ToGrpc(r.error, r.message);
}

grpc::Status RoutingGrpc::GetConversation(grpc::ServerContext*, const v1::GetConversationRequest* req,
                                          v1::Conversation* resp) {
    if (!IsValidExternalId(req->conversation_id())) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "conversation_id is required"};
    }
    auto info = router_.Get(ConversationId(req->conversation_id()));
    if (!info) return {grpc::StatusCode::UNAVAILABLE, info.error().message};
    if (info->state == conversation::State::kNone) {
        return {grpc::StatusCode::NOT_FOUND, "no such conversation"};
    }
    resp->set_conversation_id(req->conversation_id());
    switch (info->state) {
        case conversation::State::kBot: resp->set_state(v1::CONVERSATION_STATE_BOT); break;
        case conversation::State::kQueued: resp->set_state(v1::CONVERSATION_STATE_QUEUED); break;
        case conversation::State::kAssigned: resp->set_state(v1::CONVERSATION_STATE_ASSIGNED); break;
        case conversation::State::kResolved: resp->set_state(v1::CONVERSATION_STATE_RESOLVED); break;
        case conversation::State::kNone: break;
    }
    resp->set_channel(events::ParseChannel(info->channel).value_or(switchboard::common::v1::CHANNEL_UNSPECIFIED));
    resp->set_operator_id(info->operator_id.str());
    return grpc::Status::OK;
}

}  // namespace switchboard::routing
