#pragma once

#include <string>

#include "switchboard/conversation/store.hpp"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace switchboard::metrics {

// The business metrics SREs watch. Exact definitions: deploy/prometheus/README.md.
//  - switchboard_conversations_resolved_total{channel,resolved_by="bot|operator|abandoned"}
//  - switchboard_conversations_reopened_total{channel,previously_resolved_by="bot|operator"}
//  - switchboard_first_response_seconds{channel,responder="any|bot|operator"} (histogram)
//  - switchboard_queue_wait_seconds{channel}, switchboard_operator_response_seconds{channel}
//  - switchboard_handoffs_total{channel,reason}, switchboard_kb_questions_total{channel,outcome}
//  - switchboard_customer_messages_total{channel}, switchboard_bot_answers_total{channel}
//  - gauges from the routing state: switchboard_operators{status}, switchboard_operator_capacity,
//    switchboard_operator_load, switchboard_queue_length, switchboard_queue_oldest_seconds
// Thread-safe.
class BusinessProbe {
public:
    explicit BusinessProbe(prometheus::Registry& registry);

    void OnResolved(const std::string& channel, const std::string& resolved_by);
    void OnReopened(const std::string& channel, const std::string& previously_resolved_by);
    // `interval`: a Measurement name (first_response_any|_bot|_operator, queue_wait, operator_response).
    void OnInterval(const std::string& channel, const std::string& interval, double seconds);
    void OnHandoff(const std::string& channel, const std::string& reason);
    void OnKbQuestion(const std::string& channel, bool answered);
    void OnCustomerMessage(const std::string& channel);
    void OnBotAnswer(const std::string& channel);
    void OnInvalidRecord();
    void OnCensus(const conversation::Census& census, double now_seconds);

private:
    prometheus::Family<prometheus::Counter>& resolved_;
    prometheus::Family<prometheus::Counter>& reopened_;
    prometheus::Family<prometheus::Histogram>& first_response_;
    prometheus::Family<prometheus::Histogram>& queue_wait_;
    prometheus::Family<prometheus::Histogram>& operator_response_;
    prometheus::Family<prometheus::Counter>& handoffs_;
    prometheus::Family<prometheus::Counter>& kb_questions_;
    prometheus::Family<prometheus::Counter>& customer_messages_;
    prometheus::Family<prometheus::Counter>& bot_answers_;
    prometheus::Counter& invalid_;
    prometheus::Family<prometheus::Gauge>& operators_;
    prometheus::Gauge& capacity_;
    prometheus::Gauge& load_;
    prometheus::Gauge& queue_length_;
    prometheus::Gauge& queue_oldest_;
};

}  // namespace switchboard::metrics
