#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kb_catalog.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "switchboard/kafka/producer.hpp"
#include "switchboard/kb/article.hpp"

namespace switchboard::assistant::kbtest {

// A Producer that "delivers" at once, on the calling thread, and hands every record to `sink`
// first, as if the topic had been read back. With `fail` set it refuses with a retryable error.
class LoopbackProducer final : public kafka::Producer {
public:
    std::function<void(const kafka::Record&)> sink;
    std::atomic<bool> fail{false};

    void Produce(std::string_view topic, std::string_view key, std::string_view value,
                 DeliveryCallback on_delivery) override {
        kafka::Record r;
        r.topic = std::string(topic);
        r.key = std::string(key);
        r.value = std::string(value);
        r.value_is_null = value.data() == nullptr;
        const bool refused = fail.load();
        {
            std::lock_guard lock(mu_);
            ++attempts_;
            if (!refused) {
                r.offset = static_cast<std::int64_t>(records_.size());
                records_.push_back(r);
            }
        }
        if (refused) {
            on_delivery(Error::Retryable("broker down"));
            return;
        }
        if (sink) sink(r);
        on_delivery(Status::Ok());
    }
    Status Flush(std::chrono::milliseconds) override { return Status::Ok(); }
    bool Healthy() const override { return true; }

    std::vector<kafka::Record> records() const {
        std::lock_guard lock(mu_);
        return records_;
    }
    int attempts() const {
        std::lock_guard lock(mu_);
        return attempts_;
    }

private:
    mutable std::mutex mu_;
    std::vector<kafka::Record> records_;
    int attempts_ = 0;
};

inline kb::Article MakeArticle(std::string id, std::vector<std::string> questions, std::string answer,
                               std::string lang = "en", std::vector<std::string> tags = {}) {
    return kb::Article{ArticleId(std::move(id)),
                       std::move(questions),
                       std::move(answer),
                       std::move(lang),
                       std::move(tags),
                       true,
                       1};
}

inline kafka::Record UpsertRecord(const kb::Article& a) {
    kafka::Record r;
    r.key = a.id.str();
    r.value = ToProto(a).SerializeAsString();
    return r;
}

inline kafka::Record Tombstone(std::string id) {
    kafka::Record r;
    r.key = std::move(id);
    r.value_is_null = true;
    return r;
}

}  // namespace switchboard::assistant::kbtest
