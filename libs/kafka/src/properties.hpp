#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "switchboard/kafka/consumer.hpp"
#include "switchboard/kafka/producer.hpp"

namespace RdKafka {
class Conf;
}

namespace switchboard::kafka {

// librdkafka properties in the order they are applied (a later entry wins over an earlier one).
using Properties = std::vector<std::pair<std::string, std::string>>;

// Our defaults followed by the caller's overrides. Throw std::runtime_error on configuration
// that can never work (no brokers, no group, no topics), naming the field to fix.
Properties ProducerProperties(const ProducerConfig& config);
Properties ConsumerProperties(const ConsumerConfig& config);

// Applies `properties` to a fresh global RdKafka::Conf. Throws std::runtime_error naming the
// offending property (values of secrets are not echoed). `what` prefixes the message.
std::unique_ptr<RdKafka::Conf> MakeConf(const Properties& properties, std::string_view what);

// The value as it may appear in logs and error messages: secrets are masked.
std::string Printable(std::string_view name, std::string_view value);

}  // namespace switchboard::kafka
