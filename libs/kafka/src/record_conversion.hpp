#pragma once

#include <librdkafka/rdkafkacpp.h>

#include "switchboard/kafka/consumer.hpp"

namespace switchboard::kafka {

// Copies a fetched librdkafka message into a Record (shared by Consumer and TopicReader).
inline Record ToRecord(const RdKafka::Message& message) {
    Record record;
    record.topic = message.topic_name();
    record.partition = message.partition();
    record.offset = message.offset();
    if (message.key_pointer() != nullptr) {
        record.key.assign(static_cast<const char*>(message.key_pointer()), message.key_len());
    }
    // librdkafka hands a null value (wire length -1) as a null payload and an empty one as a
    // non-null pointer of length 0.
    if (message.payload() != nullptr) {
        record.value.assign(static_cast<const char*>(message.payload()), message.len());
    } else {
        record.value_is_null = true;
    }
    const RdKafka::MessageTimestamp ts = message.timestamp();
    if (ts.type != RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE) {
        record.timestamp_ms = ts.timestamp;
    }
    return record;
}

}  // namespace switchboard::kafka
