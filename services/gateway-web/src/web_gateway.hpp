#pragma once

#include <chrono>
#include <string>

#include "connection_registry.hpp"
#include "cors.hpp"
#include "gateway_probe.hpp"
#include "switchboard/core/clock.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "switchboard/kafka/producer.hpp"
#include "transcript_store.hpp"
#include "typing_throttle.hpp"

namespace switchboard::gateway_web {

struct WebGatewayOptions {
    // At most one customer-typing event per conversation per interval (per replica).
    std::chrono::milliseconds typing_interval{3000};
    // Sites allowed to embed the widget (cors.hpp): CORS on the API, Origin check on sockets.
    std::string allow_origins = "*";
};

// The website-chat channel. HTTP API (README.md has the details):
//   POST /v1/messages                         a customer message → 202 once durably in Kafka
//   GET  /v1/conversations/{id}/messages      the conversation so far (JSON)
//   GET  /v1/conversations/{id}/ws[?after=N]  WebSocket: backlog after entry N (resume), then
//                                             replies pushed as they are delivered; accepts
//                                             {"type":"typing"} and {"type":"ping"}
//   GET  /widget.js                           the embeddable widget (web/widget.js)
//   GET  /                                    a demo page embedding it (web/index.html)
// and the chat.outbound.web.v1 consumer that delivers replies exactly once per reply id: the
// replica that consumes a reply stores it and publishes it on Redis pub/sub; every replica's
// OnLive() pushes it to the sockets it holds for that conversation.
//
// Thread-safety: handlers run on HTTP threads, OnLive on the subscriber thread and
// HandleOutbound on the consumer thread, concurrently. Every reference passed in must outlive it.
class WebGateway {
public:
    WebGateway(kafka::Producer& producer, TranscriptStore& transcripts, ConnectionRegistry& sockets,
               const events::Naming& naming, const Clock& clock, GatewayProbe& probe,
               WebGatewayOptions options = {});

    void RegisterRoutes(http::Server& server);
    Status HandleOutbound(const kafka::Record& record);
    // A message from TranscriptStore::LiveChannel().
    void OnLive(const std::string& message);

    void PostMessage(http::Request request, http::Respond respond);
    void GetMessages(const http::Request& request, const http::Respond& respond);
    void OpenSocket(const http::Request& request, const std::shared_ptr<http::WebSocketConnection>& conn);
    void OnSocketInput(const std::shared_ptr<http::WebSocketConnection>& conn, const std::string& text);

private:
    // Adds the CORS header for the request's Origin, if that origin is allowed.
    http::Respond WithCors(const http::Request& request, http::Respond respond) const;
    void PublishTyping(const std::string& conversation_id);

    kafka::Producer& producer_;
    TranscriptStore& transcripts_;
    ConnectionRegistry& sockets_;
    const events::Naming& naming_;
    const Clock& clock_;
    GatewayProbe& probe_;
    TypingThrottle typing_;
    OriginPolicy origins_;
};

}  // namespace switchboard::gateway_web
