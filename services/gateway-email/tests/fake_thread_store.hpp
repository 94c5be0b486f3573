#pragma once

#include <map>
#include <mutex>

#include "thread_store.hpp"

namespace switchboard::gateway_email {

// In-memory ThreadStore for unit tests; thread_store_test runs the same contract suite against it
// and against RedisThreadStore. `fail` makes every call a retryable error.
class FakeThreadStore final : public ThreadStore {
public:
    Result<std::optional<std::string>> FindConversation(const std::vector<std::string>& message_ids) override {
        std::lock_guard lock(mu_);
        if (fail) return Error::Retryable("fake store down");
        for (const auto& id : message_ids) {
            if (auto it = ids_.find(id); it != ids_.end()) return std::optional<std::string>(it->second);
        }
        return std::optional<std::string>{};
    }
    Result<std::optional<ThreadState>> Get(const std::string& conversation_id) override {
        std::lock_guard lock(mu_);
        if (fail) return Error::Retryable("fake store down");
        auto it = states_.find(conversation_id);
        if (it == states_.end()) return std::optional<ThreadState>{};
        return std::optional<ThreadState>(it->second);
    }
    Result<bool> RecordInbound(const std::string& conversation_id, const std::string& message_id,
                               const ThreadState& state) override {
        std::lock_guard lock(mu_);
        if (fail) return Error::Retryable("fake store down");
        if (ids_.count(message_id) != 0) return false;
        ids_[message_id] = conversation_id;
        states_[conversation_id] = state;
        return true;
    }
    Status RememberSent(const std::string& conversation_id, const std::string& message_id) override {
        std::lock_guard lock(mu_);
        if (fail) return Error::Retryable("fake store down");
        ids_[message_id] = conversation_id;
        return Status::Ok();
    }

    bool fail = false;

private:
    std::mutex mu_;
    std::map<std::string, std::string> ids_;
    std::map<std::string, ThreadState> states_;
};

}  // namespace switchboard::gateway_email
