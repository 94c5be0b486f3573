#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "switchboard/kb/index.hpp"

namespace switchboard::kb {

// A group of similar questions customers asked, e.g. the handed-off ones: a candidate article.
struct QuestionCluster {
    std::string representative;         // the most frequent phrasing
    std::vector<std::string> examples;  // up to max_examples distinct phrasings, most frequent first
    std::size_t count = 0;              // how many questions (with repeats) fell in the cluster
};

// Groups `questions` whose retrieval similarity (the Index's scoring, with the sentence encoders
// in `semantic` if any) to a cluster's representative is at least `similarity`, and ranks clusters
// by count, largest first. Greedy: the most frequent unassigned phrasing founds the next cluster.
// Thread-safe if the encoders are.
std::vector<QuestionCluster> ClusterQuestions(const std::vector<std::string>& questions, double similarity = 0.5,
                                              std::size_t max_examples = 5,
                                              const std::vector<Index::Semantic>& semantic = {});

}  // namespace switchboard::kb
