#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::gateway_email {

// What a conversation's next reply needs to thread into the customer's mail client.
struct ThreadState {
    std::string customer;                 // the customer's From address (lower-case): who owns the thread
    std::string customer_name;            // display name, may be empty
    std::string reply_to;                 // where replies go (Reply-To, else From)
    std::string subject;                  // the thread's subject without "Re:" prefixes
    std::string last_message_id;          // the customer's latest Message-ID (our In-Reply-To)
    std::vector<std::string> references;  // that message's References (ours = these + last id)
};

// E-mail threads: which conversation a Message-ID belongs to (every Message-ID we receive and
// every one we send) and each conversation's ThreadState.
// Errors: retryable when the store is unreachable. Thread-safety: implementations are thread-safe.
class ThreadStore {
public:
    virtual ~ThreadStore() = default;
    // The conversation of the first of `message_ids` (in the given order) that is known.
    virtual Result<std::optional<std::string>> FindConversation(const std::vector<std::string>& message_ids) = 0;
    virtual Result<std::optional<ThreadState>> Get(const std::string& conversation_id) = 0;
    // Maps `message_id` to the conversation and, if that id was not known before, makes `state`
    // the conversation's state (a redelivered older message never rolls the state back).
    // True if the id was new.
    virtual Result<bool> RecordInbound(const std::string& conversation_id, const std::string& message_id,
                                       const ThreadState& state) = 0;
    // Maps a Message-ID we send to the conversation, so the customer's answer to it threads.
    virtual Status RememberSent(const std::string& conversation_id, const std::string& message_id) = 0;
};

// ThreadStore in Redis, keys under `prefix` (naming.RedisPrefix() + "email:"):
//   <prefix>msg:<message-id>  → conversation id
//   <prefix>conv:<conversation id> → hash {customer, name, reply_to, subject, last, refs}
// both expiring after `ttl` (refreshed on use). RecordInbound is one Lua script (atomic).
class RedisThreadStore final : public ThreadStore {
public:
    RedisThreadStore(redis::Client& redis, std::string prefix, std::chrono::seconds ttl);

    Result<std::optional<std::string>> FindConversation(const std::vector<std::string>& message_ids) override;
    Result<std::optional<ThreadState>> Get(const std::string& conversation_id) override;
    Result<bool> RecordInbound(const std::string& conversation_id, const std::string& message_id,
                               const ThreadState& state) override;
    Status RememberSent(const std::string& conversation_id, const std::string& message_id) override;

private:
    std::string MessageKey(const std::string& message_id) const { return prefix_ + "msg:" + message_id; }
    std::string ConversationKey(const std::string& conversation_id) const { return prefix_ + "conv:" + conversation_id; }

    redis::Client& redis_;
    std::string prefix_;
    std::chrono::seconds ttl_;
};

}  // namespace switchboard::gateway_email
