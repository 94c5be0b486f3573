#include "switchboard/kb/index.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "switchboard/kb/text.hpp"

namespace switchboard::kb {

namespace {
std::unordered_map<std::string, double> TermFrequencies(const std::vector<std::string>& tokens) {
    std::unordered_map<std::string, double> tf;
    for (const auto& t : tokens) tf[t] += 1.0;
    return tf;
}
}  // namespace

Index::Index(std::vector<Article> articles) : articles_(std::move(articles)) {
    std::vector<std::unordered_map<std::string, double>> docs;
    std::unordered_map<std::string, double> df;
    for (std::size_t a = 0; a < articles_.size(); ++a) {
        for (const auto& q : articles_[a].questions) {
            auto tf = TermFrequencies(StemmedTokens(q));
            for (const auto& [term, _] : tf) df[term] += 1.0;
            docs.push_back(std::move(tf));
            doc_article_.push_back(a);
        }
    }
    const double n = static_cast<double>(docs.size());
    for (const auto& [term, count] : df) idf_[term] = std::log((n + 1.0) / (count + 1.0)) + 1.0;
    for (std::size_t d = 0; d < docs.size(); ++d) {
        double norm = 0;
        for (auto& [term, w] : docs[d]) {
            w *= idf_[term];
            norm += w * w;
        }
        norm = std::sqrt(norm);
        if (norm == 0) continue;
        for (const auto& [term, w] : docs[d]) postings_[term].push_back({d, w / norm});
    }
}

std::vector<Match> Index::Search(std::string_view query, std::size_t k, std::string_view lang) const {
    auto tf = TermFrequencies(StemmedTokens(query));
    double norm = 0;
    for (auto& [term, w] : tf) {
        auto it = idf_.find(term);
        // Unknown words still count in the query's norm: a query mostly about things the
        // knowledge base never mentions must not look like a perfect match.
        w *= it == idf_.end() ? std::log(static_cast<double>(doc_article_.size()) + 1.0) + 1.0 : it->second;
        norm += w * w;
    }
    norm = std::sqrt(norm);
    if (norm == 0) return {};
    std::unordered_map<std::size_t, double> doc_scores;
    for (const auto& [term, w] : tf) {
        auto it = postings_.find(term);
        if (it == postings_.end()) continue;
        for (const auto& p : it->second) doc_scores[p.doc] += p.weight * w / norm;
    }
    std::unordered_map<std::size_t, double> best;  // article → best variant score
    for (const auto& [doc, score] : doc_scores) {
        const std::size_t a = doc_article_[doc];
        const Article& art = articles_[a];
        if (!art.enabled || (!lang.empty() && art.lang != lang)) continue;
        auto& b = best[a];
        b = std::max(b, score);
    }
    std::vector<Match> out;
    out.reserve(best.size());
    for (const auto& [a, score] : best) out.push_back({&articles_[a], std::min(score, 1.0)});
    std::sort(out.begin(), out.end(), [](const Match& x, const Match& y) {
        return x.score != y.score ? x.score > y.score : x.article->id < y.article->id;
    });
    if (out.size() > k) out.resize(k);
    return out;
}

const Article* Index::Find(const ArticleId& id) const {
    for (const auto& a : articles_) {
        if (a.id == id) return &a;
    }
    return nullptr;
}

}  // namespace switchboard::kb
