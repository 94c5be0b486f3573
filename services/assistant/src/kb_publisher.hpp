#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/kafka/producer.hpp"
#include "switchboard/kb/article.hpp"

namespace switchboard::assistant {

// One change to the knowledge base: an article to store, or the id to delete.
struct ArticleChange {
    std::string id;
    std::optional<kb::Article> article;  // nullopt: delete (a tombstone)

    static ArticleChange Upsert(kb::Article a) {
        std::string id = a.id.str();
        return {std::move(id), std::move(a)};
    }
    static ArticleChange Delete(std::string id) { return {std::move(id), std::nullopt}; }
};

// The only writer of kb.articles.v1: key = article id, value = serialized kb.v1.Article, a
// delete is a record with a null value (a tombstone, which compaction eventually removes).
//
// Thread-safety: Publish may be called from any thread. The producer must outlive this object.
class KbPublisher {
public:
    KbPublisher(kafka::Producer& producer, std::string topic);

    // Produces every change and waits for all delivery reports: Ok only if every record is
    // durably written. On error some records may be written (each is a complete, idempotent
    // upsert or delete, so publishing the same changes again is safe). Retryable if any failure was.
    Status Publish(const std::vector<ArticleChange>& changes,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

    const std::string& topic() const { return topic_; }

private:
    kafka::Producer& producer_;
    const std::string topic_;
};

}  // namespace switchboard::assistant
