#include "web_gateway.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <ctime>

#include "resume.hpp"
#include "send_request.hpp"
#include "socket_protocol.hpp"
#include "web_assets.hpp"
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
                       const events::Naming& naming, const Clock& clock, GatewayProbe& probe,
                       WebGatewayOptions options)
    : producer_(producer),
      transcripts_(transcripts),
      sockets_(sockets),
      naming_(naming),
      clock_(clock),
      probe_(probe),
      typing_(options.typing_interval),
      origins_(options.allow_origins) {}

void WebGateway::RegisterRoutes(http::Server& server) {
    server.Route("POST", "/v1/messages", [this](http::Request req, http::Respond respond) {
        respond = WithCors(req, std::move(respond));
        PostMessage(std::move(req), std::move(respond));
    });
    server.Route("GET", "/v1/conversations/{id}/messages",
                 [this](http::Request req, http::Respond respond) { GetMessages(req, WithCors(req, std::move(respond))); });
    // CORS preflight: the widget posts JSON from the embedding site's origin.
    for (const char* path : {"/v1/messages", "/v1/conversations/{id}/messages"}) {
        server.Route("OPTIONS", path, [this](http::Request req, http::Respond respond) {
            http::Response r;
            r.status = 204;
            r.content_type.clear();
            r.headers = {{"Access-Control-Allow-Methods", "GET, POST, OPTIONS"},
                         {"Access-Control-Allow-Headers", "Content-Type"},
                         {"Access-Control-Max-Age", "600"}};
            WithCors(req, std::move(respond))(std::move(r));
        });
    }
    server.Route("GET", "/widget.js", [](http::Request, http::Respond respond) {
        http::Response r;
        r.content_type = "text/javascript; charset=utf-8";
        r.body = std::string(WidgetScript());
        // Short: sites embed the URL unversioned, and a fix should reach them within minutes.
        r.headers = {{"Cache-Control", "public, max-age=300"}, {"Access-Control-Allow-Origin", "*"}};
        respond(std::move(r));
    });
    server.Route("GET", "/", [](http::Request, http::Respond respond) {
        http::Response r;
        r.content_type = "text/html; charset=utf-8";
        r.body = std::string(DemoPage());
        respond(std::move(r));
    });
    http::WebSocketHandlers ws;
    ws.on_open = [this](const http::Request& req, std::shared_ptr<http::WebSocketConnection> conn) {
        OpenSocket(req, conn);
    };
    ws.on_message = [this](const std::shared_ptr<http::WebSocketConnection>& conn, std::string text) {
        OnSocketInput(conn, text);
    };
    ws.on_close = [this](const std::shared_ptr<http::WebSocketConnection>& conn) {
        sockets_.Remove(conn);
        probe_.SetOpenSockets(static_cast<double>(sockets_.size()));
    };
    server.WebSocket("/v1/conversations/{id}/ws", std::move(ws));
}

http::Respond WebGateway::WithCors(const http::Request& request, http::Respond respond) const {
    const auto origin = request.Header("Origin");
    if (!origin) return respond;  // not a cross-origin browser request
    auto allow = origins_.AllowOriginHeader(*origin);
    if (!allow) return respond;  // the browser will not hand the response to that site
    return [allow = std::move(*allow), vary = !origins_.any(), respond = std::move(respond)](http::Response r) {
        r.headers.emplace_back("Access-Control-Allow-Origin", allow);
        if (vary) r.headers.emplace_back("Vary", "Origin");
        respond(std::move(r));
    };
}

void WebGateway::OpenSocket(const http::Request& request, const std::shared_ptr<http::WebSocketConnection>& conn) {
    const std::string& conv = request.params.at("id");
    if (!IsValidExternalId(conv)) {
        probe_.OnRejected("invalid_conversation_id");
        conn->Close();
        return;
    }
    if (!origins_.AllowsSocketFrom(request.Header("Origin").value_or(""), request.Header("Host").value_or(""))) {
        probe_.OnRejected("origin_not_allowed");
        conn->Close();
        return;
    }
    const ResumeCursor cursor = ParseResumeCursor(request.query);
    // Registered (pushes held) before the transcript is read: every entry is in the read or is
    // pushed after this line, so nothing falls between them (resume.hpp).
    sockets_.Add(conv, conn, /*hold=*/cursor.requested);
    probe_.SetOpenSockets(static_cast<double>(sockets_.size()));
    if (!cursor.requested) return;

    // A blocking Redis read on the I/O thread, like GET …/messages: one LRANGE of at most 500
    // entries, bounded by the Redis client's command timeout.
    auto entries = transcripts_.List(conv);
    if (!entries) {
        // Without the backlog the socket would silently miss replies: the client retries.
        spdlog::warn("conversation {}: cannot read the transcript to resume a socket: {}", conv,
                     entries.error().message);
        probe_.OnResume("unavailable");
        conn->Close();
        return;
    }
    const Backlog backlog = SelectBacklog(*entries, cursor.valid ? cursor.after : 0);
    std::vector<std::string> frames;
    frames.reserve(backlog.entries.size() + 1);
    for (const auto& e : backlog.entries) frames.push_back(MessageFrame(conv, e));
    frames.push_back(SyncedFrame(backlog.head));
    probe_.OnResume(!cursor.valid ? "invalid_cursor" : backlog.reset ? "reset" : "resumed");
    probe_.OnBacklogSent(static_cast<double>(backlog.entries.size()));
    sockets_.Open(conn, std::move(frames), backlog.head);
}

