#include "switchboard/kb/index.hpp"

#include <algorithm>
#include <cmath>

#include "switchboard/kb/text.hpp"

namespace switchboard::kb {

namespace {

std::unordered_map<std::string, double> TermFrequencies(const std::vector<std::string>& tokens) {
    std::unordered_map<std::string, double> tf;
    for (const auto& t : tokens) tf[t] += 1.0;
    return tf;
}

// Byte offsets of UTF-8 code point starts in `s`, plus s.size().
std::vector<std::size_t> CodePointStarts(const std::string& s) {
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
    }
    starts.push_back(s.size());
    return starts;
}

}  // namespace

std::array<std::vector<std::string>, Index::kSpaces> Index::Features(std::string_view text) {
    std::array<std::vector<std::string>, kSpaces> f;
    f[kWords] = StemmedTokens(text);
    for (std::size_t i = 0; i + 1 < f[kWords].size(); ++i) {
        f[kBigrams].push_back(f[kWords][i] + " " + f[kWords][i + 1]);
    }
    // Character n-grams of each normalized word with boundary marks: "пароль" → " па", "пар", ….
    const std::string norm = Normalize(text);
    std::size_t pos = 0;
    while (pos < norm.size()) {
        const auto end = std::min(norm.find(' ', pos), norm.size());
        const std::string word = " " + norm.substr(pos, end - pos) + " ";
        const auto cp = CodePointStarts(word);
        const std::size_t n_cp = cp.size() - 1;
        for (std::size_t n = 3; n <= 5; ++n) {
            for (std::size_t i = 0; i + n <= n_cp; ++i) f[kChars].push_back(word.substr(cp[i], cp[i + n] - cp[i]));
        }
        pos = end + 1;
    }
    return f;
}

void Index::Build(Space& space, const std::vector<std::vector<std::string>>& docs) {
    std::vector<std::unordered_map<std::string, double>> tfs;
    tfs.reserve(docs.size());
    std::unordered_map<std::string, double> df;
    for (const auto& d : docs) {
        auto tf = TermFrequencies(d);
        for (auto& [term, count] : tf) {
            df[term] += 1.0;
            count = 1.0 + std::log(count);  // sublinear: a repeated word is not twice the evidence
        }
        tfs.push_back(std::move(tf));
    }
    const double n = static_cast<double>(docs.size());
    for (const auto& [term, count] : df) space.idf[term] = std::log((n + 1.0) / (count + 1.0)) + 1.0;
    space.unknown_idf = std::log(n + 1.0) + 1.0;
    for (std::size_t d = 0; d < tfs.size(); ++d) {
        double norm = 0;
        for (auto& [term, w] : tfs[d]) {
            w *= space.idf[term];
            norm += w * w;
        }
        norm = std::sqrt(norm);
        if (norm == 0) continue;
        for (const auto& [term, w] : tfs[d]) {
            space.postings[term].push_back({static_cast<std::uint32_t>(d), static_cast<float>(w / norm)});
        }
    }
}

Index::Index(std::vector<Article> articles) : Index(std::move(articles), Options{}) {}

Index::Index(std::vector<Article> articles, Options options, const Embedder* embedder)
    : options_(options), articles_(std::move(articles)), embedder_(embedder) {
    if (embedder_ == nullptr || options_.semantic_weight == 0) {
        embedder_ = nullptr;
        options_.semantic_weight = 0;
    } else {
        dim_ = embedder_->dim();
    }
    std::array<std::vector<std::vector<std::string>>, kSpaces> docs;
    for (std::size_t a = 0; a < articles_.size(); ++a) {
        for (const auto& q : articles_[a].questions) {
            auto f = Features(q);
            for (std::size_t s = 0; s < kSpaces; ++s) docs[s].push_back(std::move(f[s]));
            doc_article_.push_back(static_cast<std::uint32_t>(a));
        }
    }
    for (std::size_t s = 0; s < kSpaces; ++s) Build(spaces_[s], docs[s]);
    if (embedder_ != nullptr) {
        // In batches: the encoder multiplies bigger matrices faster per text.
        constexpr std::size_t kBatch = 64;
        std::vector<std::string> batch;
        embeddings_.reserve(doc_article_.size() * dim_);
        auto flush = [&] {
            for (const auto& e : embedder_->EmbedBatch(batch)) embeddings_.insert(embeddings_.end(), e.begin(), e.end());
            batch.clear();
        };
        for (const auto& art : articles_) {
            for (const auto& q : art.questions) {
                batch.push_back(q);
                if (batch.size() == kBatch) flush();
            }
        }
        if (!batch.empty()) flush();
        if (options_.classifier_weight > 0) TrainClassifier();
    }
}

