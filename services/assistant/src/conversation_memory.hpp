#pragma once

#include <string>
#include <vector>

#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/core/error.hpp"
#include "switchboard/core/strong_id.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::assistant {

// The last lines of each conversation as the assistant saw them (customer messages and its own
// answers), so a handoff carries the transcript and a repeated question can be recognised.
// Redis list P asst:transcript:<conv> of serialized chat.v1.TranscriptEntry, the last 20 kept for
// 24 hours. Thread-safe (as the redis::Client).
class ConversationMemory {
public:
    static constexpr int kKeep = 20;
    ConversationMemory(redis::Client& redis, std::string prefix);

    Result<std::vector<chat::v1::TranscriptEntry>> Recent(const ConversationId& id);
    Status Append(const ConversationId& id, const std::vector<chat::v1::TranscriptEntry>& entries);

private:
    redis::Client& redis_;
    std::string prefix_;
};

}  // namespace switchboard::assistant
