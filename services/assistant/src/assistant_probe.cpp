#include "assistant_probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace switchboard::assistant {

namespace {
prometheus::Family<prometheus::Counter>& Decisions(prometheus::Registry& r) {
    return prometheus::BuildCounter()
        .Name("switchboard_assistant_decisions_total")
        .Help("What the assistant did with customer messages: answer, small_talk, handoff (by reason), silent")
        .Register(r);
}
}  // namespace

AssistantProbe::AssistantProbe(prometheus::Registry& registry)
    : decisions_(Decisions(registry)),
      answers_(decisions_.Add({{"decision", "answer"}, {"reason", ""}})),
      small_talk_(decisions_.Add({{"decision", "small_talk"}, {"reason", ""}})),
      silent_(decisions_.Add({{"decision", "silent"}, {"reason", ""}})),
      invalid_(prometheus::BuildCounter()
                   .Name("switchboard_assistant_invalid_records_total")
                   .Help("Inbound records that could not be decoded or were invalid, skipped")
                   .Register(registry)
                   .Add({})),
      asks_(prometheus::BuildCounter()
                .Name("switchboard_assistant_ask_requests_total")
                .Help("Operator Ask calls")
                .Register(registry)
                .Add({})),
      decision_seconds_(prometheus::BuildHistogram()
                            .Name("switchboard_assistant_decision_seconds")
                            .Help("Time from record received to reply and events delivered to Kafka")
                            .Register(registry)
                            .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.002, 0.005, 0.01,
                                                                             0.02, 0.05, 0.1, 0.25, 1})) {}

void AssistantProbe::OnAnswer(double seconds) {
    answers_.Increment();
    decision_seconds_.Observe(seconds);
}

void AssistantProbe::OnSmallTalk(double seconds) {
    small_talk_.Increment();
    decision_seconds_.Observe(seconds);
}

void AssistantProbe::OnHandoff(std::string_view reason, double seconds) {
    // Few distinct reasons: the label lookup is cheap enough here.
    decisions_.Add({{"decision", "handoff"}, {"reason", std::string(reason)}}).Increment();
    decision_seconds_.Observe(seconds);
}

void AssistantProbe::OnSilent() { silent_.Increment(); }
void AssistantProbe::OnInvalidRecord() { invalid_.Increment(); }
void AssistantProbe::OnAsk() { asks_.Increment(); }

}  // namespace switchboard::assistant
