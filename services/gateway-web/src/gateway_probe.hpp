#pragma once

#include <string>

namespace prometheus {
class Registry;
class Counter;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace switchboard::gateway_web {

// gateway-web's own metrics. Thread-safe.
class GatewayProbe {
public:
    explicit GatewayProbe(prometheus::Registry& registry);
    void OnAccepted();
    void OnDuplicate();
    void OnRejected(const std::string& reason);  // 4xx with a machine-readable reason
    void OnUnavailable();                        // 503: Kafka or Redis down, client should retry
    void OnReplyDelivered(const std::string& responder);
    void OnInvalidRecord();
    void SetOpenSockets(double n);
    // A WebSocket's input that was ignored, by reason (see socket_protocol.hpp).
    void OnInvalidSocketInput(const std::string& reason);
    // A typing frame: "published", "throttled" or "failed" (Kafka refused it; not retried).
    void OnTyping(const std::string& result);
    // A socket that asked to resume: "resumed", "reset" (cursor beyond the transcript: all sent),
    // "invalid_cursor" (all sent), "unavailable" (Redis failed: socket closed, the client retries).
    void OnResume(const std::string& result);
    // Transcript entries sent as backlog on resume (replies the customer missed while away).
    void OnBacklogSent(double entries);

private:
    prometheus::Counter& accepted_;
    prometheus::Counter& duplicates_;
    prometheus::Family<prometheus::Counter>& rejected_;
    prometheus::Counter& unavailable_;
    prometheus::Family<prometheus::Counter>& delivered_;
    prometheus::Counter& invalid_;
    prometheus::Gauge& sockets_;
    prometheus::Family<prometheus::Counter>& invalid_socket_input_;
    prometheus::Family<prometheus::Counter>& typing_;
    prometheus::Family<prometheus::Counter>& resumes_;
    prometheus::Counter& backlog_;
};

}  // namespace switchboard::gateway_web
