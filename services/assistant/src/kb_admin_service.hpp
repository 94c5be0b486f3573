#pragma once

#include <chrono>
#include <mutex>
#include <string_view>

#include "kb_catalog.hpp"
#include "kb_probe.hpp"
#include "kb_publisher.hpp"
#include "suggestion_store.hpp"
#include "switchboard/kb/v1/admin.grpc.pb.h"

namespace switchboard::assistant {

// gRPC KnowledgeBaseAdmin (proto/switchboard/kb/v1/admin.proto): validates, computes the change
// against the KbCatalog, publishes it to kb.articles.v1 through the KbPublisher and returns once
// Kafka acknowledged it — and, normally, once this replica has read it back, so a Get or Ask on
// the same replica right after sees it (after `apply_timeout` the call returns anyway: the change
// is durable, this replica is merely slow to read it).
//
// Every call answers UNAVAILABLE until the catalog is synced (a partial catalog would give wrong
// versions and a replace_all import that misses deletions). Writes are serialized within the
// replica so versions computed from the catalog keep increasing; two replicas writing one article
// at the same moment may both publish the same version (the later record in the topic wins).
//
// Operators' suggestions (Propose*, ListSuggestions, ReviewSuggestion) live in the
// SuggestionStore; an approval publishes through the same path as UpsertArticle. Without a store
// those RPCs answer UNIMPLEMENTED.
//
// Thread-safety: gRPC calls it from many threads. Dependencies must outlive it.
class KbAdminService final : public kb::v1::KnowledgeBaseAdmin::Service {
public:
    struct Options {
        std::chrono::milliseconds apply_timeout{3000};
        // How long a reviewer holds a suggestion while approving it (publish + read back) before
        // another reviewer may take it over.
        std::chrono::milliseconds review_hold{30000};
    };

    KbAdminService(const KbCatalog& catalog, KbPublisher& publisher, KbProbe& probe, Options options,
                   SuggestionStore* suggestions = nullptr);

    grpc::Status UpsertArticle(grpc::ServerContext* context, const kb::v1::UpsertArticleRequest* request,
                               kb::v1::UpsertArticleResponse* response) override;
    grpc::Status DeleteArticle(grpc::ServerContext* context, const kb::v1::DeleteArticleRequest* request,
                               kb::v1::DeleteArticleResponse* response) override;
    grpc::Status GetArticle(grpc::ServerContext* context, const kb::v1::GetArticleRequest* request,
                            kb::v1::Article* response) override;
    grpc::Status ListArticles(grpc::ServerContext* context, const kb::v1::ListArticlesRequest* request,
                              kb::v1::ListArticlesResponse* response) override;
    grpc::Status ImportArticles(grpc::ServerContext* context, const kb::v1::ImportArticlesRequest* request,
                                kb::v1::ImportArticlesResponse* response) override;
    grpc::Status ExportArticles(grpc::ServerContext* context, const kb::v1::ExportArticlesRequest* request,
                                kb::v1::ExportArticlesResponse* response) override;
    grpc::Status ProposeArticle(grpc::ServerContext* context, const kb::v1::ProposeArticleRequest* request,
                                kb::v1::ProposeArticleResponse* response) override;
    grpc::Status ProposeQuestion(grpc::ServerContext* context, const kb::v1::ProposeQuestionRequest* request,
                                 kb::v1::ProposeQuestionResponse* response) override;
    grpc::Status ListSuggestions(grpc::ServerContext* context, const kb::v1::ListSuggestionsRequest* request,
                                 kb::v1::ListSuggestionsResponse* response) override;
    grpc::Status ReviewSuggestion(grpc::ServerContext* context, const kb::v1::ReviewSuggestionRequest* request,
                                  kb::v1::ReviewSuggestionResponse* response) override;

private:
    grpc::Status Upsert(const kb::v1::UpsertArticleRequest& request, kb::v1::UpsertArticleResponse& response);
    grpc::Status Delete(const kb::v1::DeleteArticleRequest& request);
    grpc::Status Get(const kb::v1::GetArticleRequest& request, kb::v1::Article& response);
    grpc::Status List(const kb::v1::ListArticlesRequest& request, kb::v1::ListArticlesResponse& response);
    grpc::Status ImportFile(const kb::v1::ImportArticlesRequest& request,
                            kb::v1::ImportArticlesResponse& response);
    grpc::Status ExportFile(const kb::v1::ExportArticlesRequest& request,
                            kb::v1::ExportArticlesResponse& response);
    grpc::Status ProposeNewArticle(const kb::v1::ProposeArticleRequest& request,
                                   kb::v1::ProposeArticleResponse& response);
    grpc::Status ProposeNewQuestion(const kb::v1::ProposeQuestionRequest& request,
                                    kb::v1::ProposeQuestionResponse& response);
    grpc::Status ListProposals(const kb::v1::ListSuggestionsRequest& request,
                               kb::v1::ListSuggestionsResponse& response);
    grpc::Status Review(const kb::v1::ReviewSuggestionRequest& request, kb::v1::ReviewSuggestionResponse& response);
    // The article an approval publishes (validated), or why it cannot be approved.
    grpc::Status ApprovedArticle(const Suggestion& suggestion, kb::Article& out) const;

    // The write half of UpsertArticle, for a validated article; write_mu_ must be held.
    grpc::Status UpsertLocked(kb::Article article, kb::v1::UpsertArticleResponse& response);

    // Publishes and waits (bounded) until this replica's catalog shows the changes.
    grpc::Status PublishAndWait(const std::vector<ArticleChange>& changes);
    grpc::Status Counted(std::string_view method, grpc::Status status);

    const KbCatalog& catalog_;
    KbPublisher& publisher_;
    KbProbe& probe_;
    const Options options_;
    SuggestionStore* const suggestions_;
    std::mutex write_mu_;
};

}  // namespace switchboard::assistant
