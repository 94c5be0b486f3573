#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace switchboard::kafka {

// A counter family labelled {topic, result} whose counters are looked up once per topic and
// then kept, so the hot path is one small-map lookup and an atomic add.
//
// Thread-safety: all methods may be called from any thread. A null registry disables metrics.
class TopicCounters {
public:
    // One counter per topic and value of `results`; callers index them by their own enum.
    using Set = std::vector<prometheus::Counter*>;

    TopicCounters(prometheus::Registry* registry, const std::string& name, const std::string& help,
                  std::vector<std::string> results);

    // The counters of `topic`, or null when metrics are off. Valid as long as this object.
    const Set* For(std::string_view topic);

    static void Increment(const Set* set, std::size_t result) {
        if (set != nullptr) (*set)[result]->Increment();
    }

private:
    // Transparent, so a lookup by string_view does not allocate.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };

    prometheus::Family<prometheus::Counter>* family_ = nullptr;
    const std::vector<std::string> results_;
    std::mutex mu_;
    std::unordered_map<std::string, Set, Hash, std::equal_to<>> by_topic_;
};

}  // namespace switchboard::kafka
