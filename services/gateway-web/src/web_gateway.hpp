#pragma once

#include "connection_registry.hpp"
#include "gateway_probe.hpp"
#include "transcript_store.hpp"
#include "switchboard/core/clock.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "switchboard/kafka/producer.hpp"

namespace switchboard::gateway_web {

// The website-chat channel. HTTP API:
//   POST /v1/messages                         a customer message → 202 once durably in Kafka
//   GET  /v1/conversations/{id}/messages      the conversation so far (JSON)
//   GET  /v1/conversations/{id}/ws            WebSocket: replies pushed as they are delivered
//   GET  /                                    a demo widget page
// and the chat.outbound.web.v1 consumer that delivers replies exactly once per reply id: the
// replica that consumes a reply stores it and publishes it on Redis pub/sub; every replica's
// OnLive() pushes it to the sockets it holds for that conversation.
//
// Thread-safety: handlers run on HTTP threads and the consumer thread concurrently.
class WebGateway {
public:
    WebGateway(kafka::Producer& producer, TranscriptStore& transcripts, ConnectionRegistry& sockets,
               const events::Naming& naming, const Clock& clock, GatewayProbe& probe);

    void RegisterRoutes(http::Server& server);
    Status HandleOutbound(const kafka::Record& record);
    // A message from TranscriptStore::LiveChannel().
    void OnLive(const std::string& message);

    void PostMessage(http::Request request, http::Respond respond);
    void GetMessages(const http::Request& request, const http::Respond& respond);

private:
    kafka::Producer& producer_;
    TranscriptStore& transcripts_;
    ConnectionRegistry& sockets_;
    const events::Naming& naming_;
    const Clock& clock_;
    GatewayProbe& probe_;
};

// The page served at "/": a minimal chat widget using the API above.
const char* WidgetPage();

}  // namespace switchboard::gateway_web
