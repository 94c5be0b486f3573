#pragma once

#include "switchboard/core/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
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

    friend bool operator==(const Article&, const Article&) = default;
};

// Parses JSON Lines, one article per line:
//   {"id": "...", "questions": ["..."], "answer": "...", "lang": "en", "tags": ["..."]}
// Blank lines and a leading UTF-8 BOM are skipped. All or nothing: the first bad line fails the
// whole parse with "line N: <what is wrong>" (bad JSON, missing/ill-typed field, empty questions,
// duplicate id).
Result<std::vector<Article>> ParseJsonl(std::string_view content);
Result<std::vector<Article>> LoadJsonlFile(const std::string& path);

// The same, plus `check` on every parsed article: its error fails the parse as
// "line N: <message>" (e.g. ParseJsonl(content, ValidateArticle) for an import).
using ArticleCheck = std::function<Status(const Article&)>;
Result<std::vector<Article>> ParseJsonl(std::string_view content, const ArticleCheck& check);

// One JSON object per article and line, in the given order, every field written (id, questions,
// answer, lang, tags, enabled, version): ParseJsonl(ToJsonl(a)) == a.
std::string ToJsonl(const std::vector<Article>& articles);
std::string ToJsonLine(const Article& article);  // without the newline

// What an article must be to be published on kb.articles.v1 (the admin API, imports and the
// seed file are held to it):
//  - id: switchboard::IsValidExternalId (1..128 of [A-Za-z0-9._:-]);
//  - 1..50 questions, each 1..1000 bytes of valid UTF-8, not blank, no line breaks;
//  - answer 1..8000 bytes of valid UTF-8, not blank;
//  - lang empty or a BCP 47-shaped tag (letters, digits, '-', up to 35 bytes);
//  - up to 32 tags, each 1..64 bytes of valid UTF-8 without ';' or line breaks.
// Each function's error message says what is wrong (and which question, numbered from 1).
inline constexpr std::size_t kMaxQuestions = 50;
inline constexpr std::size_t kMaxQuestionBytes = 1000;
inline constexpr std::size_t kMaxAnswerBytes = 8000;
inline constexpr std::size_t kMaxTags = 32;
inline constexpr std::size_t kMaxTagBytes = 64;
Status ValidateId(std::string_view id);
Status ValidateQuestion(std::string_view question);
Status ValidateAnswer(std::string_view answer);
Status ValidateLang(std::string_view lang);
Status ValidateTag(std::string_view tag);
Status ValidateArticle(const Article& article);

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
using switchboard::IsValidUtf8;  // switchboard/core/utf8.hpp

}  // namespace switchboard::kb
