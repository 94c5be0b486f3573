#include "web_gateway.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <ctime>

#include "send_request.hpp"
#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/core/ids.hpp"
#include "switchboard/events/publish.hpp"

namespace switchboard::gateway_web {

namespace chat = switchboard::chat::v1;
using nlohmann::json;

namespace {

std::string Iso8601(Clock::TimePoint t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    std::array<char, 32> buf{};
    const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%S", &tm);
    std::array<char, 8> frac{};
    std::snprintf(frac.data(), frac.size(), ".%03dZ", static_cast<int>(ms % 1000));
    return std::string(buf.data(), n) + frac.data();
}

std::string Marker(chat::Responder responder, const std::string& operator_name) {
    if (responder == chat::RESPONDER_OPERATOR) {
        return "You are talking to " + (operator_name.empty() ? std::string("an operator") : operator_name);
    }
    return "You are talking to the assistant";
}

}  // namespace

WebGateway::WebGateway(kafka::Producer& producer, TranscriptStore& transcripts, ConnectionRegistry& sockets,
                       const events::Naming& naming, const Clock& clock, GatewayProbe& probe)
    : producer_(producer), transcripts_(transcripts), sockets_(sockets), naming_(naming), clock_(clock),
      probe_(probe) {}

void WebGateway::RegisterRoutes(http::Server& server) {
    server.Route("POST", "/v1/messages",
                 [this](http::Request req, http::Respond respond) { PostMessage(std::move(req), std::move(respond)); });
    server.Route("GET", "/v1/conversations/{id}/messages",
                 [this](http::Request req, http::Respond respond) { GetMessages(req, respond); });
    server.Route("GET", "/", [](http::Request, http::Respond respond) {
        http::Response r;
        r.content_type = "text/html; charset=utf-8";
        r.body = WidgetPage();
        respond(std::move(r));
    });
    http::WebSocketHandlers ws;
    ws.on_open = [this](const http::Request& req, std::shared_ptr<http::WebSocketConnection> conn) {
        const std::string& conv = req.params.at("id");
        if (!IsValidExternalId(conv)) {
            probe_.OnRejected("invalid_conversation_id");
            conn->Close();
            return;
        }
        sockets_.Add(conv, conn);
        probe_.SetOpenSockets(static_cast<double>(sockets_.size()));
    };
    ws.on_message = [](const std::shared_ptr<http::WebSocketConnection>&, std::string) {
        // The widget sends messages with POST (acknowledged once durable); socket input is ignored.
    };
    ws.on_close = [this](const std::shared_ptr<http::WebSocketConnection>& conn) {
        sockets_.Remove(conn);
        probe_.SetOpenSockets(static_cast<double>(sockets_.size()));
    };
    server.WebSocket("/v1/conversations/{id}/ws", std::move(ws));
}

void WebGateway::PostMessage(http::Request request, http::Respond respond) {
    ParseOutcome parsed = ParseSendRequest(request.body);
    if (!parsed.ok) {
        probe_.OnRejected(parsed.rejection.code);
        respond(http::Response::JsonError(parsed.rejection.status, parsed.rejection.code, parsed.rejection.message));
        return;
    }
    const SendRequest r = std::move(parsed.request);
    const std::string message_id = r.client_message_id.empty()
                                       ? "m-" + NewUuid()
                                       : DerivedId("m-", "web:" + r.conversation_id + ":" + r.client_message_id);
    if (!r.client_message_id.empty()) {
        auto claimed = transcripts_.ClaimMessageId(r.conversation_id, r.client_message_id);
        if (!claimed) {
            probe_.OnUnavailable();
            respond(http::Response::JsonError(503, "unavailable", "cannot store the message now; retry"));
            return;
        }
        if (!*claimed) {
            probe_.OnDuplicate();
            respond(http::Response::Json(
                200, json{{"conversation_id", r.conversation_id}, {"message_id", message_id}, {"status", "duplicate"}}
                         .dump()));
            return;
        }
    }

    const auto now = clock_.Now();
    chat::InboundMessage m;
    events::FillEnvelope(m.mutable_envelope(), DerivedId("e-", message_id), r.conversation_id,
                         switchboard::common::v1::CHANNEL_WEB, "gateway-web", NewUuid(), now);
    m.set_message_id(message_id);
    m.set_channel_message_id(r.client_message_id);
    m.set_text(r.text);
    *m.mutable_received_at() = events::ToTimestamp(now);
    m.mutable_customer()->set_id(r.customer_id);
    m.mutable_customer()->set_display_name(r.customer_name);
    m.mutable_customer()->set_language(r.language);

    std::string entry = json{{"id", message_id}, {"author", "customer"}, {"text", r.text}, {"at", Iso8601(now)},
                             {"kind", "message"}}
                            .dump();
    producer_.Produce(
        naming_.Inbound(), r.conversation_id, m.SerializeAsString(),
        [this, r, message_id, entry = std::move(entry), respond = std::move(respond)](Status s) {
            if (!s.ok()) {
                spdlog::warn("conversation {}: message not accepted, Kafka: {}", r.conversation_id, s.error().message);
                if (!r.client_message_id.empty()) (void)transcripts_.ReleaseMessageId(r.conversation_id, r.client_message_id);
                probe_.OnUnavailable();
                respond(http::Response::JsonError(503, "unavailable", "cannot store the message now; retry"));
                return;
            }
            if (Status a = transcripts_.Append(r.conversation_id, entry); !a.ok()) {
                // The message is accepted (it is in Kafka); only the history view misses it.
                spdlog::error("conversation {}: transcript append failed: {}", r.conversation_id, a.error().message);
            }
            probe_.OnAccepted();
            respond(http::Response::Json(
                202, json{{"conversation_id", r.conversation_id}, {"message_id", message_id}, {"status", "accepted"}}
                         .dump()));
        });
}

void WebGateway::GetMessages(const http::Request& request, const http::Respond& respond) {
    const std::string& conv = request.params.at("id");
    if (!IsValidExternalId(conv)) {
        probe_.OnRejected("invalid_conversation_id");
        respond(http::Response::JsonError(400, "invalid_conversation_id",
                                          "conversation id must be 1-128 characters of [A-Za-z0-9._:-]"));
        return;
    }
    auto entries = transcripts_.List(conv);
    if (!entries) {
        probe_.OnUnavailable();
        respond(http::Response::JsonError(503, "unavailable", "cannot read the conversation now; retry"));
        return;
    }
    std::string body = "{\"conversation_id\":" + json(conv).dump() + ",\"messages\":[";
    for (std::size_t i = 0; i < entries->size(); ++i) {
        if (i > 0) body += ",";
        body += (*entries)[i];  // stored as JSON objects
    }
    body += "]}";
    respond(http::Response::Json(200, std::move(body)));
}

void WebGateway::OnLive(const std::string& message) {
    std::string conv;
    std::string payload;
    if (!TranscriptStore::ParseLive(message, conv, payload)) {
        spdlog::warn("ignoring a malformed live message ({} bytes)", message.size());
        return;
    }
    sockets_.Send(conv, payload);
}

Status WebGateway::HandleOutbound(const kafka::Record& record) {
    chat::OutboundMessage out;
    if (!out.ParseFromString(record.value)) {
        probe_.OnInvalidRecord();
        return Error::Fatal("undecodable OutboundMessage");
    }
    const std::string& conv = out.envelope().conversation_id();
    if (!IsValidExternalId(conv) || out.reply_id().empty() || out.text().empty()) {
        probe_.OnInvalidRecord();
        return Error::Fatal("invalid OutboundMessage (conversation id, reply id and text are required)");
    }
    const auto now = clock_.Now();
    const bool by_operator = out.responder() == chat::RESPONDER_OPERATOR;
    json entry{{"id", out.reply_id()},
               {"author", by_operator ? "operator" : "bot"},
               {"text", out.text()},
               {"at", Iso8601(now)},
               {"kind", out.kind() == chat::OUTBOUND_KIND_NOTICE ? "notice" : "reply"},
               {"marker", Marker(out.responder(), out.operator_name())}};
    if (by_operator) entry["operator_name"] = out.operator_name();

    auto delivery =
        transcripts_.DeliverOnce(conv, out.reply_id(), entry.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!delivery) return delivery.error();
    if (*delivery == TranscriptStore::Delivery::kNew) {
        // The customer's socket may be on any replica: every replica hears this and pushes to its own.
        const std::string push = json{{"type", "message"}, {"conversation_id", conv}, {"message", entry}}.dump(
            -1, ' ', false, json::error_handler_t::replace);
        if (Status s = transcripts_.PublishLive(conv, push); !s.ok()) {
            // The reply is in the transcript; the widget shows it when it next loads the history.
            spdlog::warn("conversation {}: live push of reply {} failed: {}", conv, out.reply_id(), s.error().message);
        }
    }
    if (*delivery == TranscriptStore::Delivery::kReported) return Status::Ok();

    chat::ConversationEvent ev;
    events::FillEnvelope(ev.mutable_envelope(), DerivedId("e-", "delivered:" + out.reply_id()), conv,
                         switchboard::common::v1::CHANNEL_WEB, "gateway-web", out.envelope().trace_id(), now);
    auto* d = ev.mutable_reply_delivered();
    d->set_reply_id(out.reply_id());
    d->set_responder(out.responder());
    *d->mutable_delivered_at() = events::ToTimestamp(now);
    d->set_kind(out.kind());
    d->set_operator_id(out.operator_id());
    if (Status s = events::PublishAll(producer_, {events::Encode(naming_.Events(), conv, ev)}); !s.ok()) return s;
    if (Status s = transcripts_.MarkReported(out.reply_id()); !s.ok()) return s;
    if (*delivery == TranscriptStore::Delivery::kNew) probe_.OnReplyDelivered(by_operator ? "operator" : "bot");
    return Status::Ok();
}

}  // namespace switchboard::gateway_web
