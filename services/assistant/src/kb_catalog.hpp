#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "switchboard/kb/article.hpp"
#include "switchboard/kb/v1/article.pb.h"

namespace switchboard::assistant {

// kb::Article <-> its wire form on kb.articles.v1 and in the admin API.
kb::v1::Article ToProto(const kb::Article& article);
kb::Article FromProto(const kb::v1::Article& article);

// The latest Article per id on kb.articles.v1 as this replica has read it: the knowledge base
// the index is built from and the admin API reads. Fed by KbSync from the topic reader.
//
// Thread-safety: every method may be called from any thread.
class KbCatalog {
public:
    using Articles = std::map<std::string, kb::Article>;  // by id, so iteration is ordered by id

    // Applies one record of the topic: a tombstone (null value) removes its key, an Article
    // replaces the one with its id. True if the catalog changed. An Error (the record is skipped)
    // for a record without key, an empty or undecodable value, an article whose id is not the
    // record key, or one without questions or answer.
    Result<bool> Apply(const kafka::Record& record);

    std::optional<kb::Article> Find(const std::string& id) const;
    Articles Snapshot() const;
    std::size_t size() const;

    // Waits until `condition` holds for the articles (re-checked after every change); false
    // after `timeout`.
    bool WaitUntil(const std::function<bool(const Articles&)>& condition,
                   std::chrono::milliseconds timeout) const;

    // Set once the replica has read the topic up to its end: before that the catalog is partial
    // and the admin API refuses to work from it.
    void MarkSynced();
    bool synced() const;

private:
    mutable std::mutex mu_;
    mutable std::condition_variable changed_;
    Articles articles_;
    bool synced_ = false;
};

}  // namespace switchboard::assistant