// Multinomial logistic regression, one class per article, trained by SGD on the variants'
// embeddings (deterministic order and seed, so a rebuild gives the same model).
void Index::TrainClassifier() {
    const std::size_t classes = articles_.size();
    const std::size_t n = doc_article_.size();
    const std::size_t width = dim_ + 1;
    if (classes < 2 || n == 0) return;
    classifier_.assign(classes * width, 0.0f);
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::vector<float> logits(classes);
    std::uint64_t rng = 0x9E3779B97F4A7C15ULL;
    constexpr float kL2 = 1e-5f;
    for (int epoch = 0; epoch < options_.classifier_epochs; ++epoch) {
        for (std::size_t i = n; i > 1; --i) {  // Fisher-Yates with a fixed xorshift stream
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            std::swap(order[i - 1], order[rng % i]);
        }
        const float lr = 2.0f / (1.0f + static_cast<float>(epoch));
        for (std::size_t d : order) {
            const float* x = &embeddings_[d * dim_];
            float max_logit = -1e30f;
            for (std::size_t c = 0; c < classes; ++c) {
                const float* w = &classifier_[c * width];
                float z = w[dim_];
                for (std::size_t k = 0; k < dim_; ++k) z += w[k] * x[k];
                logits[c] = z;
                max_logit = std::max(max_logit, z);
            }
            float sum = 0;
            for (auto& z : logits) {
                z = std::exp(z - max_logit);
                sum += z;
            }
            const std::size_t label = doc_article_[d];
            for (std::size_t c = 0; c < classes; ++c) {
                const float g = logits[c] / sum - (c == label ? 1.0f : 0.0f);
                if (std::abs(g) < 1e-4f) continue;  // most classes barely move: skip their update
                float* w = &classifier_[c * width];
                for (std::size_t k = 0; k < dim_; ++k) w[k] -= lr * (g * x[k] + kL2 * w[k]);
                w[dim_] -= lr * g;
            }
        }
    }
}

void Index::Accumulate(const Space& space, const std::vector<std::string>& features, double weight,
                       std::vector<float>& scores) const {
    if (weight == 0 || features.empty()) return;
    auto tf = TermFrequencies(features);
    double norm = 0;
    for (auto& [term, w] : tf) {
        auto it = space.idf.find(term);
        // Unknown features still count in the query's norm: a query mostly about things the
        // knowledge base never mentions must not look like a perfect match.
        w = (1.0 + std::log(w)) * (it == space.idf.end() ? space.unknown_idf : it->second);
        norm += w * w;
    }
    norm = std::sqrt(norm);
    if (norm == 0) return;
    for (const auto& [term, w] : tf) {
        auto it = space.postings.find(term);
        if (it == space.postings.end()) continue;
        const auto qw = static_cast<float>(weight * w / norm);
        for (const auto& p : it->second) scores[p.doc] += p.weight * qw;
    }
}

