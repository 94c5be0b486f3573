#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/kb/embedder.hpp"

namespace switchboard::assistant {

// An Embedder that remembers every embedding it computes in a file, for `assistant eval` runs
// that differ only in their knobs: the second run over the same knowledge base and cases embeds
// nothing. The file belongs to one model: a changed model needs a new file (a different
// dimension is refused; the same dimension is not detected). Entries are appended by Flush (and
// by the destructor), never rewritten. Thread-safe.
class EmbeddingFileCache final : public kb::Embedder {
public:
    // Reads `path` if it exists. Errors: unreadable or malformed file, or another dimension.
    static Result<std::unique_ptr<EmbeddingFileCache>> Open(const kb::Embedder& inner, std::string path);
    ~EmbeddingFileCache() override;

    std::vector<float> Embed(std::string_view text) const override;
    std::vector<std::vector<float>> EmbedBatch(const std::vector<std::string>& texts) const override;
    std::size_t dim() const override { return inner_.dim(); }

    // Appends the embeddings computed since the last Flush to the file.
    Status Flush() const;
    std::size_t size() const;

private:
    EmbeddingFileCache(const kb::Embedder& inner, std::string path) : inner_(inner), path_(std::move(path)) {}

    const kb::Embedder& inner_;
    const std::string path_;
    mutable std::mutex mu_;
    mutable std::unordered_map<std::string, std::vector<float>> known_;
    mutable std::vector<std::string> unsaved_;
};

}  // namespace switchboard::assistant
