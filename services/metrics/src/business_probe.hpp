#pragma once

#include <string>

namespace prometheus {
class Registry;
class Counter;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace switchboard::metrics {

// The business metrics SREs watch. Definitions (README "Metrics"):
//  - switchboard_conversations_resolved_total{channel,resolved_by="bot|operator"}: resolved
//    conversations; auto-resolution = bot / all over any window.
//  - switchboard_first_response_seconds{channel,responder="bot|operator"}: from the gateway's
//    receipt of a conversation's first customer message to the gateway's delivery of its first
//    reply (notices excluded), labelled by who gave that reply.
//  - switchboard_handoffs_total{channel,reason}, switchboard_customer_messages_total{channel},
//    switchboard_bot_answers_total{channel}.
// Thread-safe.
class BusinessProbe {
public:
    explicit BusinessProbe(prometheus::Registry& registry);

    void OnResolved(const std::string& channel, const std::string& resolved_by);
    void OnFirstResponse(const std::string& channel, const std::string& responder, double seconds);
    void OnHandoff(const std::string& channel, const std::string& reason);
    void OnCustomerMessage(const std::string& channel);
    void OnBotAnswer(const std::string& channel);
    void OnInvalidRecord();

private:
    prometheus::Family<prometheus::Counter>& resolved_;
    prometheus::Family<prometheus::Histogram>& first_response_;
    prometheus::Family<prometheus::Counter>& handoffs_;
    prometheus::Family<prometheus::Counter>& customer_messages_;
    prometheus::Family<prometheus::Counter>& bot_answers_;
    prometheus::Counter& invalid_;
};

}  // namespace switchboard::metrics
