#pragma once

// The benchmarks' 5,000-article knowledge base: CLINC150's 15,000 train utterances as 5,000
// articles of 3 variants each, and its test utterances as queries. Header-only, for bench_kb and
// services/assistant's bench_ask. SWITCHBOARD_CLINC150 overrides the dataset path.
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "switchboard/kb/article.hpp"

namespace switchboard::kb::bench {

struct Corpus {
    std::vector<Article> articles;
    std::vector<std::string> queries;
};

// Loaded once; exits with a message naming the path if the dataset cannot be read.
inline const Corpus& ClincCorpus(const char* default_path, const char* program) {
    static const Corpus corpus = [&] {
        const char* env = std::getenv("SWITCHBOARD_CLINC150");
        const std::string path = env != nullptr ? env : default_path;
        std::ifstream f(path);
        if (!f) {
            std::cerr << program << ": cannot read " << path << " (set SWITCHBOARD_CLINC150)\n";
            std::exit(2);
        }
        const auto data = nlohmann::json::parse(f);
        Corpus c;
        const auto& train = data.at("train");
        for (std::size_t i = 0; i + 2 < train.size() && c.articles.size() < 5000; i += 3) {
            Article a;
            a.id = ArticleId("a" + std::to_string(c.articles.size()));
            for (std::size_t k = 0; k < 3; ++k) a.questions.push_back(train[i + k][0].get<std::string>());
            a.answer = "answer";
            a.lang = "en";
            c.articles.push_back(std::move(a));
        }
        for (const auto& row : data.at("test")) c.queries.push_back(row[0].get<std::string>());
        return c;
    }();
    return corpus;
}

}  // namespace switchboard::kb::bench
