#include "switchboard/kb/embedder.hpp"

namespace switchboard::kb {

std::vector<std::vector<float>> EmbedRemembering(const Embedder& inner, std::mutex& mu,
                                                 std::unordered_map<std::string, std::vector<float>>& known,
                                                 const std::vector<std::string>& texts,
                                                 std::vector<std::string>* added) {
    std::vector<std::vector<float>> out(texts.size());
    std::vector<std::string> missing;
    std::vector<std::size_t> where;
    {
        std::lock_guard lock(mu);
        for (std::size_t i = 0; i < texts.size(); ++i) {
            if (auto it = known.find(texts[i]); it != known.end()) {
                out[i] = it->second;
            } else {
                missing.push_back(texts[i]);
                where.push_back(i);
            }
        }
    }
    if (missing.empty()) return out;
    auto fresh = inner.EmbedBatch(missing);  // outside the lock: other callers go on meanwhile
    std::lock_guard lock(mu);
    for (std::size_t k = 0; k < fresh.size(); ++k) {
        if (known.emplace(missing[k], fresh[k]).second && added != nullptr) added->push_back(missing[k]);
        out[where[k]] = std::move(fresh[k]);
    }
    return out;
}

}  // namespace switchboard::kb
