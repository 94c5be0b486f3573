#include "switchboard/kb/index.hpp"

#include <algorithm>
#include <cmath>

#include "kernels.hpp"
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

// A channel's bit in Index::article_channels_: its position in kChannelNames; every channel that
// list does not know shares the last bit, which only unrestricted articles have.
static_assert(kChannelNames.size() < 8, "a channel mask is one byte");
std::uint8_t ChannelBit(std::string_view channel) {
    const auto it = std::find(kChannelNames.begin(), kChannelNames.end(), channel);
    return static_cast<std::uint8_t>(1u << (it == kChannelNames.end() ? 7 : it - kChannelNames.begin()));
}

// Offers `item` to `heap`, which holds the `n` best by `better` with the worst of them on top:
// most of thousands of offers are turned away by one comparison.
template <typename T, typename Better>
void KeepBest(std::vector<T>& heap, std::size_t n, const T& item, Better better) {
    if (heap.size() < n) {
        heap.push_back(item);
        std::push_heap(heap.begin(), heap.end(), better);
    } else if (n > 0 && better(item, heap.front())) {
        std::pop_heap(heap.begin(), heap.end(), better);
        heap.back() = item;
        std::push_heap(heap.begin(), heap.end(), better);
    }
}

}  // namespace

Index::Features Index::Extract(std::string_view text) {
    Features f;
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

Index::Index(std::vector<Article> articles, Options options, std::vector<Semantic> semantic)
    : options_(options), articles_(std::move(articles)) {
    for (auto& s : semantic) {
        if (s.embedder == nullptr) continue;
        dense_dim_ += s.embedder->dim();
        semantic_.push_back(std::move(s));
    }
    std::vector<Features> doc_features;
    std::array<std::vector<std::vector<std::string>>, kSpaces> docs;
    for (std::size_t a = 0; a < articles_.size(); ++a) {
        const std::string primary = PrimaryLanguage(articles_[a].lang);
        const auto lang = std::find(langs_.begin(), langs_.end(), primary);
        article_lang_.push_back(static_cast<std::uint16_t>(lang - langs_.begin()));
        if (lang == langs_.end()) langs_.push_back(primary);
        enabled_.push_back(articles_[a].enabled ? 1 : 0);
        std::uint8_t channels = articles_[a].channels.empty() ? 0xFF : 0;
        for (const auto& c : articles_[a].channels)
            channels |= ChannelBit(c) & 0x7F;  // an unknown name: none
        article_channels_.push_back(channels);
        article_docs_.push_back(static_cast<std::uint32_t>(doc_article_.size()));
        for (const auto& q : articles_[a].questions) {
            doc_features.push_back(Extract(q));
            for (std::size_t s = 0; s < kSpaces; ++s) docs[s].push_back(doc_features.back()[s]);
            doc_article_.push_back(static_cast<std::uint32_t>(a));
        }
    }
    article_docs_.push_back(static_cast<std::uint32_t>(doc_article_.size()));
    for (std::size_t s = 0; s < kSpaces; ++s) Build(spaces_[s], docs[s]);
    std::vector<std::vector<float>> embeddings;  // per encoder, doc-major
    for (const auto& sem : semantic_) {
        // In batches: the encoder multiplies bigger matrices faster per text.
        constexpr std::size_t kBatch = 64;
        std::vector<std::string> batch;
        auto& out = embeddings.emplace_back();
        out.reserve(doc_article_.size() * sem.embedder->dim());
        auto flush = [&] {
            for (const auto& e : sem.embedder->EmbedBatch(batch)) out.insert(out.end(), e.begin(), e.end());
            batch.clear();
        };
        for (const auto& art : articles_) {
            for (const auto& q : art.questions) {
                batch.push_back(q);
                if (batch.size() == kBatch) flush();
            }
        }
        if (!batch.empty()) flush();
    }
    if (options_.classifier_weight > 0) TrainClassifier(doc_features, embeddings);
    QuantizeEmbeddings(embeddings);
}

void Index::QuantizeEmbeddings(std::vector<std::vector<float>>& floats) {
    for (std::size_t s = 0; s < semantic_.size(); ++s) {
        const std::size_t dim = semantic_[s].embedder->dim();
        auto& out = embeddings_.emplace_back();
        const std::size_t docs = dim == 0 ? 0 : floats[s].size() / dim;
        out.values.resize(docs * dim);
        out.scales.resize(docs);
        for (std::size_t d = 0; d < docs; ++d) {
            const float* e = &floats[s][d * dim];
            float top = 0;
            for (std::size_t i = 0; i < dim; ++i) top = std::max(top, std::abs(e[i]));
            const float scale = top > 0 ? top / 127.0f : 1.0f;
            out.scales[d] = scale;
            for (std::size_t i = 0; i < dim; ++i) {
                out.values[d * dim + i] = static_cast<std::int8_t>(std::lround(e[i] / scale));
            }
        }
        std::vector<float>().swap(floats[s]);
    }
}

Index::Weighed Index::Weigh(const Space& space, const std::vector<std::string>& features) const {
    Weighed out;
    if (features.empty()) return out;
    std::unordered_map<std::string_view, std::pair<const std::string*, double>> tf;
    for (const auto& t : features) {
        auto& e = tf[t];
        e.first = &t;
        e.second += 1.0;
    }
    double norm = 0;
    for (auto& [term, e] : tf) {
        auto it = space.idf.find(*e.first);
        // Unknown features still count in the norm: a query mostly about things the knowledge
        // base never mentions must not look like a perfect match.
        e.second = (1.0 + std::log(e.second)) * (it == space.idf.end() ? space.unknown_idf : it->second);
        norm += e.second * e.second;
    }
    norm = std::sqrt(norm);
    if (norm == 0) return out;
    out.reserve(tf.size());
    for (const auto& [term, e] : tf) out.emplace_back(e.first, static_cast<float>(e.second / norm));
    return out;
}

std::array<Index::Weighed, Index::kSpaces> Index::WeighAll(const Features& f) const {
    std::array<Weighed, kSpaces> out;
    for (std::size_t s = 0; s < kSpaces; ++s) out[s] = Weigh(spaces_[s], f[s]);
    return out;
}

void Index::Accumulate(const Space& space, const Weighed& query, double weight, std::vector<float>& scores) const {
    if (weight == 0) return;
    for (const auto& [term, w] : query) {
        auto it = space.postings.find(*term);
        if (it == space.postings.end()) continue;
        const auto qw = static_cast<float>(weight * w);
        for (const auto& p : it->second) scores[p.doc] += p.weight * qw;
    }
}

// Each space's TF-IDF vector, its terms hashed (FNV-1a, with the space as salt).
std::vector<SparseFeature> Index::HashedFeatures(const std::array<Weighed, kSpaces>& weighed) const {
    std::vector<SparseFeature> out;
    const auto scale = static_cast<float>(options_.classifier_lexical_scale);
    if (scale == 0) return out;
    for (std::size_t s = 0; s < kSpaces; ++s) {
        for (const auto& [term, w] : weighed[s]) {
            std::uint64_t h = 1469598103934665603ULL ^ (s + 1);
            for (const char c : *term) {
                h ^= static_cast<unsigned char>(c);
                h *= 1099511628211ULL;
            }
            out.push_back({static_cast<std::uint32_t>(h % hash_buckets_), scale * w});
        }
    }
    return out;
}

void Index::TrainClassifier(const std::vector<Features>& doc_features,
                            const std::vector<std::vector<float>>& embeddings) {
    const std::size_t classes = articles_.size();
    if (classes < 2 || doc_features.empty()) return;
    std::size_t distinct = 0;
    for (const auto& space : spaces_) distinct += space.idf.size();
    const std::size_t budget = options_.classifier_max_weights / classes;
    const std::size_t sparse_budget = budget > dense_dim_ ? budget - dense_dim_ : 0;
    hash_buckets_ = std::max<std::size_t>(std::min(distinct, sparse_budget), 1);
    std::vector<std::vector<SparseFeature>> sparse(doc_features.size());
    std::vector<std::vector<float>> dense(doc_features.size());
    std::vector<LinearClassifier::Example> examples(doc_features.size());
    for (std::size_t d = 0; d < doc_features.size(); ++d) {
        sparse[d] = HashedFeatures(WeighAll(doc_features[d]));
        dense[d].reserve(dense_dim_);
        for (std::size_t s = 0; s < semantic_.size(); ++s) {
            const std::size_t dim = semantic_[s].embedder->dim();
            const float* e = &embeddings[s][d * dim];
            for (std::size_t i = 0; i < dim; ++i) {
                dense[d].push_back(static_cast<float>(options_.classifier_semantic_scale) * e[i]);
            }
        }
        examples[d] = {{sparse[d], dense[d]}, doc_article_[d]};
    }
    classifier_ = LinearClassifier(hash_buckets_, dense_dim_, classes);
    classifier_.Train(examples, options_.classifier);
}

std::vector<Match> Index::Search(std::string_view query, std::size_t k, std::string_view lang,
                                 std::string_view channel) const {
    if (k == 0) return {};
    const auto f = Extract(query);
    std::vector<float> doc_scores(doc_article_.size(), 0.0f);
    const auto weighed = WeighAll(f);  // for retrieval and the classifier
    Accumulate(spaces_[kWords], weighed[kWords], options_.word_weight, doc_scores);
    Accumulate(spaces_[kBigrams], weighed[kBigrams], options_.bigram_weight, doc_scores);
    Accumulate(spaces_[kChars], weighed[kChars], options_.char_weight, doc_scores);
    double total_weight = options_.word_weight + options_.bigram_weight + options_.char_weight;
    // The query's embeddings, all encoders' one after the other (the classifier's dense features).
    std::vector<std::vector<float>> embedded(semantic_.size());
    std::vector<float> dense;
    dense.reserve(dense_dim_);
    for (std::size_t s = 0; s < semantic_.size(); ++s) {
        embedded[s] = semantic_[s].embedder->Embed(query);
        const bool failed = embedded[s].size() != semantic_[s].embedder->dim();
        for (std::size_t i = 0; i < semantic_[s].embedder->dim(); ++i) {  // a failed encoder: no evidence
            dense.push_back(failed ? 0.0f : static_cast<float>(options_.classifier_semantic_scale) * embedded[s][i]);
        }
        if (failed) embedded[s].clear();
    }
    std::vector<float> prob;
    if (!classifier_.empty()) classifier_.Probabilities({HashedFeatures(weighed), dense}, prob);
    const auto eligible = Eligible(lang, channel);
    const auto candidates = SemanticCandidates(doc_scores, prob, eligible);
    for (std::size_t s = 0; s < semantic_.size(); ++s) {
        const Semantic& sem = semantic_[s];
        const bool understood = lang.empty() || sem.languages.empty() ||
                                std::find(sem.languages.begin(), sem.languages.end(), lang) != sem.languages.end();
        if (!understood || sem.weight == 0 || embedded[s].empty()) continue;
        total_weight += sem.weight;
        const std::size_t dim = sem.embedder->dim();
        const auto w = static_cast<float>(sem.weight);
        const float* q = embedded[s].data();
        const Embeddings& e = embeddings_[s];
        auto score = [&](std::size_t d) {
            const float dot = e.scales[d] * kernels::Dot(&e.values[d * dim], q, dim);
            if (dot > 0) doc_scores[d] += w * dot;
        };
        for (std::size_t a = 0; a < articles_.size(); ++a) {
            if (candidates.empty() || candidates[a]) {
                for (std::size_t d = article_docs_[a]; d < article_docs_[a + 1]; ++d) score(d);
            }
        }
    }

    // An article's evidence: its best variants, the i-th weighted decay^i (a vote of near neighbours).
    constexpr std::size_t kTop = 5;
    // decay_sum[n]: the most an article with n variants can collect, so few-variant articles are
    // not penalized for having few paraphrases.
    std::array<double, kTop> decay{};
    std::array<double, kTop + 1> decay_sum{};
    for (std::size_t i = 0; i < kTop; ++i) {
        decay[i] = std::pow(options_.second_variant_weight, static_cast<double>(i));
        decay_sum[i + 1] = decay_sum[i] + decay[i];
    }
    const double share = prob.empty() ? 0.0 : options_.classifier_weight;
    // The k best so far (KeepBest).
    auto better = [](const Match& x, const Match& y) {
        return x.score != y.score ? x.score > y.score : x.article->id < y.article->id;
    };
    std::vector<Match> out;
    out.reserve(std::min(k, articles_.size()));
    for (std::size_t a = 0; a < articles_.size(); ++a) {
        if (!eligible[a]) continue;
        std::array<float, kTop> top{};  // best variant scores, descending
        for (std::size_t d = article_docs_[a]; d < article_docs_[a + 1]; ++d) {
            float v = doc_scores[d];
            if (v <= top[kTop - 1]) continue;
            for (std::size_t i = 0; i < kTop; ++i) {  // insertion without branches (random data)
                const float high = std::max(v, top[i]);
                v = std::min(v, top[i]);
                top[i] = high;
            }
        }
        double retrieval = 0, single = 0;
        if (top[0] > 0) {
            double raw = 0;
            for (std::size_t i = 0; i < kTop; ++i) raw += decay[i] * top[i];
            const std::size_t n = std::min<std::size_t>(kTop, article_docs_[a + 1] - article_docs_[a]);
            // A near-exact match of one curated variant is as strong as a chorus of close ones.
            const double vote = raw / (total_weight * decay_sum[n]);
            single = top[0] / total_weight;
            retrieval = std::max(vote, single * single);
        }
        const double score = (1.0 - share) * retrieval + (share > 0 ? share * prob[a] : 0.0);
        if (score <= 0) continue;
        KeepBest(out, k,
                 Match{&articles_[a], std::clamp(score, 0.0, 1.0), retrieval, prob.empty() ? 0.0 : prob[a], single},
                 better);
    }
    std::sort_heap(out.begin(), out.end(), better);
    return out;
}

std::vector<bool> Index::SemanticCandidates(const std::vector<float>& doc_scores, const std::vector<float>& prob,
                                            const std::vector<std::uint8_t>& eligible) const {
    const std::size_t limit = options_.semantic_candidates;
    // Without the classifier, lexical retrieval alone would choose, and miss a paraphrase sharing
    // no words with its article's variants: score every variant then.
    if (limit == 0 || semantic_.empty() || prob.empty() || articles_.size() <= limit) return {};  // every article
    // The best articles by their best lexical variant and by probability. Ties go to the earlier
    // article, so a search is deterministic.
    using Ranked = std::pair<float, std::uint32_t>;
    auto better = [](const Ranked& x, const Ranked& y) { return x.first != y.first ? x.first > y.first : x.second < y.second; };
    const std::size_t by_lexical = limit - limit / 2, by_classifier = limit / 2;
    std::vector<Ranked> lexical, classified;
    lexical.reserve(by_lexical);
    classified.reserve(by_classifier);
    for (std::uint32_t a = 0; a < articles_.size(); ++a) {
        if (!eligible[a]) continue;
        float best = 0;
        for (std::size_t d = article_docs_[a]; d < article_docs_[a + 1]; ++d) best = std::max(best, doc_scores[d]);
        KeepBest(lexical, by_lexical, Ranked{best, a}, better);
        KeepBest(classified, by_classifier, Ranked{prob[a], a}, better);
    }
    std::vector<bool> chosen(articles_.size(), false);
    for (const auto& r : lexical) chosen[r.second] = true;
    for (const auto& r : classified) chosen[r.second] = true;
    return chosen;
}

std::vector<std::uint8_t> Index::Eligible(std::string_view lang, std::string_view channel) const {
    std::vector<std::uint8_t> out = enabled_;
    if (!lang.empty()) {
        const auto it = std::find(langs_.begin(), langs_.end(), PrimaryLanguage(lang));
        const auto id = static_cast<std::uint16_t>(it - langs_.begin());  // not found: matches no article
        // An article without a language answers in every one.
        const auto any =
            static_cast<std::uint16_t>(std::find(langs_.begin(), langs_.end(), "") - langs_.begin());
        for (std::size_t a = 0; a < out.size(); ++a)
            out[a] &= article_lang_[a] == id || article_lang_[a] == any ? 1 : 0;
    }
    if (!channel.empty()) {
        const std::uint8_t bit = ChannelBit(channel);
        for (std::size_t a = 0; a < out.size(); ++a) out[a] &= (article_channels_[a] & bit) != 0 ? 1 : 0;
    }
    return out;
}

const Article* Index::Find(const ArticleId& id) const {
    for (const auto& a : articles_) {
        if (a.id == id) return &a;
    }
    return nullptr;
}

}  // namespace switchboard::kb
