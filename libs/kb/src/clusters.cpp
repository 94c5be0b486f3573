#include "switchboard/kb/clusters.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "switchboard/kb/index.hpp"
#include "switchboard/kb/text.hpp"

namespace switchboard::kb {

std::vector<QuestionCluster> ClusterQuestions(const std::vector<std::string>& questions, double similarity,
                                              std::size_t max_examples, const std::vector<Index::Semantic>& semantic) {
    // Distinct phrasings (by normalized text) with their counts, most frequent first.
    std::unordered_map<std::string, std::size_t> by_norm;
    std::vector<std::pair<std::string, std::size_t>> distinct;  // original text, count
    for (const auto& q : questions) {
        const std::string norm = Normalize(q);
        if (norm.empty()) continue;
        auto [it, inserted] = by_norm.emplace(norm, distinct.size());
        if (inserted) distinct.emplace_back(q, 0);
        ++distinct[it->second].second;
    }
    std::stable_sort(distinct.begin(), distinct.end(), [](const auto& a, const auto& b) { return a.second > b.second; });

    std::vector<Article> articles;
    articles.reserve(distinct.size());
    for (std::size_t i = 0; i < distinct.size(); ++i) {
        articles.push_back({ArticleId(std::to_string(i)), {distinct[i].first}, "-", "", {}, true, 0});
    }
    Index::Options options;
    options.classifier_weight = 0;  // similarity between questions: retrieval alone
    const Index index(std::move(articles), options, semantic);

    std::vector<bool> assigned(distinct.size(), false);
    std::vector<QuestionCluster> clusters;
    for (std::size_t i = 0; i < distinct.size(); ++i) {
        if (assigned[i]) continue;
        assigned[i] = true;
        QuestionCluster c;
        c.representative = distinct[i].first;
        c.examples.push_back(distinct[i].first);
        c.count = distinct[i].second;
        std::vector<std::size_t> members;
        for (const auto& m : index.Search(distinct[i].first, distinct.size())) {
            if (m.score < similarity) break;
            const std::size_t j = std::stoul(m.article->id.str());
            if (!assigned[j]) members.push_back(j);
        }
        std::sort(members.begin(), members.end());  // most frequent first (distinct is sorted)
        for (std::size_t j : members) {
            assigned[j] = true;
            c.count += distinct[j].second;
            if (c.examples.size() < max_examples) c.examples.push_back(distinct[j].first);
        }
        clusters.push_back(std::move(c));
    }
    std::stable_sort(clusters.begin(), clusters.end(),
                     [](const QuestionCluster& a, const QuestionCluster& b) { return a.count > b.count; });
    return clusters;
}

}  // namespace switchboard::kb
