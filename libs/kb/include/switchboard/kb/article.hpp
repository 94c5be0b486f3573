#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/core/strong_id.hpp"

namespace switchboard::kb {

// A curated answer and the questions it answers. Value type.
struct Article {
    ArticleId id;
    std::vector<std::string> questions;  // paraphrases, at least one
    std::string answer;
    std::string lang;  // "en", "ru", …
    std::vector<std::string> tags;
    bool enabled = true;
    std::int64_t version = 0;
};

// Parses JSON Lines, one article per line:
//   {"id": "...", "questions": ["..."], "answer": "...", "lang": "en", "tags": ["..."]}
// Blank lines are skipped. All or nothing: the first bad line fails the whole parse with
// "line N: <what is wrong>" (bad JSON, missing/ill-typed field, empty questions, duplicate id).
Result<std::vector<Article>> ParseJsonl(std::string_view content);
Result<std::vector<Article>> LoadJsonlFile(const std::string& path);

}  // namespace switchboard::kb
