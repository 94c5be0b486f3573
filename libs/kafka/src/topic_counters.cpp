#include "topic_counters.hpp"

#include <utility>

namespace switchboard::kafka {

TopicCounters::TopicCounters(prometheus::Registry* registry, const std::string& name,
                             const std::string& help, std::vector<std::string> results)
    : results_(std::move(results)) {
    if (registry != nullptr) {
        // The registry merges same-named families, so several clients may share one registry.
        family_ = &prometheus::BuildCounter().Name(name).Help(help).Register(*registry);
    }
}

const TopicCounters::Set* TopicCounters::For(std::string_view topic) {
    if (family_ == nullptr) return nullptr;
    std::lock_guard lock(mu_);
    auto it = by_topic_.find(topic);
    if (it == by_topic_.end()) {
        Set set;
        set.reserve(results_.size());
        for (const auto& result : results_) {
            set.push_back(&family_->Add({{"topic", std::string(topic)}, {"result", result}}));
        }
        // unordered_map nodes are stable, so the returned pointer survives later inserts.
        it = by_topic_.emplace(std::string(topic), std::move(set)).first;
    }
    return &it->second;
}

}  // namespace switchboard::kafka
