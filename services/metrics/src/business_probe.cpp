#include "business_probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace switchboard::metrics {

BusinessProbe::BusinessProbe(prometheus::Registry& registry)
    : resolved_(prometheus::BuildCounter()
                    .Name("switchboard_conversations_resolved_total")
                    .Help("Resolved conversations by channel and by who resolved them (bot = no human involved)")
                    .Register(registry)),
      first_response_(prometheus::BuildHistogram()
                          .Name("switchboard_first_response_seconds")
                          .Help("First customer message received by a gateway to first reply delivered by a "
                                "gateway, by channel and responder")
                          .Register(registry)),
      handoffs_(prometheus::BuildCounter()
                    .Name("switchboard_handoffs_total")
                    .Help("Conversations handed to a human, by channel and reason")
                    .Register(registry)),
      customer_messages_(prometheus::BuildCounter()
                             .Name("switchboard_customer_messages_total")
                             .Help("Customer messages accepted by the gateways")
                             .Register(registry)),
      bot_answers_(prometheus::BuildCounter()
                       .Name("switchboard_bot_answers_total")
                       .Help("Knowledge-base answers given by the assistant")
                       .Register(registry)),
      invalid_(prometheus::BuildCounter()
                   .Name("switchboard_metrics_invalid_records_total")
                   .Help("Records the metrics service could not decode, skipped")
                   .Register(registry)
                   .Add({})) {}

void BusinessProbe::OnResolved(const std::string& channel, const std::string& resolved_by) {
    resolved_.Add({{"channel", channel}, {"resolved_by", resolved_by}}).Increment();
}

void BusinessProbe::OnFirstResponse(const std::string& channel, const std::string& responder, double seconds) {
    // From a few hundred milliseconds (the bot) to an hour (a busy human queue).
    static const prometheus::Histogram::BucketBoundaries kBuckets{0.05, 0.1, 0.25, 0.5, 1,   2.5,  5,   10,
                                                                  15,   30,  60,   120, 300, 600, 1800, 3600};
    first_response_.Add({{"channel", channel}, {"responder", responder}}, kBuckets).Observe(seconds);
}

void BusinessProbe::OnHandoff(const std::string& channel, const std::string& reason) {
    handoffs_.Add({{"channel", channel}, {"reason", reason}}).Increment();
}

void BusinessProbe::OnCustomerMessage(const std::string& channel) {
    customer_messages_.Add({{"channel", channel}}).Increment();
}

void BusinessProbe::OnBotAnswer(const std::string& channel) { bot_answers_.Add({{"channel", channel}}).Increment(); }

void BusinessProbe::OnInvalidRecord() { invalid_.Increment(); }

}  // namespace switchboard::metrics
