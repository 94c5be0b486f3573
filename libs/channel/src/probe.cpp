#include "switchboard/channel/probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace switchboard::channel {

namespace {
prometheus::Counter& Simple(prometheus::Registry& r, const char* name, const char* help, const std::string& channel) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({{"channel", channel}});
}
prometheus::Family<prometheus::Counter>& Family(prometheus::Registry& r, const char* name, const char* help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}
std::string StatusClass(int status) {
    if (status == 0) return "transport";
    if (status == 429) return "429";
    if (status >= 200 && status < 300) return "2xx";
    if (status >= 400 && status < 500) return "4xx";
    if (status >= 500) return "5xx";
    return "other";
}
}  // namespace

ChannelProbe::ChannelProbe(prometheus::Registry& registry, std::string channel)
    : channel_(std::move(channel)),
      accepted_(Simple(registry, "switchboard_gateway_messages_accepted_total",
                       "Customer messages durably published to chat.inbound.v1", channel_)),
      duplicates_(Simple(registry, "switchboard_gateway_messages_duplicate_total",
                         "Customer messages dropped as repeats of an accepted message id", channel_)),
      rejected_(Family(registry, "switchboard_gateway_requests_rejected_total",
                       "Requests answered 4xx, by reason; nothing was published")),
      unavailable_(Simple(registry, "switchboard_gateway_messages_unavailable_total",
                          "Customer messages answered with a retryable error because Kafka or Redis failed",
                          channel_)),
      delivered_(Family(registry, "switchboard_gateway_replies_delivered_total",
                        "Replies delivered to customers, by responder")),
      failed_(Family(registry, "switchboard_gateway_replies_failed_total",
                     "Replies given up on (ReplyFailed), by reason")),
      platform_(Family(registry, "switchboard_gateway_platform_requests_total",
                       "Calls to the platform's API, by outcome (HTTP status class, or transport failure)")),
      platform_seconds_(prometheus::BuildHistogram()
                            .Name("switchboard_gateway_platform_request_seconds")
                            .Help("Duration of calls to the platform's API")
                            .Register(registry)
                            .Add({{"channel", channel_}},
                                 prometheus::Histogram::BucketBoundaries{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
                                                                         10})),
      invalid_(Simple(registry, "switchboard_gateway_invalid_records_total",
                      "Outbound records that could not be decoded or were invalid, skipped", channel_)) {}

void ChannelProbe::OnAccepted() { accepted_.Increment(); }
void ChannelProbe::OnDuplicate() { duplicates_.Increment(); }
void ChannelProbe::OnRejected(const std::string& reason) {
    rejected_.Add({{"channel", channel_}, {"reason", reason}}).Increment();
}
void ChannelProbe::OnUnavailable() { unavailable_.Increment(); }
void ChannelProbe::OnReplyDelivered(const std::string& responder) {
    delivered_.Add({{"channel", channel_}, {"responder", responder}}).Increment();
}
void ChannelProbe::OnReplyFailed(const std::string& reason) {
    failed_.Add({{"channel", channel_}, {"reason", reason}}).Increment();
}
void ChannelProbe::OnPlatformRequest(int status, double seconds) {
    platform_.Add({{"channel", channel_}, {"outcome", StatusClass(status)}}).Increment();
    platform_seconds_.Observe(seconds);
}
void ChannelProbe::OnInvalidRecord() { invalid_.Increment(); }

}  // namespace switchboard::channel
