#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "switchboard/kb/article.hpp"
#include "switchboard/kb/classifier.hpp"
#include "switchboard/kb/embedder.hpp"

namespace switchboard::kb {

struct Match {
    const Article* article = nullptr;  // points into the Index; valid while the Index lives
    double score = 0;                  // cosine similarity in [0, 1]
    // What the score blends: retrieval's (the vote of its best variants) and the classifier's
    // probability (0 without a classifier); and the best single variant's similarity.
    double retrieval = 0;
    double probability = 0;
    double best_variant = 0;
};

// Lexical retrieval over every question variant, in three TF-IDF spaces: stemmed words, stemmed
// word bigrams and character 3-5-grams of the normalized text (robust to typos and inflections
// the stemmer misses). A variant's score is the weighted sum of its cosine similarities; an
// article's is a decaying vote of its best variants (several close paraphrases are stronger
// evidence than one), normalized by what an article with that many variants can reach. Sentence
// encoders (Embedders) add semantic spaces: their cosine similarity joins the weighted sum
// (hybrid retrieval) for the languages each one understands.
//
// On top of retrieval, a classifier (multinomial logistic regression, one class per article) is
// trained at construction on every variant's lexical TF-IDF features (hashed) and all encoders'
// embeddings; the final score blends the retrieval score with its probability. Immutable after
// construction: Search is thread-safe.
class Index {
public:
    struct Options {
        double word_weight = 0.45;
        double bigram_weight = 0.15;
        double char_weight = 0.40;
        // The i-th best variant of an article counts second_variant_weight^i (up to 5 variants).
        double second_variant_weight = 0.8;
        // Share of the final score given to the classifier's probability (0 = retrieval only).
        double classifier_weight = 0.5;
        // Encoders' similarity is computed for the variants of at most this many articles: the
        // best by lexical retrieval and the best by the classifier, half each (0, or no classifier:
        // every variant). Past it, a query's cost no longer grows with the knowledge base's
        // embeddings.
        std::size_t semantic_candidates = 64;
        LinearClassifier::Options classifier;
        // Scale of each lexical space's (unit-length) TF-IDF vector, and of each encoder's
        // embedding, among the classifier's features.
        double classifier_lexical_scale = 1.0;
        double classifier_semantic_scale = 1.0;
        // Upper bound on the classifier's weights (floats): lexical features are hashed into
        // min(distinct features, this / articles) buckets, so a big knowledge base stays bounded.
        std::size_t classifier_max_weights = std::size_t{16} << 20;
    };
    // A sentence encoder's space. `embedder` must outlive the Index.
    struct Semantic {
        const Embedder* embedder = nullptr;
        // Of its cosine similarity in retrieval, against the lexical spaces' (1.0 together; chosen
        // on CLINC150's validation split).
        double weight = 2.5;
        // Languages whose queries it understands well enough for retrieval; empty = all. (The
        // classifier uses every encoder for every query: it learns how far to trust each.)
        std::vector<std::string> languages;
    };

    explicit Index(std::vector<Article> articles);
    // Every question variant is embedded by each encoder at construction, every query at search.
    Index(std::vector<Article> articles, Options options, std::vector<Semantic> semantic = {});

    // Best `k` enabled articles for `query`, best first, score > 0 only. `lang` filters when set
    // (by primary subtag, any case: "en-US" finds "en" and "EN" articles; an article without a
    // language is in every one); so does `channel` (one of kChannelNames): only articles allowed
    // on it (Article::channels empty or naming it) are returned, and for a channel that list does
    // not know, only unrestricted ones.
    std::vector<Match> Search(std::string_view query, std::size_t k, std::string_view lang = {},
                              std::string_view channel = {}) const;
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
    using Features = std::array<std::vector<std::string>, kSpaces>;
    static Features Extract(std::string_view text);
    static void Build(Space& space, const std::vector<std::vector<std::string>>& docs);
    // A text's unit-length TF-IDF vector in one space, as (term, weight); terms point into the
    // Features it was computed from.
    using Weighed = std::vector<std::pair<const std::string*, float>>;
    Weighed Weigh(const Space& space, const std::vector<std::string>& features) const;
    std::array<Weighed, kSpaces> WeighAll(const Features& f) const;
    // Adds weight × cosine to every variant sharing a term with the query.
    void Accumulate(const Space& space, const Weighed& query, double weight, std::vector<float>& scores) const;
    // The classifier's lexical features: the spaces' vectors, terms hashed into hash_buckets_.
    std::vector<SparseFeature> HashedFeatures(const std::array<Weighed, kSpaces>& weighed) const;
    void TrainClassifier(const std::vector<Features>& doc_features, const std::vector<std::vector<float>>& embeddings);
    // Which articles' variants get the encoders' similarity (see Options::semantic_candidates).
    std::vector<bool> SemanticCandidates(const std::vector<float>& doc_scores, const std::vector<float>& prob,
                                         const std::vector<std::uint8_t>& eligible) const;
    // Which articles a search may return: enabled ones, in `lang` and allowed on `channel` when
    // they are set. One byte per article, so a search over thousands does not walk the Article
    // objects.
    std::vector<std::uint8_t> Eligible(std::string_view lang, std::string_view channel) const;

    Options options_;
    std::vector<Article> articles_;
    std::vector<std::uint32_t> doc_article_;  // question variant → article index
    std::vector<std::uint32_t> article_docs_;  // article a's variants are [article_docs_[a], article_docs_[a + 1])
    std::vector<std::string> langs_;           // the articles' languages, each once
    std::vector<std::uint16_t> article_lang_;  // index into langs_
    std::vector<std::uint8_t> enabled_;
    // Per article, bit i set if it may be used on kChannelNames[i]; every bit (unknown channels'
    // too) when it is not restricted.
    std::vector<std::uint8_t> article_channels_;
    std::array<Space, kSpaces> spaces_;
    std::vector<Semantic> semantic_;
    // Per encoder, doc-major: each variant's embedding as int8 (times its scale), a quarter of the
    // memory a search streams through. The float ones are kept only while the classifier trains.
    struct Embeddings {
        std::vector<std::int8_t> values;  // dim per variant
        std::vector<float> scales;        // one per variant
    };
    std::vector<Embeddings> embeddings_;
    void QuantizeEmbeddings(std::vector<std::vector<float>>& floats);
    std::size_t dense_dim_ = 0;                   // all encoders' dims together
    std::size_t hash_buckets_ = 0;
    LinearClassifier classifier_;
};

}  // namespace switchboard::kb
