#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/core/clock.hpp"
#include "switchboard/core/error.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/kafka/producer.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::channel {

class ChannelProbe;

// Which channel messages were accepted, so a platform's retry of an accepted message is dropped
// and a retry of a message that was not accepted is not. A claim is first a short lease
// ("pending": an attempt is publishing it) and becomes durable ("accepted") only once the message
// is in Kafka; a replica that dies mid-publish leaves a lease that expires, so the platform's
// retry is accepted then. Keys: <prefix><channel>:inbound:<channel message id>. Thread-safe.
class InboundLedger {
public:
    struct Options {
        std::chrono::seconds pending_lease{60};
        std::chrono::seconds remember{7 * 24 * 3600};  // how long an accepted id is remembered
    };
    InboundLedger(redis::Client& redis, std::string prefix, std::string channel, Options options);
    InboundLedger(redis::Client& redis, std::string prefix, std::string channel)
        : InboundLedger(redis, std::move(prefix), std::move(channel), Options{}) {}

    enum class Claim {
        kNew,        // this attempt owns it: publish, then Accept or Release
        kDuplicate,  // accepted before: answer success, publish nothing
        kInFlight,   // another attempt is publishing it now: answer "retry later"
    };
    Result<Claim> TryClaim(const std::string& channel_message_id);
    Status Accept(const std::string& channel_message_id);
    Status Release(const std::string& channel_message_id);

private:
    redis::Client& redis_;
    std::string prefix_;
    Options options_;
};

// What the platform should be told about a message it handed us.
enum class InboundOutcome {
    kAccepted,    // durably in Kafka (acks=all delivery report): answer 2xx
    kDuplicate,   // accepted before: answer 2xx, nothing published
    kRetryLater,  // Kafka or Redis failed, or a concurrent attempt: answer a retryable error (5xx)
};
const char* ToString(InboundOutcome outcome);

// Publishes customer messages to chat.inbound.v1 exactly once per channel message id: claim in
// the ledger, produce, wait for the delivery report, then accept (or release on failure).
// The caller fills text, customer, attachments, channel_metadata and received_at; Publish fills
// the envelope, message_id (derived from channel + channel message id, so a republish after a
// crash carries the same ids) and channel_message_id. `done` runs exactly once, on a Kafka
// delivery thread or on the caller's thread. Thread-safe.
class InboundPublisher {
public:
    InboundPublisher(kafka::Producer& producer, InboundLedger& ledger, const events::Naming& naming,
                     common::v1::Channel channel, std::string producer_name, ChannelProbe& probe);

    void Publish(const std::string& conversation_id, const std::string& channel_message_id,
                 chat::v1::InboundMessage message, std::function<void(InboundOutcome)> done);

    // The message id Publish assigns to a channel message id.
    std::string MessageId(const std::string& channel_message_id) const;

private:
    kafka::Producer& producer_;
    InboundLedger& ledger_;
    const events::Naming& naming_;
    common::v1::Channel channel_;
    std::string producer_name_;
    ChannelProbe& probe_;
};

}  // namespace switchboard::channel
