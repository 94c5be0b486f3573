#include "kb_admin_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/core/ids.hpp"
#include "switchboard/kb/formats.hpp"
#include "switchboard/kb/text.hpp"

namespace switchboard::assistant {

namespace {

namespace v1 = kb::v1;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

grpc::Status Invalid(const std::string& message) { return {grpc::StatusCode::INVALID_ARGUMENT, message}; }

grpc::Status NotSynced() {
    return {grpc::StatusCode::UNAVAILABLE, "the knowledge base is still loading from Kafka; retry shortly"};
}

std::optional<kb::Format> ToFormat(v1::ArticleFormat format) {
    switch (format) {
        case v1::ARTICLE_FORMAT_JSONL:
            return kb::Format::kJsonl;
        case v1::ARTICLE_FORMAT_CSV:
            return kb::Format::kCsv;
        case v1::ARTICLE_FORMAT_MARKDOWN:
            return kb::Format::kMarkdown;
        default:
            return std::nullopt;
    }
}

constexpr std::string_view kFormatRequired =
    "format is required: ARTICLE_FORMAT_JSONL, ARTICLE_FORMAT_CSV or ARTICLE_FORMAT_MARKDOWN";

bool SameContent(kb::Article a, const kb::Article& b) {
    a.version = b.version;
    return a == b;
}

std::string_view CodeName(grpc::StatusCode code) {
    switch (code) {
        case grpc::StatusCode::OK:
            return "OK";
        case grpc::StatusCode::INVALID_ARGUMENT:
            return "INVALID_ARGUMENT";
        case grpc::StatusCode::NOT_FOUND:
            return "NOT_FOUND";
        case grpc::StatusCode::UNAVAILABLE:
            return "UNAVAILABLE";
        case grpc::StatusCode::INTERNAL:
            return "INTERNAL";
        case grpc::StatusCode::ALREADY_EXISTS:
            return "ALREADY_EXISTS";
        case grpc::StatusCode::FAILED_PRECONDITION:
            return "FAILED_PRECONDITION";
        case grpc::StatusCode::ABORTED:
            return "ABORTED";
        case grpc::StatusCode::UNIMPLEMENTED:
            return "UNIMPLEMENTED";
        default:
            return "OTHER";
    }
}

bool Matches(const kb::Article& a, const v1::ListArticlesRequest& request) {
    if (!request.lang().empty() && a.lang != request.lang()) return false;
    if (!request.tag().empty() && std::find(a.tags.begin(), a.tags.end(), request.tag()) == a.tags.end()) {
        return false;
    }
    return true;
}

constexpr std::size_t kMaxNoteBytes = 2000;

grpc::Status NoSuggestions() {
    return {grpc::StatusCode::UNIMPLEMENTED, "suggestions are not configured on this replica"};
}

grpc::Status StoreFailed(const Error& e) {
    spdlog::error("kb admin: suggestion store: {}", e.message);
    return {e.retryable ? grpc::StatusCode::UNAVAILABLE : grpc::StatusCode::INTERNAL,
            "suggestion store (Redis): " + e.message};
}

// Operator ids and free text of the suggestion RPCs.
grpc::Status CheckOperator(std::string_view field, const std::string& id) {
    if (!IsValidExternalId(id)) return Invalid(std::string(field) + " must be 1..128 characters [A-Za-z0-9._:-]");
    return grpc::Status::OK;
}
grpc::Status CheckText(std::string_view field, const std::string& text) {
    if (text.size() > kMaxNoteBytes) return Invalid(std::string(field) + " is longer than 2000 bytes");
    if (!kb::IsValidUtf8(text)) return Invalid(std::string(field) + " is not valid UTF-8");
    return grpc::Status::OK;
}

// The same phrasing whatever its case, punctuation or spacing ("Is a camel allowed?" and
// "  is a camel allowed "): a variant that adds nothing to the index.
bool HasQuestion(const kb::Article& a, const std::string& question) {
    const std::string norm = kb::Normalize(question);
    return std::any_of(a.questions.begin(), a.questions.end(),
                       [&](const std::string& q) { return q == question || kb::Normalize(q) == norm; });
}

std::string Trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

v1::SuggestionStatus StatusToProto(Suggestion::State state) {
    switch (state) {
        case Suggestion::State::kApproved:
            return v1::SUGGESTION_STATUS_APPROVED;
        case Suggestion::State::kRejected:
            return v1::SUGGESTION_STATUS_REJECTED;
        case Suggestion::State::kPending:
            break;
    }
    return v1::SUGGESTION_STATUS_PENDING;
}

v1::Suggestion SuggestionToProto(const Suggestion& s) {
    v1::Suggestion out;
    out.set_id(s.id);
    out.set_kind(s.kind == Suggestion::Kind::kArticle ? v1::SUGGESTION_KIND_ARTICLE : v1::SUGGESTION_KIND_QUESTION);
    out.set_status(StatusToProto(s.state));
    if (s.article) *out.mutable_article() = assistant::ToProto(*s.article);
    out.set_article_id(s.article_id);
    out.set_question(s.question);
    out.set_proposed_by(s.proposed_by);
    out.set_note(s.note);
    out.set_proposed_at_ms(s.proposed_at_ms);
    out.set_reviewed_by(s.reviewed_by);
    out.set_reviewed_at_ms(s.reviewed_at_ms);
    out.set_reason(s.reason);
    return out;
}

}  // namespace

KbAdminService::KbAdminService(const KbCatalog& catalog, KbPublisher& publisher, KbProbe& probe,
                               Options options, SuggestionStore* suggestions)
    : catalog_(catalog), publisher_(publisher), probe_(probe), options_(options), suggestions_(suggestions) {}

grpc::Status KbAdminService::Counted(std::string_view method, grpc::Status status) {
    probe_.OnAdminCall(method, CodeName(status.error_code()));
    return status;
}

grpc::Status KbAdminService::UpsertArticle(grpc::ServerContext*, const v1::UpsertArticleRequest* request,
                                           v1::UpsertArticleResponse* response) {
    return Counted("UpsertArticle", Upsert(*request, *response));
}
grpc::Status KbAdminService::DeleteArticle(grpc::ServerContext*, const v1::DeleteArticleRequest* request,
                                           v1::DeleteArticleResponse*) {
    return Counted("DeleteArticle", Delete(*request));
}
grpc::Status KbAdminService::GetArticle(grpc::ServerContext*, const v1::GetArticleRequest* request,
                                        v1::Article* response) {
    return Counted("GetArticle", Get(*request, *response));
}
grpc::Status KbAdminService::ListArticles(grpc::ServerContext*, const v1::ListArticlesRequest* request,
                                          v1::ListArticlesResponse* response) {
    return Counted("ListArticles", List(*request, *response));
}
grpc::Status KbAdminService::ImportArticles(grpc::ServerContext*, const v1::ImportArticlesRequest* request,
                                            v1::ImportArticlesResponse* response) {
    return Counted("ImportArticles", ImportFile(*request, *response));
}
grpc::Status KbAdminService::ExportArticles(grpc::ServerContext*, const v1::ExportArticlesRequest* request,
                                            v1::ExportArticlesResponse* response) {
    return Counted("ExportArticles", ExportFile(*request, *response));
}

grpc::Status KbAdminService::ProposeArticle(grpc::ServerContext*, const v1::ProposeArticleRequest* request,
                                            v1::ProposeArticleResponse* response) {
    return Counted("ProposeArticle", ProposeNewArticle(*request, *response));
}
grpc::Status KbAdminService::ProposeQuestion(grpc::ServerContext*, const v1::ProposeQuestionRequest* request,
                                             v1::ProposeQuestionResponse* response) {
    return Counted("ProposeQuestion", ProposeNewQuestion(*request, *response));
}
grpc::Status KbAdminService::ListSuggestions(grpc::ServerContext*, const v1::ListSuggestionsRequest* request,
                                             v1::ListSuggestionsResponse* response) {
    return Counted("ListSuggestions", ListProposals(*request, *response));
}
grpc::Status KbAdminService::ReviewSuggestion(grpc::ServerContext*, const v1::ReviewSuggestionRequest* request,
                                              v1::ReviewSuggestionResponse* response) {
    return Counted("ReviewSuggestion", Review(*request, *response));
}

grpc::Status KbAdminService::Upsert(const v1::UpsertArticleRequest& request,
                                    v1::UpsertArticleResponse& response) {
    if (!request.has_article()) return Invalid("article is required");
    kb::Article article = FromProto(request.article());
    if (Status s = kb::ValidateArticle(article); !s.ok()) return Invalid(s.error().message);
    if (!catalog_.synced()) return NotSynced();

    std::lock_guard lock(write_mu_);
    return UpsertLocked(std::move(article), response);
}

grpc::Status KbAdminService::UpsertLocked(kb::Article article, v1::UpsertArticleResponse& response) {
    const std::optional<kb::Article> before = catalog_.Find(article.id.str());
    article.version = before ? before->version + 1 : 1;
    if (grpc::Status s = PublishAndWait({ArticleChange::Upsert(article)}); !s.ok()) return s;
    spdlog::info("kb admin: {} article {} (version {})", before ? "updated" : "created", article.id.str(),
                 article.version);
    *response.mutable_article() = ToProto(article);
    response.set_created(!before);
    return grpc::Status::OK;
}

grpc::Status KbAdminService::Delete(const v1::DeleteArticleRequest& request) {
    if (Status s = kb::ValidateId(request.id()); !s.ok()) return Invalid(s.error().message);
    if (!catalog_.synced()) return NotSynced();
    std::lock_guard lock(write_mu_);
    if (!catalog_.Find(request.id())) return {grpc::StatusCode::NOT_FOUND, "no article " + request.id()};
    if (grpc::Status s = PublishAndWait({ArticleChange::Delete(request.id())}); !s.ok()) return s;
    spdlog::info("kb admin: deleted article {}", request.id());
    return grpc::Status::OK;
}

grpc::Status KbAdminService::Get(const v1::GetArticleRequest& request, v1::Article& response) {
    if (Status s = kb::ValidateId(request.id()); !s.ok()) return Invalid(s.error().message);
    if (!catalog_.synced()) return NotSynced();
    const std::optional<kb::Article> article = catalog_.Find(request.id());
    if (!article) return {grpc::StatusCode::NOT_FOUND, "no article " + request.id()};
    response = ToProto(*article);
    return grpc::Status::OK;
}

grpc::Status KbAdminService::List(const v1::ListArticlesRequest& request,
                                  v1::ListArticlesResponse& response) {
    if (request.page_size() < 0 || request.page_size() > kMaxPageSize) {
        return Invalid("page_size must be between 0 (default 50) and 500");
    }
    // The token is the id the previous page ended with: stable while articles come and go.
    if (!request.page_token().empty() && !IsValidExternalId(request.page_token())) {
        return Invalid("page_token is not one this service returned");
    }
    if (!catalog_.synced()) return NotSynced();
    const std::size_t page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
    const KbCatalog::Articles articles = catalog_.Snapshot();
    int total = 0;
    for (const auto& [id, article] : articles) total += Matches(article, request) ? 1 : 0;
    auto it = request.page_token().empty() ? articles.begin() : articles.upper_bound(request.page_token());
    for (; it != articles.end(); ++it) {
        if (!Matches(it->second, request)) continue;
        if (static_cast<std::size_t>(response.articles_size()) == page_size) {
            response.set_next_page_token(response.articles(response.articles_size() - 1).id());
            break;
        }
        *response.add_articles() = ToProto(it->second);
    }
    response.set_total_size(total);
    return grpc::Status::OK;
}

grpc::Status KbAdminService::ImportFile(const v1::ImportArticlesRequest& request,
                                        v1::ImportArticlesResponse& response) {
    const std::optional<kb::Format> format = ToFormat(request.format());
    if (!format) return Invalid(std::string(kFormatRequired));
    auto parsed = kb::Import(*format, request.content());
    if (!parsed) return Invalid(parsed.error().message);
    if (parsed->empty()) return Invalid("the file holds no articles");
    if (!catalog_.synced()) return NotSynced();

    std::lock_guard lock(write_mu_);
    const KbCatalog::Articles current = catalog_.Snapshot();
    std::vector<ArticleChange> changes;
    std::set<std::string> in_file;
    for (kb::Article& article : *parsed) {
        in_file.insert(article.id.str());
        const auto before = current.find(article.id.str());
        if (before == current.end()) {
            article.version = 1;
            response.set_created(response.created() + 1);
        } else if (SameContent(article, before->second)) {
            response.set_unchanged(response.unchanged() + 1);
            continue;
        } else {
            article.version = before->second.version + 1;
            response.set_updated(response.updated() + 1);
        }
        changes.push_back(ArticleChange::Upsert(std::move(article)));
    }
    if (request.replace_all()) {
        for (const auto& [id, article] : current) {
            if (in_file.contains(id)) continue;
            changes.push_back(ArticleChange::Delete(id));
            response.set_deleted(response.deleted() + 1);
        }
    }
    if (!changes.empty()) {
        if (grpc::Status s = PublishAndWait(changes); !s.ok()) return s;
    }
    spdlog::info("kb admin: imported {} file: {} created, {} updated, {} unchanged, {} deleted",
                 kb::FormatName(*format), response.created(), response.updated(), response.unchanged(),
                 response.deleted());
    return grpc::Status::OK;
}

grpc::Status KbAdminService::ExportFile(const v1::ExportArticlesRequest& request,
                                        v1::ExportArticlesResponse& response) {
    const std::optional<kb::Format> format = ToFormat(request.format());
    if (!format) return Invalid(std::string(kFormatRequired));
    if (!catalog_.synced()) return NotSynced();
    const KbCatalog::Articles current = catalog_.Snapshot();
    std::vector<kb::Article> articles;
    articles.reserve(current.size());
    for (const auto& [id, article] : current) articles.push_back(article);
    response.set_content(kb::Export(*format, articles));
    response.set_count(static_cast<int>(articles.size()));
    return grpc::Status::OK;
}

grpc::Status KbAdminService::ProposeNewArticle(const v1::ProposeArticleRequest& request,
                                               v1::ProposeArticleResponse& response) {
    if (suggestions_ == nullptr) return NoSuggestions();
    if (!request.has_article()) return Invalid("article is required");
    kb::Article article = FromProto(request.article());
    article.version = 0;
    // The review is the gate: an approved article answers (proto3's default enabled = false would
    // otherwise approve an article nobody ever gets).
    article.enabled = true;
    if (Status s = kb::ValidateArticle(article); !s.ok()) return Invalid(s.error().message);
    if (grpc::Status s = CheckOperator("proposed_by", request.proposed_by()); !s.ok()) return s;
    if (grpc::Status s = CheckText("note", request.note()); !s.ok()) return s;
    if (!catalog_.synced()) return NotSynced();
    if (catalog_.Find(article.id.str())) {
        return {grpc::StatusCode::ALREADY_EXISTS,
                "article " + article.id.str() + " exists; propose a question for it instead"};
    }
    auto id = suggestions_->ProposeArticle(article, request.proposed_by(), request.note());
    if (!id) return StoreFailed(id.error());
    spdlog::info("kb admin: {} proposed article {} ({})", request.proposed_by(), article.id.str(), *id);
    response.set_suggestion_id(*id);
    return grpc::Status::OK;
}

grpc::Status KbAdminService::ProposeNewQuestion(const v1::ProposeQuestionRequest& request,
                                                v1::ProposeQuestionResponse& response) {
    if (suggestions_ == nullptr) return NoSuggestions();
    if (Status s = kb::ValidateId(request.article_id()); !s.ok()) return Invalid(s.error().message);
    if (Status s = kb::ValidateQuestion(request.question()); !s.ok()) return Invalid(s.error().message);
    const std::string question = Trimmed(request.question());
    if (grpc::Status s = CheckOperator("proposed_by", request.proposed_by()); !s.ok()) return s;
    if (grpc::Status s = CheckText("note", request.note()); !s.ok()) return s;
    if (!catalog_.synced()) return NotSynced();
    std::optional<kb::Article> article = catalog_.Find(request.article_id());
    if (!article) return {grpc::StatusCode::NOT_FOUND, "no article " + request.article_id()};
    if (HasQuestion(*article, question)) {
        return {grpc::StatusCode::ALREADY_EXISTS, "article " + request.article_id() + " already has this question"};
    }
    // The article with the question must still be a valid article (e.g. at most 50 questions).
    article->questions.push_back(question);
    if (Status s = kb::ValidateArticle(*article); !s.ok()) return Invalid(s.error().message);
    auto id = suggestions_->ProposeQuestion(request.article_id(), question, request.proposed_by(), request.note());
    if (!id) return StoreFailed(id.error());
    spdlog::info("kb admin: {} proposed a question for article {} ({})", request.proposed_by(),
                 request.article_id(), *id);
    response.set_suggestion_id(*id);
    return grpc::Status::OK;
}

grpc::Status KbAdminService::ListProposals(const v1::ListSuggestionsRequest& request,
                                           v1::ListSuggestionsResponse& response) {
    if (suggestions_ == nullptr) return NoSuggestions();
    std::optional<Suggestion::State> state;
    switch (request.status()) {
        case v1::SUGGESTION_STATUS_PENDING:
            state = Suggestion::State::kPending;
            break;
        case v1::SUGGESTION_STATUS_APPROVED:
            state = Suggestion::State::kApproved;
            break;
        case v1::SUGGESTION_STATUS_REJECTED:
            state = Suggestion::State::kRejected;
            break;
        default:
            return Invalid(
                "status is required: SUGGESTION_STATUS_PENDING, SUGGESTION_STATUS_APPROVED or "
                "SUGGESTION_STATUS_REJECTED");
    }
    if (request.page_size() < 0 || request.page_size() > kMaxPageSize) {
        return Invalid("page_size must be between 0 (default 50) and 500");
    }
    // The token is the position of the next page.
    std::int64_t offset = 0;
    if (!request.page_token().empty()) {
        const std::string& t = request.page_token();
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), offset);
        if (ec != std::errc() || end != t.data() + t.size() || offset < 0) {
            return Invalid("page_token is not one this service returned");
        }
    }
    const int page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
    auto page = suggestions_->List(*state, offset, page_size);
    if (!page) return StoreFailed(page.error());
    for (const Suggestion& s : page->suggestions) *response.add_suggestions() = SuggestionToProto(s);
    if (page->next_offset) response.set_next_page_token(std::to_string(*page->next_offset));
    response.set_total_size(static_cast<int>(page->total));
    return grpc::Status::OK;
}

