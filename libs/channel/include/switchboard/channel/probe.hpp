#pragma once

#include <string>

namespace prometheus {
class Registry;
class Counter;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace switchboard::channel {

// A gateway's own metrics, labelled channel="<name>", with the same names as gateway-web's so one
// dashboard shows every channel:
//   switchboard_gateway_messages_accepted_total, _duplicate_total, _unavailable_total
//   switchboard_gateway_requests_rejected_total{reason}
//   switchboard_gateway_replies_delivered_total{responder}, switchboard_gateway_replies_failed_total{reason}
//   switchboard_gateway_platform_requests_total{outcome="2xx|4xx|429|5xx|transport"}
//   switchboard_gateway_platform_request_seconds (histogram)
//   switchboard_gateway_invalid_records_total
// Thread-safe.
class ChannelProbe {
public:
    ChannelProbe(prometheus::Registry& registry, std::string channel);
    void OnAccepted();
    void OnDuplicate();
    void OnRejected(const std::string& reason);  // 4xx with a machine-readable reason
    void OnUnavailable();                        // retryable error answered to the platform
    void OnReplyDelivered(const std::string& responder);
    void OnReplyFailed(const std::string& reason);
    // One call to the platform's API: its HTTP status (0 = transport failure) and duration.
    void OnPlatformRequest(int status, double seconds);
    void OnInvalidRecord();
    const std::string& channel() const { return channel_; }

private:
    std::string channel_;
    prometheus::Counter& accepted_;
    prometheus::Counter& duplicates_;
    prometheus::Family<prometheus::Counter>& rejected_;
    prometheus::Counter& unavailable_;
    prometheus::Family<prometheus::Counter>& delivered_;
    prometheus::Family<prometheus::Counter>& failed_;
    prometheus::Family<prometheus::Counter>& platform_;
    prometheus::Histogram& platform_seconds_;
    prometheus::Counter& invalid_;
};

}  // namespace switchboard::channel
