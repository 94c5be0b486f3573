#include "business_probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace switchboard::metrics {

namespace {

// From a few hundred milliseconds (the bot) to an hour (a busy human queue).
const prometheus::Histogram::BucketBoundaries& Buckets() {
    static const prometheus::Histogram::BucketBoundaries kBuckets{0.05, 0.1, 0.25, 0.5, 1,   2.5,  5,   10,
                                                                  15,   30,  60,   120, 300, 600, 1800, 3600};
    return kBuckets;
}

prometheus::Family<prometheus::Counter>& Counter(prometheus::Registry& r, const char* name, const char* help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}
prometheus::Family<prometheus::Histogram>& Histogram(prometheus::Registry& r, const char* name, const char* help) {
    return prometheus::BuildHistogram().Name(name).Help(help).Register(r);
}
prometheus::Gauge& Gauge(prometheus::Registry& r, const char* name, const char* help) {
    return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

}  // namespace

BusinessProbe::BusinessProbe(prometheus::Registry& registry)
    : resolved_(Counter(registry, "switchboard_conversations_resolved_total",
                        "Resolved conversations by channel and by who resolved them: bot (the assistant alone), "
                        "operator, abandoned (handed off, the customer left before a human took it)")),
      reopened_(Counter(registry, "switchboard_conversations_reopened_total",
                        "Resolved conversations that came back within the reopen window, by who had resolved them "
                        "(subtract from resolved for durable resolution)")),
      first_response_(Histogram(registry, "switchboard_first_response_seconds",
                                "From the gateway's receipt of a cycle's first customer message to the gateway's "
                                "delivery of its first reply: any (whichever came first), bot, operator")),
      queue_wait_(Histogram(registry, "switchboard_queue_wait_seconds",
                            "From the assistant's handoff to the assignment of an operator")),
      operator_response_(Histogram(registry, "switchboard_operator_response_seconds",
                                   "From the assignment of an operator to the delivery of their first reply")),
      handoffs_(Counter(registry, "switchboard_handoffs_total", "Conversations handed to a human, by channel and reason")),
      kb_questions_(Counter(registry, "switchboard_kb_questions_total",
                            "Customer questions the knowledge base was asked: answered, or unanswered (handed off "
                            "for low confidence or after an answer that did not help)")),
      customer_messages_(Counter(registry, "switchboard_customer_messages_total",
                                 "Customer messages accepted by the gateways")),
      bot_answers_(Counter(registry, "switchboard_bot_answers_total", "Knowledge-base answers given by the assistant")),
      invalid_(prometheus::BuildCounter()
                   .Name("switchboard_metrics_invalid_records_total")
                   .Help("Records the metrics service could not decode, skipped")
                   .Register(registry)
                   .Add({})),
      operators_(prometheus::BuildGauge()
                     .Name("switchboard_operators")
                     .Help("Operators by status (from the routing state)")
                     .Register(registry)),
      capacity_(Gauge(registry, "switchboard_operator_capacity", "Sum of the capacity of online operators")),
      load_(Gauge(registry, "switchboard_operator_load",
                  "Conversations held or offered by online operators")),
      queue_length_(Gauge(registry, "switchboard_queue_length", "Conversations waiting for an operator")),
      queue_oldest_(Gauge(registry, "switchboard_queue_oldest_seconds",
                          "How long the longest-waiting queued conversation has waited (0 if none)")) {
    // Every known series exists from the start at 0, so rate() sees the first increment too.
    for (const char* channel : {"web", "telegram", "whatsapp", "email"}) {
        for (const char* by : {"bot", "operator", "abandoned"}) resolved_.Add({{"channel", channel}, {"resolved_by", by}});
        for (const char* by : {"bot", "operator"}) {
            reopened_.Add({{"channel", channel}, {"previously_resolved_by", by}});
        }
        for (const char* reason : {"customer_request", "low_confidence", "bot_failed", "unsupported_content",
                                   "channel_window_closed"}) {
            handoffs_.Add({{"channel", channel}, {"reason", reason}});
        }
        for (const char* outcome : {"answered", "unanswered"}) {
            kb_questions_.Add({{"channel", channel}, {"outcome", outcome}});
        }
        customer_messages_.Add({{"channel", channel}});
        bot_answers_.Add({{"channel", channel}});
        for (const char* responder : {"any", "bot", "operator"}) {
            first_response_.Add({{"channel", channel}, {"responder", responder}}, Buckets());
        }
        queue_wait_.Add({{"channel", channel}}, Buckets());
        operator_response_.Add({{"channel", channel}}, Buckets());
    }
}

void BusinessProbe::OnResolved(const std::string& channel, const std::string& resolved_by) {
    resolved_.Add({{"channel", channel}, {"resolved_by", resolved_by}}).Increment();
}

void BusinessProbe::OnReopened(const std::string& channel, const std::string& previously_resolved_by) {
    reopened_.Add({{"channel", channel}, {"previously_resolved_by", previously_resolved_by}}).Increment();
}

void BusinessProbe::OnInterval(const std::string& channel, const std::string& interval, double seconds) {
    static const std::string kFirst = "first_response_";
    if (interval.rfind(kFirst, 0) == 0) {
        first_response_.Add({{"channel", channel}, {"responder", interval.substr(kFirst.size())}}, Buckets())
            .Observe(seconds);
    } else if (interval == "queue_wait") {
        queue_wait_.Add({{"channel", channel}}, Buckets()).Observe(seconds);
    } else if (interval == "operator_response") {
        operator_response_.Add({{"channel", channel}}, Buckets()).Observe(seconds);
    }
}

void BusinessProbe::OnHandoff(const std::string& channel, const std::string& reason) {
    handoffs_.Add({{"channel", channel}, {"reason", reason}}).Increment();
}

void BusinessProbe::OnKbQuestion(const std::string& channel, bool answered) {
    kb_questions_.Add({{"channel", channel}, {"outcome", answered ? "answered" : "unanswered"}}).Increment();
}

void BusinessProbe::OnCustomerMessage(const std::string& channel) {
    customer_messages_.Add({{"channel", channel}}).Increment();
}

void BusinessProbe::OnBotAnswer(const std::string& channel) { bot_answers_.Add({{"channel", channel}}).Increment(); }

void BusinessProbe::OnInvalidRecord() { invalid_.Increment(); }

void BusinessProbe::OnCensus(const conversation::Census& c, double now_seconds) {
    operators_.Add({{"status", "online"}}).Set(static_cast<double>(c.online));
    operators_.Add({{"status", "away"}}).Set(static_cast<double>(c.away));
    operators_.Add({{"status", "offline"}}).Set(static_cast<double>(c.offline));
    capacity_.Set(static_cast<double>(c.online_capacity));
    load_.Set(static_cast<double>(c.online_load));
    queue_length_.Set(static_cast<double>(c.queue_length));
    const double oldest = c.oldest_queued_at < 0 ? 0 : now_seconds - static_cast<double>(c.oldest_queued_at) / 1000.0;
    queue_oldest_.Set(oldest > 0 ? oldest : 0);
}

}  // namespace switchboard::metrics
