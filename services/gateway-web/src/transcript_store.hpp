#pragma once

#include <string>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::gateway_web {

// The web conversation as the customer sees it (entries are JSON objects, oldest first), the
// widget's message-id dedup and the reply-id delivery ledger, in Redis so any replica serves any
// conversation. Keys: P web:transcript:<conv> (list, last 500, 30 days), P web:dedup:<conv>:<id>,
// P web:delivered:<reply id>; pub/sub channel P web:live. Thread-safe.
class TranscriptStore {
public:
    TranscriptStore(redis::Client& redis, std::string prefix);

    // Claims a client message id for a conversation. False if it was claimed before (duplicate).
    Result<bool> ClaimMessageId(const std::string& conversation_id, const std::string& client_message_id);
    // Gives a claim back (publishing failed), so the client's retry is accepted.
    Status ReleaseMessageId(const std::string& conversation_id, const std::string& client_message_id);

    Status Append(const std::string& conversation_id, const std::string& entry_json);
    Result<std::vector<std::string>> List(const std::string& conversation_id);

    enum class Delivery { kNew, kDeliveredNotReported, kReported };
    // Appends the reply to the transcript unless this reply id was delivered before.
    Result<Delivery> DeliverOnce(const std::string& conversation_id, const std::string& reply_id,
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
    redis::Client& redis_;
    std::string prefix_;
};

}  // namespace switchboard::gateway_web
