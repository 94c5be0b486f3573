#include "embedding_file_cache.hpp"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace switchboard::assistant {

namespace {

// File: the magic, the dimension (u32), then records of text length (u32), text, dim floats; all
// little-endian as the machine writes them (the file is a local cache, not an exchange format).
constexpr char kMagic[8] = {'s', 'b', 'e', 'm', 'b', 'v', '1', '\n'};

}  // namespace

Result<std::unique_ptr<EmbeddingFileCache>> EmbeddingFileCache::Open(const kb::Embedder& inner,
                                                                     std::string path) {
    std::unique_ptr<EmbeddingFileCache> cache(new EmbeddingFileCache(inner, path));
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return cache;
    std::ifstream in(path, std::ios::binary);
    const auto fail = [&](const std::string& what) {
        return Error::Fatal("embedding cache " + path + ": " + what);
    };
    if (!in) return fail("cannot read it");
    char magic[sizeof kMagic];
    std::uint32_t dim = 0;
    if (!in.read(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof magic) != 0 ||
        !in.read(reinterpret_cast<char*>(&dim), sizeof dim)) {
        return fail("not an embedding cache file");
    }
    if (dim != inner.dim()) {
        return fail("holds " + std::to_string(dim) + "-dimensional embeddings, the encoder makes " +
                    std::to_string(inner.dim()) + " (delete it: it is another model's)");
    }
    std::uint32_t length = 0;
    while (in.read(reinterpret_cast<char*>(&length), sizeof length)) {
        std::string text(length, '\0');
        std::vector<float> v(dim);
        if (!in.read(text.data(), length) ||
            !in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(dim * sizeof(float)))) {
            return fail("truncated record after " + std::to_string(cache->known_.size()) + " entries");
        }
        cache->known_.insert_or_assign(std::move(text), std::move(v));
    }
    return cache;
}

EmbeddingFileCache::~EmbeddingFileCache() {
    if (auto flushed = Flush(); !flushed) std::cerr << flushed.error().message << "\n";
}

std::vector<float> EmbeddingFileCache::Embed(std::string_view text) const {
    return EmbedBatch({std::string(text)}).front();
}

std::vector<std::vector<float>> EmbeddingFileCache::EmbedBatch(const std::vector<std::string>& texts) const {
    return kb::EmbedRemembering(inner_, mu_, known_, texts, &unsaved_);
}

Status EmbeddingFileCache::Flush() const {
    std::lock_guard lock(mu_);
    if (unsaved_.empty()) return Status::Ok();
    std::error_code ec;
    const bool fresh = !std::filesystem::exists(path_, ec);
    std::ofstream out(path_, std::ios::binary | std::ios::app);
    const auto dim = static_cast<std::uint32_t>(inner_.dim());
    if (fresh) {
        out.write(kMagic, sizeof kMagic);
        out.write(reinterpret_cast<const char*>(&dim), sizeof dim);
    }
    for (const auto& text : unsaved_) {
        const auto length = static_cast<std::uint32_t>(text.size());
        out.write(reinterpret_cast<const char*>(&length), sizeof length);
        out.write(text.data(), length);
        out.write(reinterpret_cast<const char*>(known_.at(text).data()),
                  static_cast<std::streamsize>(dim * sizeof(float)));
    }
    out.flush();
    if (!out) return Error::Fatal("embedding cache " + path_ + ": cannot write it");
    unsaved_.clear();
    return Status::Ok();
}

std::size_t EmbeddingFileCache::size() const {
    std::lock_guard lock(mu_);
    return known_.size();
}

}  // namespace switchboard::assistant
