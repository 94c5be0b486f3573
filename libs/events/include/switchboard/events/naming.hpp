#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/common/v1/envelope.pb.h"
#include "switchboard/kafka/admin.hpp"

namespace google::protobuf {
class Timestamp;
}

namespace switchboard::events {

using Channel = switchboard::common::v1::Channel;

// "web", "telegram", "whatsapp", "email"; "" for CHANNEL_UNSPECIFIED.
std::string_view ChannelName(Channel channel);
std::optional<Channel> ParseChannel(std::string_view name);

// Names of topics, consumer groups and Redis keys for one deployment. A non-empty namespace
// prefixes all of them, so several suites (e.g. parallel tests) can share one Kafka and Redis.
// Value type; thread-safe to read.
class Naming {
public:
    explicit Naming(std::string ns = {});

    std::string Inbound() const { return Topic("chat.inbound.v1"); }
    std::string Events() const { return Topic("chat.events.v1"); }
    std::string KbArticles() const { return Topic("kb.articles.v1"); }
    std::string Outbound(Channel channel) const;
    // Every topic of the suite with its settings (kb.articles.v1 is compacted).
    std::vector<kafka::TopicSpec> AllTopics(int partitions) const;

    std::string Group(std::string_view service) const { return Topic(std::string(service)); }
    // Prefix for every Redis key: "sb:" or "sb:<ns>:".
    const std::string& RedisPrefix() const { return redis_prefix_; }
    const std::string& ns() const { return ns_; }

private:
    std::string Topic(const std::string& name) const { return ns_.empty() ? name : ns_ + "." + name; }
    std::string ns_;
    std::string redis_prefix_;
};

google::protobuf::Timestamp ToTimestamp(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point FromTimestamp(const google::protobuf::Timestamp& ts);
std::int64_t ToUnixMillis(const google::protobuf::Timestamp& ts);

// Fills an envelope. `event_id` should be derived from what caused the record (so a retried
// computation yields the same id) or random when nothing did.
void FillEnvelope(switchboard::common::v1::Envelope* envelope, std::string event_id,
                  std::string conversation_id, Channel channel, std::string_view producer,
                  std::string trace_id, std::chrono::system_clock::time_point at);

}  // namespace switchboard::events
