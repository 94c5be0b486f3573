#include "switchboard/events/naming.hpp"

#include <google/protobuf/timestamp.pb.h>

namespace switchboard::events {

namespace common = switchboard::common::v1;

std::string_view ChannelName(Channel channel) {
    switch (channel) {
        case common::CHANNEL_WEB: return "web";
        case common::CHANNEL_TELEGRAM: return "telegram";
        case common::CHANNEL_WHATSAPP: return "whatsapp";
        case common::CHANNEL_EMAIL: return "email";
        default: return "";
    }
}

std::optional<Channel> ParseChannel(std::string_view name) {
    for (Channel c : {common::CHANNEL_WEB, common::CHANNEL_TELEGRAM, common::CHANNEL_WHATSAPP,
                      common::CHANNEL_EMAIL}) {
        if (ChannelName(c) == name) return c;
    }
    return std::nullopt;
}

Naming::Naming(std::string ns) : ns_(std::move(ns)), redis_prefix_(ns_.empty() ? "sb:" : "sb:" + ns_ + ":") {}

std::string Naming::Outbound(Channel channel) const {
    return Topic("chat.outbound." + std::string(ChannelName(channel)) + ".v1");
}

std::vector<kafka::TopicSpec> Naming::AllTopics(int partitions) const {
    std::vector<kafka::TopicSpec> topics;
    topics.push_back({Inbound(), partitions, 1, {}});
    topics.push_back({Events(), partitions, 1, {}});
    for (Channel c : {common::CHANNEL_WEB, common::CHANNEL_TELEGRAM, common::CHANNEL_WHATSAPP,
                      common::CHANNEL_EMAIL}) {
        topics.push_back({Outbound(c), partitions, 1, {}});
    }
    topics.push_back({KbArticles(), partitions, 1, {{"cleanup.policy", "compact"}}});
    return topics;
}

google::protobuf::Timestamp ToTimestamp(std::chrono::system_clock::time_point t) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    google::protobuf::Timestamp ts;
    ts.set_seconds(ns / 1'000'000'000);
    ts.set_nanos(static_cast<std::int32_t>(ns % 1'000'000'000));
    return ts;
}

std::chrono::system_clock::time_point FromTimestamp(const google::protobuf::Timestamp& ts) {
    return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
        std::chrono::seconds(ts.seconds()) + std::chrono::nanoseconds(ts.nanos())));
}

std::int64_t ToUnixMillis(const google::protobuf::Timestamp& ts) {
    return ts.seconds() * 1000 + ts.nanos() / 1'000'000;
}

void FillEnvelope(common::Envelope* envelope, std::string event_id, std::string conversation_id,
                  Channel channel, std::string_view producer, std::string trace_id,
                  std::chrono::system_clock::time_point at) {
    envelope->set_event_id(std::move(event_id));
    envelope->set_conversation_id(std::move(conversation_id));
    envelope->set_channel(channel);
    envelope->set_producer(std::string(producer));
    envelope->set_trace_id(std::move(trace_id));
    *envelope->mutable_occurred_at() = ToTimestamp(at);
}

}  // namespace switchboard::events
