#pragma once

#include <string>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::assistant {

// The questions the assistant could not answer (handed off for low confidence or because the
// answer did not help): the raw material for "what to add next". Redis list P asst:gaps of
// "<lang>\t<text>", newest first, the last 5,000 kept. Thread-safe.
class GapLog {
public:
    static constexpr int kKeep = 5000;
    struct Question {
        std::string lang;
        std::string text;
    };

    GapLog(redis::Client& redis, std::string prefix);
    Status Record(const std::string& lang, const std::string& text);
    Result<std::vector<Question>> Recent(const std::string& lang_filter = {});

private:
    redis::Client& redis_;
    std::string key_;
};

}  // namespace switchboard::assistant
