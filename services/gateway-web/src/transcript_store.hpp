#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "switchboard/channel/inbound.hpp"
#include "switchboard/core/error.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::gateway_web {

// The web conversation as the customer sees it (entries are JSON objects, oldest first), the
// widget's message-id dedup and the reply-id delivery ledger, in Redis so any replica serves any
// conversation. Keys: P web:transcript:<conv> (list, last 500, 30 days), P web:seq:<conv> (the
// conversation's last entry sequence number), P web:dedup:<conv>:<id>, P web:delivered:<reply id>;
// pub/sub channel P web:live.
//
// Every appended entry gets the conversation's next sequence number as its first field, "seq"
// (1, 2, 3… in list order, assigned in the same script as the append): the resume cursor of the
// widget's WebSocket (see resume.hpp). Entries stored before sequence numbers existed have none.
// Thread-safe; errors are the Redis client's (retryable on connection trouble).
class TranscriptStore {
public:
    TranscriptStore(redis::Client& redis, std::string prefix);

    // The widget's message ids (key: "<conversation id>:<client message id>"): claimed while the
    // message is being published, accepted once it is in Kafka (libs/channel's InboundLedger), so
    // a retry racing an attempt still in flight is told to retry rather than "duplicate".
    channel::InboundLedger& MessageIds() { return message_ids_; }

    // Appends `entry_json` (a non-empty JSON object) as the next entry; its sequence number.
    Result<std::uint64_t> Append(const std::string& conversation_id, const std::string& entry_json);
    Result<std::vector<std::string>> List(const std::string& conversation_id);

    enum class Delivery { kNew, kDeliveredNotReported, kReported };
    struct DeliverOutcome {
        Delivery delivery;
        std::uint64_t seq;  // the new entry's sequence number; 0 unless kNew
    };
    // Appends the reply to the transcript unless this reply id was delivered before.
    Result<DeliverOutcome> DeliverOnce(const std::string& conversation_id, const std::string& reply_id,
                                       const std::string& entry_json);
    // The ReplyDelivered event for this reply is published.
    Status MarkReported(const std::string& reply_id);

    // Live fan-out to every gateway-web replica (whichever holds the customer's WebSocket):
    // publishes "<conversation id>\n<payload>" on LiveChannel().
    Status PublishLive(const std::string& conversation_id, const std::string& payload);
    std::string LiveChannel() const { return prefix_ + "web:live"; }
    // Splits a LiveChannel() message; false if malformed.
    static bool ParseLive(const std::string& message, std::string& conversation_id, std::string& payload);

private:
    std::string TranscriptKey(const std::string& conversation_id) const;
    std::string SequenceKey(const std::string& conversation_id) const;

    redis::Client& redis_;
    std::string prefix_;
    channel::InboundLedger message_ids_;
};

}  // namespace switchboard::gateway_web
