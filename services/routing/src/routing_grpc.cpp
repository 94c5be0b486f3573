#include "routing_grpc.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "operator_token.hpp"
#include "switchboard/core/ids.hpp"

namespace switchboard::routing {

namespace {

constexpr std::size_t kMaxTextBytes = 4096;
constexpr std::size_t kMaxNameBytes = 128;
constexpr std::size_t kMaxNoteBytes = 4096;
constexpr std::size_t kMaxSkillValues = 32;
constexpr std::size_t kMaxSkillBytes = 64;
constexpr int kMaxCapacity = 100;
constexpr int kDefaultQueueLimit = 100;
constexpr int kMaxQueueLimit = 1000;
constexpr std::string_view kBearer = "bearer ";

grpc::Status Invalid(const std::string& message) { return {grpc::StatusCode::INVALID_ARGUMENT, message}; }

// Redis or Kafka trouble: retryable → UNAVAILABLE (the client retries), else INTERNAL.
grpc::Status FromError(const Error& error) {
    if (error.retryable) return {grpc::StatusCode::UNAVAILABLE, error.message};
    spdlog::error("routing gRPC: {}", error.message);
    return {grpc::StatusCode::INTERNAL, "internal error"};
}

grpc::Status CheckId(const std::string& field, const std::string& value) {
    if (IsValidExternalId(value)) return grpc::Status::OK;
    return Invalid(field + " must be 1-128 characters of [A-Za-z0-9._:-]");
}

google::protobuf::Timestamp Ts(conversation::Millis ms) {
    return events::ToTimestamp(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

v1::ConversationState ToProto(conversation::State state) {
    switch (state) {
        case conversation::State::kBot:
            return v1::CONVERSATION_STATE_BOT;
        case conversation::State::kQueued:
            return v1::CONVERSATION_STATE_QUEUED;
        case conversation::State::kOffered:
            return v1::CONVERSATION_STATE_OFFERED;
        case conversation::State::kAssigned:
            return v1::CONVERSATION_STATE_ASSIGNED;
        case conversation::State::kResolved:
            return v1::CONVERSATION_STATE_RESOLVED;
        case conversation::State::kNone:
            break;
    }
    return v1::CONVERSATION_STATE_UNSPECIFIED;
}

events::Channel ChannelOf(const std::string& name) {
    return events::ParseChannel(name).value_or(switchboard::common::v1::CHANNEL_UNSPECIFIED);
}

bool IsKnownChannel(const std::string& name) {
    auto c = events::ParseChannel(name);
    return c && *c != switchboard::common::v1::CHANNEL_UNSPECIFIED;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsSkillChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

}  // namespace

grpc::Status ToGrpc(Router::ActionError error, const std::string& message) {
    switch (error) {
        case Router::ActionError::kNone:
            return grpc::Status::OK;
        case Router::ActionError::kInvalid:
            return {grpc::StatusCode::INVALID_ARGUMENT, message};
        case Router::ActionError::kNotAssigned:
        case Router::ActionError::kNotOffered:
        case Router::ActionError::kExpired:
            return {grpc::StatusCode::FAILED_PRECONDITION, message};
        case Router::ActionError::kOtherOperator:
            return {grpc::StatusCode::PERMISSION_DENIED, message};
        case Router::ActionError::kUnavailable:
            return {grpc::StatusCode::UNAVAILABLE, message};
    }
    return {grpc::StatusCode::INTERNAL, message};
}

std::optional<std::vector<std::string>> NormalizeSkillValues(
    const google::protobuf::RepeatedPtrField<std::string>& in, const std::string& field, std::string& error) {
    if (static_cast<std::size_t>(in.size()) > kMaxSkillValues) {
        error = field + ": at most 32 values";
        return std::nullopt;
    }
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const std::string& raw : in) {
        std::string v(raw.size(), '\0');
        std::transform(raw.begin(), raw.end(), v.begin(), Lower);
        if (v.empty() || v.size() > kMaxSkillBytes || !std::all_of(v.begin(), v.end(), IsSkillChar)) {
            error = field + ": each value must be 1-64 characters of [a-z0-9._-] (got \"" +
                    raw.substr(0, kMaxSkillBytes) + "\")";
            return std::nullopt;
        }
        if (seen.insert(v).second) out.push_back(std::move(v));
    }
    return out;
}

RoutingGrpc::RoutingGrpc(Router& router, InboxHub& hub, const Clock& clock, Options options)
    : router_(router), hub_(hub), clock_(clock), options_(std::move(options)) {}

grpc::Status RoutingGrpc::Authenticate(const grpc::ServerContext& ctx, const std::string& claimed,
                                       OperatorId& op) const {
    const auto& md = ctx.client_metadata();
    const auto it = md.find("authorization");
    if (it == md.end()) {
        return {grpc::StatusCode::UNAUTHENTICATED,
                "missing \"authorization: Bearer <token>\" metadata (tokens come from `routing token`)"};
    }
    const std::string_view value(it->second.data(), it->second.size());
    std::string scheme(value.substr(0, std::min(value.size(), kBearer.size())));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), Lower);
    if (scheme != kBearer) {
        return {grpc::StatusCode::UNAUTHENTICATED, "authorization metadata must be \"Bearer <token>\""};
    }
    const TokenCheck check =
        VerifyOperatorToken(options_.token_secret, value.substr(kBearer.size()), clock_.Now());
    if (!check.ok()) {
        spdlog::debug("routing gRPC: token refused ({}) from {}", TokenProblemName(check.problem),
                      ctx.peer());
        return {grpc::StatusCode::UNAUTHENTICATED,
                check.problem == TokenProblem::kExpired ? "token expired" : "invalid token"};
    }
    if (!claimed.empty() && claimed != check.op.str()) {
        return {grpc::StatusCode::PERMISSION_DENIED,
                "operator_id \"" + claimed.substr(0, 128) + "\" is not the token's operator"};
    }
    op = check.op;
    return grpc::Status::OK;
}

grpc::Status RoutingGrpc::SetStatus(grpc::ServerContext* ctx, const v1::SetStatusRequest* req,
                                    v1::SetStatusResponse* resp) {
    OperatorId op;
    if (auto s = Authenticate(*ctx, req->operator_id(), op); !s.ok()) return s;
    if (req->display_name().size() > kMaxNameBytes) return Invalid("display_name: at most 128 bytes");
    if (req->capacity() < 0 || req->capacity() > kMaxCapacity) {
        return Invalid("capacity must be between 1 and 100 (0 keeps the current value)");
    }
    conversation::OperatorStatus status;
    switch (req->status()) {
        case v1::OPERATOR_STATUS_ONLINE:
            status = conversation::OperatorStatus::kOnline;
            break;
        case v1::OPERATOR_STATUS_AWAY:
            status = conversation::OperatorStatus::kAway;
            break;
        case v1::OPERATOR_STATUS_OFFLINE:
            status = conversation::OperatorStatus::kOffline;
            break;
        default:
            return Invalid("status must be ONLINE, AWAY or OFFLINE");
    }
    conversation::OperatorProfile profile;
    profile.id = op;
    profile.name = req->display_name();
    profile.capacity = req->capacity();
    if (req->has_skills()) {
        std::string error;
        auto channels = NormalizeSkillValues(req->skills().channels(), "skills.channels", error);
        if (!channels) return Invalid(error);
        for (const auto& c : *channels) {
            if (!IsKnownChannel(c))
                return Invalid("skills.channels: unknown channel \"" + c +
                               "\" (web, telegram, whatsapp, email)");
        }
        auto languages = NormalizeSkillValues(req->skills().languages(), "skills.languages", error);
        if (!languages) return Invalid(error);
        auto topics = NormalizeSkillValues(req->skills().topics(), "skills.topics", error);
        if (!topics) return Invalid(error);
        profile.channels = std::move(*channels);
        profile.languages = std::move(*languages);
        profile.topics = std::move(*topics);
    }
    if (req->has_auto_accept()) profile.auto_accept = req->auto_accept();
    std::set<std::string> capped;
    for (const auto& cap : req->channel_capacity()) {
        std::string channel(cap.channel().size(), '\0');
        std::transform(cap.channel().begin(), cap.channel().end(), channel.begin(), Lower);
        if (!IsKnownChannel(channel)) {
            return Invalid("channel_capacity: unknown channel \"" + cap.channel().substr(0, kMaxSkillBytes) +
                           "\" (web, telegram, whatsapp, email)");
        }
        if (cap.capacity() < 0 || cap.capacity() > kMaxCapacity) {
            return Invalid("channel_capacity: capacity must be between 0 and 100");
        }
        if (!capped.insert(channel).second)
            return Invalid("channel_capacity: channel \"" + channel + "\" given twice");
        profile.channel_capacity.emplace_back(channel, cap.capacity());
    }

    // What the call assigned is what this operator holds after it and did not hold before.
    auto before = router_.Inbox(op);
    if (!before) return FromError(before.error());
    auto ended = router_.SetStatus(profile, status);
    if (!ended) return FromError(ended.error());
    auto after = router_.Inbox(op);
    if (!after) return FromError(after.error());
    const std::set<ConversationId> held_before(before->held.begin(), before->held.end());
    for (const auto& c : after->held) {
        if (!held_before.contains(c)) resp->add_assigned_conversation_ids(c.str());
    }
    return grpc::Status::OK;
}

grpc::Status RoutingGrpc::Reply(grpc::ServerContext* ctx, const v1::ReplyRequest* req,
                                v1::ReplyResponse* resp) {
    OperatorId op;
    if (auto s = Authenticate(*ctx, req->operator_id(), op); !s.ok()) return s;
    if (auto s = CheckId("conversation_id", req->conversation_id()); !s.ok()) return s;
    if (req->text().empty() || req->text().size() > kMaxTextBytes)
        return Invalid("text must be 1-4096 bytes");
    auto r = router_.Reply(op, ConversationId(req->conversation_id()), req->text());
    if (r.error != Router::ActionError::kNone) return ToGrpc(r.error, r.message);
    resp->set_reply_id(r.reply_id);
    return grpc::Status::OK;
}

grpc::Status RoutingGrpc::Resolve(grpc::ServerContext* ctx, const v1::ResolveRequest* req,
                                  v1::ResolveResponse*) {
    OperatorId op;
    if (auto s = Authenticate(*ctx, req->operator_id(), op); !s.ok()) return s;
    if (auto s = CheckId("conversation_id", req->conversation_id()); !s.ok()) return s;
    auto r = router_.Resolve(op, ConversationId(req->conversation_id()));
    return ToGrpc(r.error, r.message);
}

grpc::Status RoutingGrpc::GetConversation(grpc::ServerContext* ctx, const v1::GetConversationRequest* req,
                                          v1::Conversation* resp) {
    OperatorId op;
    if (auto s = Authenticate(*ctx, "", op); !s.ok()) return s;
    if (auto s = CheckId("conversation_id", req->conversation_id()); !s.ok()) return s;
    const ConversationId id(req->conversation_id());
    auto info = router_.Get(id);
    if (!info) return FromError(info.error());
    if (info->state == conversation::State::kNone)
        return {grpc::StatusCode::NOT_FOUND, "no such conversation"};
    // Queued ones are open to every operator so the inbox can preview the queue.
    const bool mine =
        (info->state == conversation::State::kAssigned || info->state == conversation::State::kOffered) &&
        info->operator_id == op;
    if (!mine && info->state != conversation::State::kQueued) {
        return {grpc::StatusCode::PERMISSION_DENIED,
                "only a queued conversation or one held by or offered to you can be read"};
    }
    auto transcript = router_.Transcript(id);
    if (!transcript) return FromError(transcript.error());

    resp->set_conversation_id(id.str());
    resp->set_state(ToProto(info->state));
    resp->set_channel(ChannelOf(info->channel));
    if (mine) resp->set_operator_id(info->operator_id.str());
    resp->set_language(info->language);
    for (const auto& t : info->topics) resp->add_topics(t);
    resp->set_priority(info->priority);
    if (info->queued_at > 0) *resp->mutable_queued_at() = Ts(info->queued_at);
    for (auto& line : *transcript) *resp->add_transcript() = std::move(line);
    resp->set_handoff_reason(info->handoff_reason);
    if (info->state == conversation::State::kOffered && info->offer_deadline > 0) {
        *resp->mutable_offer_deadline() = Ts(info->offer_deadline);
    }
    resp->set_reopened(info->reopened);
    return grpc::Status::OK;
}

grpc::Status RoutingGrpc::Heartbeat(grpc::ServerContext* ctx, const v1::HeartbeatRequest* req,
                                    v1::HeartbeatResponse* resp) {
    OperatorId op;
    if (auto s = Authenticate(*ctx, req->operator_id(), op); !s.ok()) return s;
    auto deadline = router_.Heartbeat(op);
    if (!deadline) return FromError(deadline.error());
    if (!deadline->has_value()) {
        return {grpc::StatusCode::FAILED_PRECONDITION,
                "not online: unknown operator, or set away/offline; call SetStatus(ONLINE) first"};
    }
    *resp->mutable_expires_at() = Ts(**deadline);
    return grpc::Status::OK;
}

grpc::Status RoutingGrpc::StreamAssignments(grpc::ServerContext* ctx, const v1::StreamAssignmentsRequest* req,
                                            grpc::ServerWriter<v1::InboxEvent>* writer) {
    OperatorId op;
    if (auto s = Authenticate(*ctx, req->operator_id(), op); !s.ok()) return s;
    // Registered before the pending state is read, so nothing that happens in between is missed
    // (it may arrive twice instead: events are idempotent by conversation and kind).
    auto stream = hub_.Open(op);
    if (!stream) {
        return {grpc::StatusCode::RESOURCE_EXHAUSTED,
                "too many open inbox streams on this replica (or it is shutting down); retry with backoff"};
    }
    // Opening counts as a heartbeat; an operator who is away still gets their feed.
    if (auto hb = router_.Heartbeat(op); !hb) return FromError(hb.error());
    auto inbox = router_.Inbox(op);
    if (!inbox) return FromError(inbox.error());

    const auto now = events::ToTimestamp(clock_.Now());
    auto pending = [&](const ConversationId& id, conversation::State want, v1::InboxEvent::Kind kind) {
        auto info = router_.Get(id);
        if (!info || info->state != want || info->operator_id != op) return true;  // moved on meanwhile
        v1::InboxEvent e;
        e.set_kind(kind);
        e.set_conversation_id(id.str());
        e.set_channel(ChannelOf(info->channel));
        if (kind == v1::InboxEvent::KIND_OFFERED) *e.mutable_offer_deadline() = Ts(info->offer_deadline);
        *e.mutable_at() = now;
        return writer->Write(e);
    };
    for (const auto& id : inbox->offered) {
        if (!pending(id, conversation::State::kOffered, v1::InboxEvent::KIND_OFFERED))
            return grpc::Status::OK;
    }
    for (const auto& id : inbox->held) {
        if (!pending(id, conversation::State::kAssigned, v1::InboxEvent::KIND_ASSIGNED))
            return grpc::Status::OK;
    }

    v1::InboxEvent event;
    while (!ctx->IsCancelled()) {
        switch (stream->Next(event, options_.stream_poll)) {
            case InboxHub::Stream::Wait::kEvent:
                if (!writer->Write(event)) return grpc::Status::OK;  // the client went away
                break;
            case InboxHub::Stream::Wait::kTimeout:
                break;
            case InboxHub::Stream::Wait::kClosed:
                return {grpc::StatusCode::UNAVAILABLE, "server shutting down; reopen the stream"};
        }
    }
    return grpc::Status::OK;
}

grpc::Status RoutingGrpc::Accept(grpc::ServerContext* ctx, const v1::AcceptRequest* req,
                                 v1::AcceptResponse*) {
    OperatorId op;
    if (auto s = Authenticate(*ctx, req->operator_id(), op); !s.ok()) return s;
    if (auto s = CheckId("conversation_id", req->conversation_id()); !s.ok()) return s;
    auto r = router_.Accept(op, ConversationId(req->conversation_id()));
    return ToGrpc(r.error, r.message);
}

grpc::Status RoutingGrpc::Decline(grpc::ServerContext* ctx, const v1::DeclineRequest* req,
                                  v1::DeclineResponse*) {
    OperatorId op;
    if (auto s = Authenticate(*ctx, req->operator_id(), op); !s.ok()) return s;
    if (auto s = CheckId("conversation_id", req->conversation_id()); !s.ok()) return s;
    auto r = router_.Decline(op, ConversationId(req->conversation_id()));
    return ToGrpc(r.error, r.message);
}

grpc::Status RoutingGrpc::Transfer(grpc::ServerContext* ctx, const v1::TransferRequest* req,
                                   v1::TransferResponse*) {
    OperatorId op;
    if (auto s = Authenticate(*ctx, req->operator_id(), op); !s.ok()) return s;
    if (auto s = CheckId("conversation_id", req->conversation_id()); !s.ok()) return s;
    if (req->note().size() > kMaxNoteBytes) return Invalid("note: at most 4096 bytes");
    conversation::Store::TransferTarget to;
    switch (req->target_case()) {
        case v1::TransferRequest::kToOperatorId:
            if (auto s = CheckId("to_operator_id", req->to_operator_id()); !s.ok()) return s;
            if (req->to_operator_id() == op.str())
                return Invalid("to_operator_id: cannot transfer to yourself");
            to.to_operator = OperatorId(req->to_operator_id());
            break;
        case v1::TransferRequest::kToSkills: {
            // A skill queue is defined by topics; channel and language follow the conversation.
            if (!req->to_skills().channels().empty() || !req->to_skills().languages().empty()) {
                return Invalid(
                    "to_skills: only topics can be required (channel and language are the conversation's)");
            }
            std::string error;
            auto topics = NormalizeSkillValues(req->to_skills().topics(), "to_skills.topics", error);
            if (!topics) return Invalid(error);
            to.to_topics = std::move(*topics);
            break;
        }
        case v1::TransferRequest::TARGET_NOT_SET:
            return Invalid("set exactly one of to_operator_id and to_skills");
    }
    auto r = router_.Transfer(op, ConversationId(req->conversation_id()), to, req->note());
    return ToGrpc(r.error, r.message);
}

grpc::Status RoutingGrpc::ListQueue(grpc::ServerContext* ctx, const v1::ListQueueRequest* req,
                                    v1::ListQueueResponse* resp) {
    OperatorId op;
    if (auto s = Authenticate(*ctx, "", op); !s.ok()) return s;
    if (req->limit() < 0 || req->limit() > kMaxQueueLimit) return Invalid("limit must be 1-1000 (0 = 100)");
    const int limit = req->limit() == 0 ? kDefaultQueueLimit : req->limit();
    auto queue = router_.ListQueue(static_cast<std::size_t>(limit));
    if (!queue) return FromError(queue.error());
    for (const auto& q : *queue) {
        auto* c = resp->add_conversations();
        c->set_conversation_id(q.id.str());
        c->set_channel(ChannelOf(q.info.channel));
        c->set_language(q.info.language);
        for (const auto& t : q.info.topics) c->add_topics(t);
        c->set_priority(q.info.priority);
        if (q.info.queued_at > 0) *c->mutable_queued_at() = Ts(q.info.queued_at);
        c->set_state(ToProto(q.info.state));
        if (q.info.state == conversation::State::kOffered) c->set_offered_to(q.info.operator_id.str());
    }
    return grpc::Status::OK;
}

}  // namespace switchboard::routing