std::vector<Match> Index::Search(std::string_view query, std::size_t k, std::string_view lang) const {
    const auto f = Features(query);
    std::vector<float> doc_scores(doc_article_.size(), 0.0f);
    Accumulate(spaces_[kWords], f[kWords], options_.word_weight, doc_scores);
    Accumulate(spaces_[kBigrams], f[kBigrams], options_.bigram_weight, doc_scores);
    Accumulate(spaces_[kChars], f[kChars], options_.char_weight, doc_scores);
    const bool semantic =
        embedder_ != nullptr &&
        (lang.empty() || options_.semantic_languages.empty() ||
         std::find(options_.semantic_languages.begin(), options_.semantic_languages.end(), lang) !=
             options_.semantic_languages.end());
    std::vector<float> q;  // the query's embedding, for the semantic space and the classifier
    if (semantic) {
        q = embedder_->Embed(query);
        const auto w = static_cast<float>(options_.semantic_weight);
        const float* e = embeddings_.data();
        for (std::size_t d = 0; d < doc_scores.size(); ++d, e += dim_) {
            float dot = 0;
            for (std::size_t i = 0; i < dim_; ++i) dot += e[i] * q[i];
            if (dot > 0) doc_scores[d] += w * dot;
        }
    }

    // An article's evidence: its best variants, the i-th weighted decay^i (a vote of near neighbours).
    constexpr std::size_t kTop = 5;
    std::vector<std::array<float, kTop>> top(articles_.size(), std::array<float, kTop>{});
    for (std::size_t d = 0; d < doc_scores.size(); ++d) {
        float s = doc_scores[d];
        if (s <= 0) continue;
        auto& t = top[doc_article_[d]];
        for (std::size_t i = 0; i < kTop && s > 0; ++i) {
            if (s > t[i]) std::swap(s, t[i]);
        }
    }
    const double total_weight = options_.word_weight + options_.bigram_weight + options_.char_weight +
                                (semantic ? options_.semantic_weight : 0.0);
    // decay_sum[n]: the most an article with n variants can collect, so few-variant articles are
    // not penalized for having few paraphrases.
    std::array<double, kTop> decay{};
    std::array<double, kTop + 1> decay_sum{};
    for (std::size_t i = 0; i < kTop; ++i) {
        decay[i] = std::pow(options_.second_variant_weight, static_cast<double>(i));
        decay_sum[i + 1] = decay_sum[i] + decay[i];
    }
    // The classifier's probability per article, when on.
    std::vector<float> prob;
    if (semantic && !classifier_.empty()) {
        const std::size_t width = dim_ + 1;
        prob.resize(articles_.size());
        float max_logit = -1e30f;
        for (std::size_t c = 0; c < articles_.size(); ++c) {
            const float* w = &classifier_[c * width];
            float z = w[dim_];
            for (std::size_t j = 0; j < dim_; ++j) z += w[j] * q[j];
            prob[c] = z;
            max_logit = std::max(max_logit, z);
        }
        float sum = 0;
        for (auto& p : prob) {
            p = std::exp(p - max_logit);
            sum += p;
        }
        for (auto& p : prob) p /= sum;
    }
    std::vector<Match> out;
    for (std::size_t a = 0; a < articles_.size(); ++a) {
        const Article& art = articles_[a];
        if (top[a][0] <= 0 || !art.enabled || (!lang.empty() && art.lang != lang)) continue;
        double raw = 0;
        for (std::size_t i = 0; i < kTop; ++i) raw += decay[i] * top[a][i];
        const std::size_t n = std::min(kTop, art.questions.size());
        // A near-exact match of one curated variant is as strong as a chorus of close ones.
        const double vote = raw / (total_weight * decay_sum[n]);
        const double single = top[a][0] / total_weight;
        double score = std::max(vote, single * single);
        if (!prob.empty()) score = (1.0 - options_.classifier_weight) * score + options_.classifier_weight * prob[a];
        out.push_back({&art, std::clamp(score, 0.0, 1.0)});
    }
    const std::size_t keep = std::min(k, out.size());
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(keep), out.end(),
                      [](const Match& x, const Match& y) {
                          return x.score != y.score ? x.score > y.score : x.article->id < y.article->id;
                      });
    out.resize(keep);
    return out;
}

const Article* Index::Find(const ArticleId& id) const {
    for (const auto& a : articles_) {
        if (a.id == id) return &a;
    }
    return nullptr;
}

}  // namespace switchboard::kb
