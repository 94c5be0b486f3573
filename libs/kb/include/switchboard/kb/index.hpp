#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "switchboard/kb/article.hpp"
#include "switchboard/kb/embedder.hpp"

namespace switchboard::kb {

struct Match {
    const Article* article = nullptr;  // points into the Index; valid while the Index lives
    double score = 0;                  // cosine similarity in [0, 1]
};

// Lexical retrieval over every question variant, in three TF-IDF spaces: stemmed words, stemmed
// word bigrams and character 3-5-grams of the normalized text (robust to typos and inflections
// the stemmer misses). A variant's score is the weighted sum of its cosine similarities; an
// article's is a decaying vote of its best variants (several close paraphrases are stronger
// evidence than one), normalized by what an article with that many variants can reach. With an
// Embedder, the sentence encoder's cosine similarity joins the weighted sum (hybrid retrieval). Immutable after construction: Search is thread-safe.
class Index {
public:
    struct Options {
        double word_weight = 0.45;
        double bigram_weight = 0.15;
        double char_weight = 0.40;
        // Weight of the sentence encoder's cosine similarity, when an Embedder is given.
        double semantic_weight = 1.0;
        // Languages the encoder understands: queries searched with another `lang` use the lexical
        // spaces only (all-MiniLM-L6-v2 is English-only and blurs Russian). Empty = all.
        std::vector<std::string> semantic_languages{"en"};
        // With an Embedder: share of the final score given to a softmax classifier trained on the
        // variants' embeddings at construction (0 = off). The rest is the retrieval score.
        double classifier_weight = 0.0;
        int classifier_epochs = 30;
        // The i-th best variant of an article counts second_variant_weight^i (up to 5 variants).
        double second_variant_weight = 0.8;
    };

    explicit Index(std::vector<Article> articles);
    // `embedder` (optional, must outlive the Index) adds a semantic space: every question variant is
    // embedded at construction and every query at search.
    Index(std::vector<Article> articles, Options options, const Embedder* embedder = nullptr);

    // Best `k` enabled articles for `query`, best first, score > 0 only. `lang` filters when set.
    std::vector<Match> Search(std::string_view query, std::size_t k, std::string_view lang = {}) const;
    const Article* Find(const ArticleId& id) const;
    std::size_t size() const { return articles_.size(); }

private:
    struct Posting {
        std::uint32_t doc;
        float weight;
    };
    // One TF-IDF vector space over the question variants.
    struct Space {
        std::unordered_map<std::string, std::vector<Posting>> postings;
        std::unordered_map<std::string, double> idf;
        double unknown_idf = 1.0;
    };
    enum SpaceId { kWords = 0, kBigrams = 1, kChars = 2, kSpaces = 3 };
    static std::array<std::vector<std::string>, kSpaces> Features(std::string_view text);
    static void Build(Space& space, const std::vector<std::vector<std::string>>& docs);
    void Accumulate(const Space& space, const std::vector<std::string>& features, double weight,
                    std::vector<float>& scores) const;

    Options options_;
    std::vector<Article> articles_;
    std::vector<std::uint32_t> doc_article_;  // question variant → article index
    std::array<Space, kSpaces> spaces_;
    const Embedder* embedder_ = nullptr;
    std::size_t dim_ = 0;
    std::vector<float> embeddings_;  // doc-major, dim_ floats per question variant
    void TrainClassifier();
    std::vector<float> classifier_;  // articles × (dim_ + 1) weights (last = bias)
};

}  // namespace switchboard::kb
