#include "properties.hpp"

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <stdexcept>
#include <string>

namespace switchboard::kafka {

namespace {

void AppendOverrides(Properties& out, const std::map<std::string, std::string>& overrides) {
    for (const auto& [name, value] : overrides) out.emplace_back(name, value);
}

}  // namespace

Properties ProducerProperties(const ProducerConfig& config) {
    if (config.brokers.empty()) {
        throw std::runtime_error("kafka producer: brokers is empty; set it to host:port[,host:port]");
    }
    Properties p{
        {"bootstrap.servers", config.brokers},
        {"client.id", config.client_id.empty() ? "switchboard" : config.client_id},
        // Exactly-once per partition on librdkafka's internal retries; implies acks=all.
        {"enable.idempotence", "true"},
        // Chat records are small and latency-bound: Nagle and the 5 ms default linger only add
        // delay.
        {"socket.nagle.disable", "true"},
        {"linger.ms", "1"},
        // Same key -> same partition as the Java client would pick, so ordering per key holds
        // whichever client writes; records without a key are spread.
        {"partitioner", "murmur2_random"},
        // A customer or operator is waiting on the outcome (a webhook answers only after the
        // delivery report): fail within 30 s rather than librdkafka's default 300 s, so the
        // caller gets a retryable error while the customer still cares.
        {"message.timeout.ms", "30000"},
    };
    AppendOverrides(p, config.overrides);
    return p;
}

Properties ConsumerProperties(const ConsumerConfig& config) {
    if (config.brokers.empty()) {
        throw std::runtime_error("kafka consumer: brokers is empty; set it to host:port[,host:port]");
    }
    if (config.group_id.empty()) {
        throw std::runtime_error("kafka consumer: group_id is empty; every consumer needs a group");
    }
    if (config.topics.empty()) {
        throw std::runtime_error("kafka consumer (group " + config.group_id +
                                 "): topics is empty; name at least one topic");
    }
    for (const auto& topic : config.topics) {
        if (topic.empty()) {
            throw std::runtime_error("kafka consumer (group " + config.group_id +
                                     "): topics contains an empty name");
        }
    }
    Properties p{
        {"bootstrap.servers", config.brokers},
        {"group.id", config.group_id},
        {"client.id", config.client_id.empty() ? "switchboard" : config.client_id},
        {"auto.offset.reset", config.auto_offset_reset},
        // At-least-once: only offsets stored after the handler's effect are committed, in the
        // background every 500 ms, on rebalance (librdkafka commits before giving partitions up)
        // and on Stop().
        {"enable.auto.commit", "true"},
        {"enable.auto.offset.store", "false"},
        {"auto.commit.interval.ms", "500"},
        // Low latency: do not let the broker hold a fetch for 500 ms, retry failed fetches fast.
        {"fetch.wait.max.ms", "10"},
        {"fetch.error.backoff.ms", "50"},
        {"socket.nagle.disable", "true"},
        // A dead member is noticed in ~10 s instead of 45 s.
        {"session.timeout.ms", "10000"},
        // Statistics (for switchboard_kafka_consumer_lag) every 5 s.
        {"statistics.interval.ms", "5000"},
        // partition.assignment.strategy stays at librdkafka's eager default: cooperative-sticky
        // in librdkafka 2.0.x can crash on close before the first rebalance (librdkafka #4312,
        // fixed in 2.2.1).
    };
    AppendOverrides(p, config.overrides);
    return p;
}

std::string Printable(std::string_view name, std::string_view value) {
    for (std::string_view secret : {"password", "secret", "sasl.oauthbearer.config", "key.pem"}) {
        if (name.find(secret) != std::string_view::npos) return "<redacted>";
    }
    return std::string(value);
}

std::unique_ptr<RdKafka::Conf> MakeConf(const Properties& properties, std::string_view what) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    for (const auto& [name, value] : properties) {
        std::string errstr;
        if (conf->set(name, value, errstr) != RdKafka::Conf::CONF_OK) {
            throw std::runtime_error(std::string(what) + ": invalid setting " + name + "=" +
                                     Printable(name, value) + ": " + errstr);
        }
    }
    return conf;
}

}  // namespace switchboard::kafka
