#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/kb/article.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::assistant {

// An operator's proposal for the knowledge base: a new article or a new question for an
// existing one, waiting for a review.
struct Suggestion {
    enum class Kind { kArticle, kQuestion };
    enum class State { kPending, kApproved, kRejected };

    std::string id;  // "s-<uuid>"
    Kind kind = Kind::kArticle;
    State state = State::kPending;  // a suggestion being reviewed is still pending
    std::optional<kb::Article> article;  // kArticle
    std::string article_id;              // kArticle: article->id
    std::string question;                // kQuestion
    std::string proposed_by;
    std::string note;
    std::int64_t proposed_at_ms = 0;
    std::string reviewed_by;
    std::int64_t reviewed_at_ms = 0;
    std::string reason;
};

// Suggestions in Redis: hash P kb:suggestion:<id> and, per state, sorted set
// P kb:suggestions:<pending|approved|rejected> of ids (score: proposal time for pending, review
// time otherwise). Every write is one Lua script, so a review is a compare-and-set:
//
//   BeginReview   pending → "reviewing" (a claim with a token, held for `hold`; an expired claim
//                 can be taken over, so a reviewer that died does not block it forever)
//   FinishReview  reviewing with our token → approved | rejected (moves it between the sets)
//   AbandonReview reviewing with our token → pending (approving failed)
//
// so of two reviewers only one ever gets past BeginReview. Validation is the caller's job.
// Thread-safe (the redis::Client is).
class SuggestionStore {
public:
    SuggestionStore(redis::Client& redis, std::string prefix);

    Result<std::string> ProposeArticle(const kb::Article& article, const std::string& proposed_by,
                                       const std::string& note);
    Result<std::string> ProposeQuestion(const std::string& article_id, const std::string& question,
                                        const std::string& proposed_by, const std::string& note);

    Result<std::optional<Suggestion>> Get(const std::string& id);

    struct Page {
        std::vector<Suggestion> suggestions;
        std::int64_t total = 0;
        std::optional<std::int64_t> next_offset;  // nullopt: the last page
    };
    Result<Page> List(Suggestion::State state, std::int64_t offset, std::int64_t limit);

    enum class ClaimOutcome { kClaimed, kNotFound, kAlreadyReviewed, kInReview };
    struct Claim {
        ClaimOutcome outcome = ClaimOutcome::kNotFound;
        std::string token;  // kClaimed
    };
    Result<Claim> BeginReview(const std::string& id, std::chrono::milliseconds hold);
    // False if the claim was lost (it expired and another reviewer took it): nothing changed.
    Result<bool> FinishReview(const std::string& id, const std::string& token, Suggestion::State decision,
                              const std::string& reviewer, const std::string& reason);
    Status AbandonReview(const std::string& id, const std::string& token);

    static const char* StateName(Suggestion::State state);

private:
    std::string HashKey(const std::string& id) const;
    std::string SetKey(Suggestion::State state) const;
    Result<std::string> Add(const std::string& kind, std::vector<std::string> fields);

    redis::Client& redis_;
    const std::string prefix_;
};

}  // namespace switchboard::assistant
