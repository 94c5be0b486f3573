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

private:
    prometheus::Counter& accepted_;
    prometheus::Counter& duplicates_;
    prometheus::Family<prometheus::Counter>& rejected_;
    prometheus::Counter& unavailable_;
    prometheus::Family<prometheus::Counter>& delivered_;
    prometheus::Counter& invalid_;
    prometheus::Gauge& sockets_;
};

}  // namespace switchboard::gateway_web
