#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "switchboard/kb/article.hpp"

namespace switchboard::kb {

struct Match {
    const Article* article = nullptr;  // points into the Index; valid while the Index lives
    double score = 0;                  // cosine similarity in [0, 1]
};

// TF-IDF retrieval over stemmed words of every question variant; an article scores the best of
// its variants. Immutable after construction: Search is thread-safe.
class Index {
public:
    explicit Index(std::vector<Article> articles);

    // Best `k` enabled articles for `query`, best first, score > 0 only. `lang` filters when set.
    std::vector<Match> Search(std::string_view query, std::size_t k, std::string_view lang = {}) const;
    const Article* Find(const ArticleId& id) const;
    std::size_t size() const { return articles_.size(); }

private:
    struct Posting {
        std::size_t doc;
        double weight;
    };
    std::vector<Article> articles_;
    std::vector<std::size_t> doc_article_;  // question variant → article index
    std::unordered_map<std::string, std::vector<Posting>> postings_;
    std::unordered_map<std::string, double> idf_;
};

}  // namespace switchboard::kb
