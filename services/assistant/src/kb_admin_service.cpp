#include "kb_admin_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "switchboard/core/ids.hpp"
#include "switchboard/kb/formats.hpp"

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

}  // namespace

KbAdminService::KbAdminService(const KbCatalog& catalog, KbPublisher& publisher, KbProbe& probe,
                               Options options)
    : catalog_(catalog), publisher_(publisher), probe_(probe), options_(options) {}

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

grpc::Status KbAdminService::Upsert(const v1::UpsertArticleRequest& request,
                                    v1::UpsertArticleResponse& response) {
    if (!request.has_article()) return Invalid("article is required");
    kb::Article article = FromProto(request.article());
    if (Status s = kb::ValidateArticle(article); !s.ok()) return Invalid(s.error().message);
    if (!catalog_.synced()) return NotSynced();

    std::lock_guard lock(write_mu_);
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
