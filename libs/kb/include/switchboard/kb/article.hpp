#pragma once

#include "switchboard/core/utf8.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/core/strong_id.hpp"

namespace switchboard::kb {

// A link shown with an answer: the customer gets it as a line "title: url" (or just the url)
// after the answer's text (AnswerText).
struct Link {
    std::string title;  // optional
    std::string url;    // http:// or https://

    friend bool operator==(const Link&, const Link&) = default;
};

// The channels an article may be restricted to, as switchboard::events::ChannelName names them
// (kb does not depend on events; services/assistant/tests/kb_admin_service_test.cpp checks the two
// lists agree).
inline constexpr std::array<std::string_view, 4> kChannelNames{"web", "telegram", "whatsapp", "email"};

// A curated answer and the questions it answers. Value type.
struct Article {
    ArticleId id;
    std::vector<std::string> questions;  // paraphrases, at least one
    std::string answer;
    std::string lang;  // "en", "ru", …
    std::vector<std::string> tags;
    bool enabled = true;
    std::int64_t version = 0;
    // Last, with initializers, so aggregate initializations written before them still compile
    // without -Wmissing-field-initializers.
    std::vector<Link> links{};            // shown after the answer, in this order
    std::vector<std::string> channels{};  // of kChannelNames; empty = every channel

    friend bool operator==(const Article&, const Article&) = default;
};

// What the customer is sent for `article`: its answer, then a blank line and one line per link
// ("title: url", or the url alone when it has no title). The answer alone when it has no links.
std::string AnswerText(const Article& article);

// Parses JSON Lines, one article per line:
//   {"id": "...", "questions": ["..."], "answer": "...", "lang": "en", "tags": ["..."],
//    "links": [{"title": "...", "url": "https://..."}], "channels": ["web", "telegram"]}
// (lang, tags, links, a link's title, channels, enabled and version are optional; no other key is
// accepted, so a misspelt one is not silently ignored).
// Blank lines and a leading UTF-8 BOM are skipped. All or nothing: the first bad line fails the
// whole parse with "line N: <what is wrong>" (bad JSON with the column, an unknown key,
// missing/ill-typed field, empty questions, duplicate id).
Result<std::vector<Article>> ParseJsonl(std::string_view content);
Result<std::vector<Article>> LoadJsonlFile(const std::string& path);

// The same, plus `check` on every parsed article: its error fails the parse as
// "line N: <message>" (e.g. ParseJsonl(content, ValidateArticle) for an import).
using ArticleCheck = std::function<Status(const Article&)>;
Result<std::vector<Article>> ParseJsonl(std::string_view content, const ArticleCheck& check);

// One JSON object per article and line, in the given order, every field written (id, questions,
// answer, lang, tags, enabled, version, links with their titles, channels):
// ParseJsonl(ToJsonl(a)) == a.
std::string ToJsonl(const std::vector<Article>& articles);
std::string ToJsonLine(const Article& article);  // without the newline

// What an article must be to be published on kb.articles.v1 (the admin API, imports and the
// seed file are held to it):
//  - id: switchboard::IsValidExternalId (1..128 of [A-Za-z0-9._:-]);
//  - 1..50 questions, each 1..1000 bytes of valid UTF-8, not blank, no line breaks;
//  - answer 1..8000 bytes of valid UTF-8, not blank;
//  - lang empty (every language) or a BCP 47-shaped tag: a 2-3 letter language, then '-'
//    subtags of 1-8 letters or digits, up to 35 bytes ("en", "ru", "en-US");
//  - up to 32 tags, each 1..64 bytes of valid UTF-8 without ';' or line breaks;
//  - up to 10 links, each a url of 1..2000 bytes starting with http:// or https:// (scheme in
//    any case) with no whitespace or control characters, and a title of 0..200 bytes of valid
//    UTF-8 without line breaks; no url twice;
//  - channels each one of kChannelNames, none twice.
// Each function's error message says what is wrong (and which question or link, numbered from 1).
inline constexpr std::size_t kMaxQuestions = 50;
inline constexpr std::size_t kMaxQuestionBytes = 1000;
inline constexpr std::size_t kMaxAnswerBytes = 8000;
inline constexpr std::size_t kMaxTags = 32;
inline constexpr std::size_t kMaxTagBytes = 64;
inline constexpr std::size_t kMaxLinks = 10;
inline constexpr std::size_t kMaxLinkUrlBytes = 2000;
inline constexpr std::size_t kMaxLinkTitleBytes = 200;
Status ValidateId(std::string_view id);
Status ValidateQuestion(std::string_view question);
Status ValidateAnswer(std::string_view answer);
Status ValidateLang(std::string_view lang);
Status ValidateTag(std::string_view tag);
Status ValidateLink(const Link& link);
Status ValidateChannel(std::string_view channel);
Status ValidateArticle(const Article& article);

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
using switchboard::IsValidUtf8;  // switchboard/core/utf8.hpp

}  // namespace switchboard::kb
