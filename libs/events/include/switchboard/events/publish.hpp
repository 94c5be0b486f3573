#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/kafka/producer.hpp"

namespace google::protobuf {
class MessageLite;
}

namespace switchboard::events {

struct Outgoing {
    std::string topic;
    std::string key;    // the conversation id
    std::string value;  // serialized protobuf
};

// Serializes `message` for `topic`, keyed by `key`.
Outgoing Encode(std::string topic, std::string key, const google::protobuf::MessageLite& message);

// Produces all records at once and waits for every delivery report. Ok only if all were
// delivered; otherwise the first error (retryable if any failure was). Records that did get
// delivered stay delivered, which is why every record carries an idempotency id.
Status PublishAll(kafka::Producer& producer, const std::vector<Outgoing>& records,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace switchboard::events
