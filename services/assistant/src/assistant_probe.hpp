#pragma once

#include <string_view>

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
class Histogram;
}  // namespace prometheus

namespace switchboard::assistant {

// The assistant's own metrics. Registers its families once; business code calls On…().
// Thread-safe.
class AssistantProbe {
public:
    explicit AssistantProbe(prometheus::Registry& registry);

    void OnAnswer(double seconds);
    void OnSmallTalk(double seconds);
    void OnHandoff(std::string_view reason, double seconds);
    void OnSilent();          // a human holds the conversation
    void OnInvalidRecord();   // undecodable or invalid inbound record, skipped
    void OnAsk();

private:
    prometheus::Family<prometheus::Counter>& decisions_;
    prometheus::Counter& answers_;
    prometheus::Counter& small_talk_;
    prometheus::Counter& silent_;
    prometheus::Counter& invalid_;
    prometheus::Counter& asks_;
    prometheus::Histogram& decision_seconds_;
};

}  // namespace switchboard::assistant
