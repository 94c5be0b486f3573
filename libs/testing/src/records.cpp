#include "switchboard/testing/records.hpp"

#include "switchboard/core/ids.hpp"

namespace switchboard::testing {

RecordCollector::RecordCollector(const std::string& brokers, const std::string& topic) {
    kafka::ConsumerConfig config;
    config.brokers = brokers;
    config.group_id = "collector-" + NewUuid();
    config.client_id = "record-collector";
    config.topics = {topic};
    config.auto_offset_reset = "earliest";
    consumer_ = kafka::MakeConsumer(config, [this](const kafka::Record& r) {
        {
            std::lock_guard lock(mu_);
            records_.push_back(r);
        }
        changed_.notify_all();
        return Status::Ok();
    });
    consumer_->Start();
}

RecordCollector::~RecordCollector() { consumer_->Stop(); }

bool RecordCollector::WaitFor(const std::function<bool(const std::vector<kafka::Record>&)>& done,
                              std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return done(records_); });
}

bool RecordCollector::WaitForCount(std::size_t n, std::chrono::milliseconds timeout) {
    return WaitFor([n](const std::vector<kafka::Record>& r) { return r.size() >= n; }, timeout);
}

std::vector<kafka::Record> RecordCollector::Records() const {
    std::lock_guard lock(mu_);
    return records_;
}

}  // namespace switchboard::testing
