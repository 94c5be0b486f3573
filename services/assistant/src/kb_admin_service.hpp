#pragma once

#include <chrono>
#include <mutex>
#include <string_view>

#include "kb_catalog.hpp"
#include "kb_probe.hpp"
#include "kb_publisher.hpp"
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
// Thread-safety: gRPC calls it from many threads. Dependencies must outlive it.
class KbAdminService final : public kb::v1::KnowledgeBaseAdmin::Service {
public:
    struct Options {
        std::chrono::milliseconds apply_timeout{3000};
    };

    KbAdminService(const KbCatalog& catalog, KbPublisher& publisher, KbProbe& probe, Options options);

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

private:
    grpc::Status Upsert(const kb::v1::UpsertArticleRequest& request, kb::v1::UpsertArticleResponse& response);
    grpc::Status Delete(const kb::v1::DeleteArticleRequest& request);
    grpc::Status Get(const kb::v1::GetArticleRequest& request, kb::v1::Article& response);
    grpc::Status List(const kb::v1::ListArticlesRequest& request, kb::v1::ListArticlesResponse& response);
    grpc::Status ImportFile(const kb::v1::ImportArticlesRequest& request,
                            kb::v1::ImportArticlesResponse& response);
    grpc::Status ExportFile(const kb::v1::ExportArticlesRequest& request,
                            kb::v1::ExportArticlesResponse& response);

    // Publishes and waits (bounded) until this replica's catalog shows the changes.
    grpc::Status PublishAndWait(const std::vector<ArticleChange>& changes);
    grpc::Status Counted(std::string_view method, grpc::Status status);

    const KbCatalog& catalog_;
    KbPublisher& publisher_;
    KbProbe& probe_;
    const Options options_;
    std::mutex write_mu_;
};

}  // namespace switchboard::assistant
