#include "gateway_probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace switchboard::gateway_web {

namespace {
prometheus::Counter& Simple(prometheus::Registry& r, const char* name, const char* help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({{"channel", "web"}});
}
}  // namespace

GatewayProbe::GatewayProbe(prometheus::Registry& registry)
    : accepted_(Simple(registry, "switchboard_gateway_messages_accepted_total",
                       "Customer messages durably published to chat.inbound.v1")),
      duplicates_(Simple(registry, "switchboard_gateway_messages_duplicate_total",
                         "Customer messages dropped as repeats of an accepted message id")),
      rejected_(prometheus::BuildCounter()
                    .Name("switchboard_gateway_requests_rejected_total")
                    .Help("Requests answered 4xx, by reason; nothing was published")
                    .Register(registry)),
      unavailable_(Simple(registry, "switchboard_gateway_messages_unavailable_total",
                          "Customer messages answered 503 because Kafka or Redis failed; the client retries")),
      delivered_(prometheus::BuildCounter()
                     .Name("switchboard_gateway_replies_delivered_total")
                     .Help("Replies delivered to customers, by responder")
                     .Register(registry)),
      invalid_(Simple(registry, "switchboard_gateway_invalid_records_total",
                      "Outbound records that could not be decoded, skipped")),
      sockets_(prometheus::BuildGauge()
                   .Name("switchboard_gateway_websockets_open")
                   .Help("Open widget WebSockets on this replica")
                   .Register(registry)
                   .Add({{"channel", "web"}})),
      invalid_socket_input_(prometheus::BuildCounter()
                                .Name("switchboard_gateway_socket_input_invalid_total")
                                .Help("WebSocket frames from the widget that were ignored, by reason")
                                .Register(registry)),
      typing_(prometheus::BuildCounter()
                  .Name("switchboard_gateway_typing_events_total")
                  .Help("Customer-typing frames, by result (published, throttled, failed)")
                  .Register(registry)),
      resumes_(prometheus::BuildCounter()
                   .Name("switchboard_gateway_socket_resumes_total")
                   .Help("WebSockets opened with a resume cursor, by result")
                   .Register(registry)),
      backlog_(Simple(registry, "switchboard_gateway_backlog_entries_sent_total",
                      "Transcript entries sent to resuming WebSockets before live pushes")) {}

void GatewayProbe::OnAccepted() { accepted_.Increment(); }
void GatewayProbe::OnDuplicate() { duplicates_.Increment(); }
void GatewayProbe::OnRejected(const std::string& reason) {
    rejected_.Add({{"channel", "web"}, {"reason", reason}}).Increment();
}
void GatewayProbe::OnUnavailable() { unavailable_.Increment(); }
void GatewayProbe::OnReplyDelivered(const std::string& responder) {
    delivered_.Add({{"channel", "web"}, {"responder", responder}}).Increment();
}
void GatewayProbe::OnInvalidRecord() { invalid_.Increment(); }
void GatewayProbe::SetOpenSockets(double n) { sockets_.Set(n); }
void GatewayProbe::OnInvalidSocketInput(const std::string& reason) {
    invalid_socket_input_.Add({{"channel", "web"}, {"reason", reason}}).Increment();
}
void GatewayProbe::OnTyping(const std::string& result) {
    typing_.Add({{"channel", "web"}, {"result", result}}).Increment();
}
void GatewayProbe::OnResume(const std::string& result) {
    resumes_.Add({{"channel", "web"}, {"result", result}}).Increment();
}
void GatewayProbe::OnBacklogSent(double entries) { backlog_.Increment(entries); }

}  // namespace switchboard::gateway_web