void WebGateway::OnSocketInput(const std::shared_ptr<http::WebSocketConnection>& conn, const std::string& text) {
    const SocketInput input = ParseSocketInput(text);
    switch (input.kind) {
        case SocketInputKind::kPing:
            conn->Send(R"({"type":"pong"})");
            return;
        case SocketInputKind::kTyping: {
            const auto conv = sockets_.ConversationOf(conn);
            if (!conv) return;  // refused at open, or closing
            if (!typing_.Allow(*conv, clock_.Now())) {
                probe_.OnTyping("throttled");
                return;
            }
            PublishTyping(*conv);
            return;
        }
        case SocketInputKind::kInvalid:
            probe_.OnInvalidSocketInput(input.reason);
            return;
    }
}

void WebGateway::PublishTyping(const std::string& conversation_id) {
    const auto now = clock_.Now();
    chat::ConversationEvent ev;
    events::FillEnvelope(ev.mutable_envelope(), "e-typing-" + NewUuid(), conversation_id,
                         switchboard::common::v1::CHANNEL_WEB, "gateway-web", NewUuid(), now);
    *ev.mutable_customer_typing()->mutable_at() = events::ToTimestamp(now);
    const events::Outgoing out = events::Encode(naming_.Events(), conversation_id, ev);
    // Fire and forget: a typing hint is stale by the time a retry could land; socket input runs on
    // an I/O thread that must not wait for Kafka.
    producer_.Produce(out.topic, out.key, out.value, [this, conversation_id](Status s) {
        if (s.ok()) {
            probe_.OnTyping("published");
        } else {
            probe_.OnTyping("failed");
            spdlog::debug("conversation {}: typing event not published: {}", conversation_id, s.error().message);
        }
    });
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
    const std::string dedup_key = r.conversation_id + ":" + r.client_message_id;
    if (!r.client_message_id.empty()) {
        auto claimed = transcripts_.MessageIds().TryClaim(dedup_key);
        if (!claimed || *claimed == channel::InboundLedger::Claim::kInFlight) {
            // Redis is down, or the first attempt with this id is still being published: the
            // client retries and then learns whether it was accepted.
            probe_.OnUnavailable();
            respond(http::Response::JsonError(503, "unavailable", "cannot store the message now; retry"));
            return;
        }
        if (*claimed == channel::InboundLedger::Claim::kDuplicate) {
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

    json entry_json{{"id", message_id}, {"author", "customer"}, {"text", r.text}, {"at", Iso8601(now)},
                    {"kind", "message"}};
    // Lets the widget match the stored entry to the bubble it showed while the POST was in flight.
    if (!r.client_message_id.empty()) entry_json["client_message_id"] = r.client_message_id;
    std::string entry = entry_json.dump();
    producer_.Produce(
        naming_.Inbound(), r.conversation_id, m.SerializeAsString(),
        [this, r, message_id, dedup_key, entry = std::move(entry), respond = std::move(respond)](Status s) {
            if (!s.ok()) {
                spdlog::warn("conversation {}: message not accepted, Kafka: {}", r.conversation_id, s.error().message);
                if (!r.client_message_id.empty()) (void)transcripts_.MessageIds().Release(dedup_key);
                probe_.OnUnavailable();
                respond(http::Response::JsonError(503, "unavailable", "cannot store the message now; retry"));
                return;
            }
            if (!r.client_message_id.empty()) {
                if (Status a = transcripts_.MessageIds().Accept(dedup_key); !a.ok()) {
                    // In Kafka already: a retry after the lease expires republishes the same ids,
                    // which consumers drop.
                    spdlog::warn("conversation {}: recording message id {} as accepted failed: {}",
                                 r.conversation_id, r.client_message_id, a.error().message);
                }
            }
            if (auto a = transcripts_.Append(r.conversation_id, entry); !a) {
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
    // The entry's seq lets a resuming socket drop a push its backlog already had.
    std::uint64_t seq = 0;
    const auto j = json::parse(payload, nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) {
        if (auto m = j.find("message"); m != j.end() && m->is_object()) {
            if (auto q = m->find("seq"); q != m->end() && q->is_number_unsigned()) seq = q->get<std::uint64_t>();
        }
    }
    sockets_.Send(conv, seq, payload);
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

    auto outcome =
        transcripts_.DeliverOnce(conv, out.reply_id(), entry.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!outcome) return outcome.error();
    const auto delivery = outcome->delivery;
    if (delivery == TranscriptStore::Delivery::kNew) {
        // The customer's socket may be on any replica: every replica hears this and pushes to its own.
        // The pushed entry is the stored one, seq included.
        json pushed = entry;
        pushed["seq"] = outcome->seq;
        const std::string push = json{{"type", "message"}, {"conversation_id", conv}, {"message", pushed}}.dump(
            -1, ' ', false, json::error_handler_t::replace);
        if (Status s = transcripts_.PublishLive(conv, push); !s.ok()) {
            // The reply is in the transcript; the widget shows it when it next loads the history.
            spdlog::warn("conversation {}: live push of reply {} failed: {}", conv, out.reply_id(), s.error().message);
        }
    }
    if (delivery == TranscriptStore::Delivery::kReported) return Status::Ok();

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
    if (delivery == TranscriptStore::Delivery::kNew) probe_.OnReplyDelivered(by_operator ? "operator" : "bot");
    return Status::Ok();
}

}  // namespace switchboard::gateway_web
