#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace switchboard::kb {

// Turns a text into a unit-length vector whose dot product with another measures how close their
// meanings are (a sentence encoder). Implementations must be thread-safe.
class Embedder {
public:
    virtual ~Embedder() = default;
    virtual std::vector<float> Embed(std::string_view text) const = 0;
    // Embed for each text, in order; implementations may do it faster than one by one.
    virtual std::vector<std::vector<float>> EmbedBatch(const std::vector<std::string>& texts) const {
        std::vector<std::vector<float>> out;
        out.reserve(texts.size());
        for (const auto& t : texts) out.push_back(Embed(t));
        return out;
    }
    virtual std::size_t dim() const = 0;
};

// The embeddings of `texts`: from `known` where it has them, the others from one
// inner.EmbedBatch call; those are added to `known` (all under `mu`) and, when `added` is given,
// their texts appended to it. The memory behind CachingEmbedder and assistant eval's file cache.
std::vector<std::vector<float>> EmbedRemembering(const Embedder& inner, std::mutex& mu,
                                                 std::unordered_map<std::string, std::vector<float>>& known,
                                                 const std::vector<std::string>& texts,
                                                 std::vector<std::string>* added = nullptr);

// Remembers the embedding of every text embedded in a batch (the knowledge base's question variants,
// see Index), so rebuilding an index after a small knowledge-base change only embeds the new ones. Unbounded: it holds what the
// knowledge base holds (about 1.5 KiB per variant at 384 dimensions). Thread-safe.
class CachingEmbedder final : public Embedder {
public:
    explicit CachingEmbedder(const Embedder& inner) : inner_(inner) {}

    // Looks the text up but does not remember it: single texts are customers' queries, which
    // would grow the cache without bound.
    std::vector<float> Embed(std::string_view text) const override {
        {
            std::lock_guard lock(mu_);
            if (auto it = cache_.find(std::string(text)); it != cache_.end()) return it->second;
        }
        return inner_.Embed(text);
    }

    std::vector<std::vector<float>> EmbedBatch(const std::vector<std::string>& texts) const override {
        return EmbedRemembering(inner_, mu_, cache_, texts);
    }

    std::size_t dim() const override { return inner_.dim(); }

private:
    const Embedder& inner_;
    mutable std::mutex mu_;
    mutable std::unordered_map<std::string, std::vector<float>> cache_;
};

}  // namespace switchboard::kb