grpc::Status KbAdminService::ApprovedArticle(const Suggestion& suggestion, kb::Article& out) const {
    if (suggestion.kind == Suggestion::Kind::kArticle) {
        if (!suggestion.article) return {grpc::StatusCode::INTERNAL, "suggestion without its article"};
        out = *suggestion.article;
        if (catalog_.Find(out.id.str())) {
            return {grpc::StatusCode::FAILED_PRECONDITION,
                    "article " + out.id.str() + " was created meanwhile; reject this suggestion"};
        }
    } else {
        std::optional<kb::Article> existing = catalog_.Find(suggestion.article_id);
        if (!existing) {
            return {grpc::StatusCode::FAILED_PRECONDITION,
                    "article " + suggestion.article_id + " no longer exists; reject this suggestion"};
        }
        out = std::move(*existing);
        if (!HasQuestion(out, suggestion.question)) out.questions.push_back(suggestion.question);
    }
    if (Status s = kb::ValidateArticle(out); !s.ok()) {
        return {grpc::StatusCode::FAILED_PRECONDITION, "cannot approve: " + s.error().message};
    }
    return grpc::Status::OK;
}

grpc::Status KbAdminService::Review(const v1::ReviewSuggestionRequest& request,
                                    v1::ReviewSuggestionResponse& response) {
    if (suggestions_ == nullptr) return NoSuggestions();
    const std::string& id = request.suggestion_id();
    if (!id.starts_with("s-") || !IsValidExternalId(id)) return Invalid("suggestion_id is not a suggestion id");
    if (request.decision() != v1::REVIEW_DECISION_APPROVE && request.decision() != v1::REVIEW_DECISION_REJECT) {
        return Invalid("decision is required: REVIEW_DECISION_APPROVE or REVIEW_DECISION_REJECT");
    }
    if (grpc::Status s = CheckOperator("reviewer_id", request.reviewer_id()); !s.ok()) return s;
    if (grpc::Status s = CheckText("reason", request.reason()); !s.ok()) return s;
    if (!catalog_.synced()) return NotSynced();

    // Only one reviewer gets past this point (a compare-and-set in Redis).
    auto claim = suggestions_->BeginReview(id, options_.review_hold);
    if (!claim) return StoreFailed(claim.error());
    switch (claim->outcome) {
        case SuggestionStore::ClaimOutcome::kClaimed:
            break;
        case SuggestionStore::ClaimOutcome::kNotFound:
            return {grpc::StatusCode::NOT_FOUND, "no suggestion " + id};
        case SuggestionStore::ClaimOutcome::kInReview:
            return {grpc::StatusCode::ABORTED, "suggestion " + id + " is being reviewed by someone else"};
        case SuggestionStore::ClaimOutcome::kAlreadyReviewed: {
            auto done = suggestions_->Get(id);
            std::string by;
            if (done && *done) {
                by = std::string(" ") + SuggestionStore::StateName((*done)->state) + " by " + (*done)->reviewed_by;
            }
            return {grpc::StatusCode::FAILED_PRECONDITION, "suggestion " + id + " was already reviewed" + by};
        }
    }
    const std::string& token = claim->token;
    auto abandon = [&](grpc::Status status) {
        if (Status s = suggestions_->AbandonReview(id, token); !s.ok()) {
            spdlog::warn("kb admin: cannot release suggestion {}: {}", id, s.error().message);
        }
        return status;
    };
    auto suggestion = suggestions_->Get(id);
    if (!suggestion) return abandon(StoreFailed(suggestion.error()));
    if (!*suggestion) return {grpc::StatusCode::NOT_FOUND, "no suggestion " + id};

    const bool approve = request.decision() == v1::REVIEW_DECISION_APPROVE;
    if (approve) {
        std::lock_guard lock(write_mu_);
        kb::Article article;
        if (grpc::Status s = ApprovedArticle(**suggestion, article); !s.ok()) return abandon(s);
        v1::UpsertArticleResponse upserted;
        if (grpc::Status s = UpsertLocked(std::move(article), upserted); !s.ok()) return abandon(s);
        *response.mutable_article() = upserted.article();
    }
    const Suggestion::State decision = approve ? Suggestion::State::kApproved : Suggestion::State::kRejected;
    auto finished = suggestions_->FinishReview(id, token, decision, request.reviewer_id(), request.reason());
    if (!finished) {
        // Approved: the article is published but the suggestion still looks in review; once the
        // hold expires a retry publishes the same article again (harmless) and marks it.
        return StoreFailed(finished.error());
    }
    if (!*finished) {
        return {grpc::StatusCode::ABORTED,
                "suggestion " + id + ": the review took too long and was taken over by another reviewer"};
    }
    spdlog::info("kb admin: {} {} suggestion {}", request.reviewer_id(), approve ? "approved" : "rejected", id);
    auto reviewed = suggestions_->Get(id);
    if (reviewed && *reviewed) *response.mutable_suggestion() = SuggestionToProto(**reviewed);
    return grpc::Status::OK;
}

grpc::Status KbAdminService::PublishAndWait(const std::vector<ArticleChange>& changes) {
    if (Status s = publisher_.Publish(changes); !s.ok()) {
        spdlog::error("kb admin: publishing {} changes to {} failed: {}", changes.size(), publisher_.topic(),
                      s.error().message);
        return {s.error().retryable ? grpc::StatusCode::UNAVAILABLE : grpc::StatusCode::INTERNAL,
                "publishing to " + publisher_.topic() + " failed: " + s.error().message};
    }
    const bool applied = catalog_.WaitUntil(
        [&](const KbCatalog::Articles& articles) {
            for (const ArticleChange& c : changes) {
                const auto it = articles.find(c.id);
                if (c.article ? it == articles.end() || it->second.version < c.article->version
                              : it != articles.end()) {
                    return false;
                }
            }
            return true;
        },
        options_.apply_timeout);
    if (!applied) {
        spdlog::warn("kb admin: {} changes are in Kafka but not yet read back by this replica after {} ms",
                     changes.size(), options_.apply_timeout.count());
    }
    return grpc::Status::OK;
}

}  // namespace switchboard::assistant
