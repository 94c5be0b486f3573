#include "embedding_file_cache.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

namespace switchboard::assistant {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Embeds a text as (its length, its first byte, 1), and counts the texts it was asked for.
class CountingEmbedder final : public kb::Embedder {
public:
    explicit CountingEmbedder(std::size_t dim = 3) : dim_(dim) {}
    std::vector<float> Embed(std::string_view text) const override {
        ++calls;
        std::vector<float> v(dim_, 1.0F);
        v[0] = static_cast<float>(text.size());
        v[1] = text.empty() ? 0.0F : static_cast<float>(text[0]);
        return v;
    }
    std::size_t dim() const override { return dim_; }
    mutable std::atomic<int> calls{0};

private:
    std::size_t dim_;
};

class EmbeddingFileCacheTest : public ::testing::Test {
protected:
    void SetUp() override {
        path_ =
            (fs::temp_directory_path() / ("emb_cache_test_" + std::to_string(::getpid()) + ".emb")).string();
        fs::remove(path_);
    }
    void TearDown() override { fs::remove(path_); }
    std::string path_;
};

TEST_F(EmbeddingFileCacheTest, ASecondRunEmbedsNothingItHasSeen) {
    const std::vector<std::string> texts = {"reset my password", "", "где мой заказ"};
    const CountingEmbedder model;
    std::vector<std::vector<float>> first;
    {
        auto cache = EmbeddingFileCache::Open(model, path_);
        ASSERT_TRUE(cache.ok()) << cache.error().message;
        first = (*cache)->EmbedBatch(texts);
        EXPECT_EQ((*cache)->Embed("reset my password"), first[0]);
        EXPECT_EQ(model.calls, 3);
    }  // flushed by the destructor

    const CountingEmbedder again;
    auto cache = EmbeddingFileCache::Open(again, path_);
    ASSERT_TRUE(cache.ok()) << cache.error().message;
    EXPECT_EQ((*cache)->size(), 3U);
    EXPECT_EQ((*cache)->EmbedBatch(texts), first);
    EXPECT_EQ(again.calls, 0);
    (*cache)->Embed("a new question");
    EXPECT_EQ(again.calls, 1);
    ASSERT_TRUE((*cache)->Flush().ok());

    auto third = EmbeddingFileCache::Open(again, path_);
    ASSERT_TRUE(third.ok()) << third.error().message;
    EXPECT_EQ((*third)->size(), 4U) << "a later flush appends";
}

TEST_F(EmbeddingFileCacheTest, AnotherModelsOrABrokenFileIsAnError) {
    const CountingEmbedder model;
    {
        auto cache = EmbeddingFileCache::Open(model, path_);
        ASSERT_TRUE(cache.ok());
        (*cache)->Embed("hello");
    }
    const CountingEmbedder wider(5);
    auto other = EmbeddingFileCache::Open(wider, path_);
    ASSERT_FALSE(other.ok());
    EXPECT_THAT(other.error().message, HasSubstr("holds 3-dimensional embeddings, the encoder makes 5"));

    fs::resize_file(path_, fs::file_size(path_) - 2);
    auto truncated = EmbeddingFileCache::Open(model, path_);
    ASSERT_FALSE(truncated.ok());
    EXPECT_THAT(truncated.error().message, HasSubstr("truncated record after 0 entries"));

    std::ofstream(path_, std::ios::trunc) << "not a cache";
    auto garbage = EmbeddingFileCache::Open(model, path_);
    ASSERT_FALSE(garbage.ok());
    EXPECT_THAT(garbage.error().message, HasSubstr("not an embedding cache file"));
}

}  // namespace
}  // namespace switchboard::assistant
