#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "switchboard/core/error.hpp"

namespace switchboard::kafka {

struct TopicSpec {
    std::string name;
    int partitions = 6;
    int replication_factor = 1;
    std::map<std::string, std::string> configs;  // e.g. {"cleanup.policy", "compact"}
};

// Creates the topics that do not exist yet; existing ones are left as they are (not an error).
// Blocking; safe to call from several processes at once.
Status EnsureTopics(const std::string& brokers, const std::vector<TopicSpec>& topics,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The names of the cluster's topics (internal ones included).
Result<std::vector<std::string>> ListTopics(const std::string& brokers,
                                            std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Deletes topics (missing ones count as deleted) and waits for the broker's answer. For tests
// and tools that create throwaway topics: a long-lived broker otherwise accumulates them.
Status DeleteTopics(const std::string& brokers, const std::vector<std::string>& topics,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace switchboard::kafka
