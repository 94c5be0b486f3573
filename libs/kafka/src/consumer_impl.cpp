#include <librdkafka/rdkafkacpp.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "client_events.hpp"
#include "lag_gauges.hpp"
#include "errors.hpp"
#include "properties.hpp"
#include "record_conversion.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "topic_counters.hpp"

namespace switchboard::kafka {

namespace {

using Clock = std::chrono::steady_clock;

// Bounds how long Stop() waits for the loop and how late a due retry runs.
constexpr std::chrono::milliseconds kConsumeTimeout{100};
constexpr auto kProbeWhileDown = std::chrono::seconds(1);
constexpr int kProbeTimeoutMs = 500;

enum ConsumedResult : std::size_t { kConsumedOk = 0, kConsumedSkipped = 1, kConsumedRetried = 2 };

struct PartitionKey {
    std::string topic;
    std::int32_t partition = 0;
    auto operator<=>(const PartitionKey&) const = default;
};

// TopicPartition pointers in the shape the C++ API takes, freed on scope exit.
class PartitionList {
public:
    PartitionList(const std::string& topic, std::int32_t partition) {
        list_.push_back(RdKafka::TopicPartition::create(topic, partition));
    }
    PartitionList(const std::string& topic, std::int32_t partition, std::int64_t offset) {
        list_.push_back(RdKafka::TopicPartition::create(topic, partition, offset));
    }
    ~PartitionList() { RdKafka::TopicPartition::destroy(list_); }
    PartitionList(const PartitionList&) = delete;
    PartitionList& operator=(const PartitionList&) = delete;

    std::vector<RdKafka::TopicPartition*>& get() { return list_; }

private:
    std::vector<RdKafka::TopicPartition*> list_;
};

std::string Describe(const std::vector<RdKafka::TopicPartition*>& partitions) {
    if (partitions.empty()) return "no partitions";
    std::string out;
    for (const RdKafka::TopicPartition* p : partitions) {
        if (!out.empty()) out += ", ";
        out += p->topic() + "[" + std::to_string(p->partition()) + "]";
    }
    return out;
}

std::string JoinTopics(const std::vector<std::string>& topics) {
    std::string out;
    for (const auto& topic : topics) out += (out.empty() ? "" : ",") + topic;
    return out;
}

class ConsumerImpl final : public Consumer {
public:
    ConsumerImpl(const ConsumerConfig& config, Handler handler, prometheus::Registry* registry);
    ~ConsumerImpl() override { Stop(); }
    ConsumerImpl(const ConsumerImpl&) = delete;
    ConsumerImpl& operator=(const ConsumerImpl&) = delete;

    void Start() override;
    void Stop() override;
    bool Healthy() const override {
        return running_.load() && joined_.load() && events_.BrokerUp() && !events_.Fatal();
    }

private:
    class Rebalancer final : public RdKafka::RebalanceCb {
    public:
        explicit Rebalancer(ConsumerImpl& owner) : owner_(owner) {}
        void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                          std::vector<RdKafka::TopicPartition*>& partitions) override {
            owner_.OnRebalance(*consumer, err, partitions);
        }

    private:
        ConsumerImpl& owner_;
    };

    // A record whose handler asked for a retry. Its partition stays paused until the record is
    // done, so later records of that partition wait while other partitions flow.
    struct PendingRetry {
        Record record;
        int attempt = 0;  // failures so far
        Clock::time_point due;
    };

    enum class Outcome { kDone, kRetry };

    void Run();
    void OnMessage(const RdKafka::Message& message);
    void OnConsumeError(const RdKafka::Message& message);
    Outcome Handle(const Record& record, int attempt);
    Status CallHandler(const Record& record);
    void ServeDueRetries();
    std::chrono::milliseconds NextConsumeTimeout() const;
    void StoreOffset(const Record& record);
    void Pause(const PartitionKey& key);
    void ResumeAt(const PartitionKey& key, std::int64_t offset);
    void OnRebalance(RdKafka::KafkaConsumer& consumer, RdKafka::ErrorCode err,
                     std::vector<RdKafka::TopicPartition*>& partitions);
    void ForgetRetries(const std::vector<RdKafka::TopicPartition*>& partitions);
    void CommitAndClose();

    const std::string group_id_;
    const std::vector<std::string> topics_;
    const Handler handler_;
    // Declared before consumer_: librdkafka calls into them until the handle is destroyed.
    ClientEvents events_;
    LagGauges lag_;
    Rebalancer rebalancer_{*this};
    TopicCounters counters_;
    std::unique_ptr<RdKafka::KafkaConsumer> consumer_;

    // Consumer thread only (the rebalance callback runs inside consume() and close()).
    std::map<PartitionKey, PendingRetry> retries_;
    Clock::time_point next_probe_{};

    std::atomic<bool> joined_{false};
    std::atomic<bool> running_{false};
    std::atomic<bool> stop_{false};

    std::mutex lifecycle_mu_;  // serialises Start/Stop
    bool started_ = false;
    bool stopped_ = false;
    std::thread thread_;
};

ConsumerImpl::ConsumerImpl(const ConsumerConfig& config, Handler handler,
                           prometheus::Registry* registry)
    : group_id_(config.group_id),
      topics_(config.topics),
      handler_(std::move(handler)),
      events_("consumer " + config.group_id +
              (config.client_id.empty() ? std::string() : "/" + config.client_id)),
      lag_(registry, config.group_id),
      counters_(registry, "switchboard_kafka_consumed_total",
                "Records handed to consumer handlers, by topic and outcome",
                {"ok", "skipped", "retried"}) {
    if (!handler_) throw std::runtime_error("kafka consumer (group " + group_id_ + "): no handler");
    events_.OnStats([this](std::string_view stats) { lag_.Update(stats); });
    const std::unique_ptr<RdKafka::Conf> conf = MakeConf(ConsumerProperties(config), "kafka consumer");
    std::string errstr;
    if (conf->set("event_cb", &events_, errstr) != RdKafka::Conf::CONF_OK ||
        conf->set("rebalance_cb", &rebalancer_, errstr) != RdKafka::Conf::CONF_OK) {
        throw std::runtime_error("kafka consumer: " + errstr);
    }
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), errstr));
    if (!consumer_) {
        throw std::runtime_error("kafka consumer (group " + group_id_ +
                                 "): invalid configuration: " + errstr);
    }
}

void ConsumerImpl::Start() {
    std::lock_guard lock(lifecycle_mu_);
    if (started_ || stopped_) {
        spdlog::warn("kafka {}: Start() called twice or after Stop(); ignored", events_.name());
        return;
    }
    if (const RdKafka::ErrorCode err = consumer_->subscribe(topics_); err != RdKafka::ERR_NO_ERROR) {
        throw std::runtime_error("kafka " + events_.name() + ": cannot subscribe to " +
                                 JoinTopics(topics_) + ": " + RdKafka::err2str(err));
    }
    started_ = true;
    running_.store(true);
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "sb-consume");  // for top -H and perf
        Run();
    });
}

void ConsumerImpl::Stop() {
    stop_.store(true);
    std::lock_guard lock(lifecycle_mu_);
    if (stopped_) return;
    if (thread_.joinable() && thread_.get_id() == std::this_thread::get_id()) {
        // From inside the handler: the loop ends when it returns and closes the consumer
        // itself; a later Stop() (or the destructor) from another thread joins.
        return;
    }
    stopped_ = true;
    if (thread_.joinable()) {
        thread_.join();
    } else if (const RdKafka::ErrorCode err = consumer_->close(); err != RdKafka::ERR_NO_ERROR) {
        spdlog::warn("kafka {}: close: {}", events_.name(), RdKafka::err2str(err));
    }
}

void ConsumerImpl::Run() {
    while (!stop_.load()) {
        ServeDueRetries();
        if (stop_.load()) break;
        const std::unique_ptr<RdKafka::Message> message(
            consumer_->consume(static_cast<int>(NextConsumeTimeout().count())));
        switch (message->err()) {
            case RdKafka::ERR_NO_ERROR:
                OnMessage(*message);
                break;
            case RdKafka::ERR__TIMED_OUT:
            case RdKafka::ERR__PARTITION_EOF:
                break;
            default:
                OnConsumeError(*message);
        }
        if (!events_.BrokerUp() && Clock::now() >= next_probe_) {
            // Nothing else says a broker is back while the topics are idle.
            ProbeBrokers(*consumer_, events_, kProbeTimeoutMs);
            next_probe_ = Clock::now() + kProbeWhileDown;
        }
    }
    CommitAndClose();
}

void ConsumerImpl::CommitAndClose() {
    // The offsets stored since the last auto-commit; close() would commit them too, but an
    // explicit commit reports failure.
    const RdKafka::ErrorCode err = consumer_->commitSync();
    if (err != RdKafka::ERR_NO_ERROR && err != RdKafka::ERR__NO_OFFSET) {
        spdlog::warn("kafka {}: commit on stop failed, records handled in the last 500 ms will "
                     "be handed again: {}",
                     events_.name(), RdKafka::err2str(err));
    }
    if (const RdKafka::ErrorCode closed = consumer_->close(); closed != RdKafka::ERR_NO_ERROR) {
        spdlog::warn("kafka {}: close: {}", events_.name(), RdKafka::err2str(closed));
    }
    running_.store(false);
}

void ConsumerImpl::OnMessage(const RdKafka::Message& message) {
    events_.MarkBrokerUp();
    PartitionKey key{message.topic_name(), message.partition()};
    if (retries_.contains(key)) {
        // Fetched before the pause took effect; ResumeAt() fetches it again in order.
        return;
    }
    Record record = ToRecord(message);
    if (Handle(record, 0) == Outcome::kRetry) {
        Pause(key);
        const Clock::time_point due = Clock::now() + RetryBackoff(0);
        retries_.emplace(std::move(key), PendingRetry{std::move(record), 1, due});
    }
}

void ConsumerImpl::OnConsumeError(const RdKafka::Message& message) {
    const std::string where = message.topic_name().empty()
                                  ? std::string()
                                  : " (" + message.topic_name() + "[" +
                                        std::to_string(message.partition()) + "])";
    switch (message.err()) {
        case RdKafka::ERR__FATAL:
            spdlog::critical("kafka {}: fatal consumer error{}: {}", events_.name(), where,
                             message.errstr());
            return;
        case RdKafka::ERR__MAX_POLL_EXCEEDED:
            spdlog::warn("kafka {}: a handler ran longer than max.poll.interval.ms; the consumer "
                         "left the group and rejoins: {}",
                         events_.name(), message.errstr());
            return;
        default:
            spdlog::warn("kafka {}: consumer error{}: {} ({})", events_.name(), where,
                         message.errstr(), RdKafka::err2str(message.err()));
    }
}

ConsumerImpl::Outcome ConsumerImpl::Handle(const Record& record, int attempt) {
    const TopicCounters::Set* counters = counters_.For(record.topic);
    const Status status = CallHandler(record);
    if (status.ok()) {
        TopicCounters::Increment(counters, kConsumedOk);
        StoreOffset(record);
        return Outcome::kDone;
    }
    if (!status.error().retryable) {
        spdlog::error("kafka {}: skipping record {}[{}]@{}: {}", events_.name(), record.topic,
                      record.partition, record.offset, status.error().message);
        TopicCounters::Increment(counters, kConsumedSkipped);
        StoreOffset(record);
        return Outcome::kDone;
    }
    TopicCounters::Increment(counters, kConsumedRetried);
    spdlog::warn("kafka {}: record {}[{}]@{} failed (attempt {}), retrying in {} ms: {}",
                 events_.name(), record.topic, record.partition, record.offset, attempt + 1,
                 RetryBackoff(attempt).count(), status.error().message);
    return Outcome::kRetry;
}

Status ConsumerImpl::CallHandler(const Record& record) {
    // A throwing handler is a bug; retrying keeps the record (and makes the bug loud) rather
    // than dropping it.
    try {
        return handler_(record);
    } catch (const std::exception& e) {
        return Error::Retryable(std::string("handler threw: ") + e.what());
    } catch (...) {
        return Error::Retryable("handler threw a non-standard exception");
    }
}

void ConsumerImpl::ServeDueRetries() {
    for (auto it = retries_.begin(); it != retries_.end() && !stop_.load();) {
        PendingRetry& retry = it->second;
        if (Clock::now() < retry.due) {
            ++it;
            continue;
        }
        if (Handle(retry.record, retry.attempt) == Outcome::kDone) {
            ResumeAt(it->first, retry.record.offset + 1);
            it = retries_.erase(it);
        } else {
            retry.due = Clock::now() + RetryBackoff(retry.attempt);
            ++retry.attempt;
            ++it;
        }
    }
}

std::chrono::milliseconds ConsumerImpl::NextConsumeTimeout() const {
    std::chrono::milliseconds timeout = kConsumeTimeout;
    const Clock::time_point now = Clock::now();
    for (const auto& [key, retry] : retries_) {
        const auto until = std::chrono::ceil<std::chrono::milliseconds>(retry.due - now);
        timeout = std::clamp(until, std::chrono::milliseconds(0), timeout);
    }
    return timeout;
}

void ConsumerImpl::StoreOffset(const Record& record) {
    PartitionList list(record.topic, record.partition, record.offset + 1);
    RdKafka::ErrorCode err = consumer_->offsets_store(list.get());
    if (err == RdKafka::ERR_NO_ERROR) err = list.get().front()->err();
    if (err != RdKafka::ERR_NO_ERROR) {
        spdlog::warn("kafka {}: cannot store offset of {}[{}]@{}, it will be handed again after a "
                     "rebalance or restart: {}",
                     events_.name(), record.topic, record.partition, record.offset,
                     RdKafka::err2str(err));
    }
}

void ConsumerImpl::Pause(const PartitionKey& key) {
    PartitionList list(key.topic, key.partition);
    if (const RdKafka::ErrorCode err = consumer_->pause(list.get()); err != RdKafka::ERR_NO_ERROR) {
        spdlog::warn("kafka {}: cannot pause {}[{}]: {}", events_.name(), key.topic, key.partition,
                     RdKafka::err2str(err));
    }
}

void ConsumerImpl::ResumeAt(const PartitionKey& key, std::int64_t offset) {
    PartitionList list(key.topic, key.partition, offset);
    if (const RdKafka::ErrorCode err = consumer_->resume(list.get()); err != RdKafka::ERR_NO_ERROR) {
        spdlog::warn("kafka {}: cannot resume {}[{}]: {}", events_.name(), key.topic,
                     key.partition, RdKafka::err2str(err));
    }
    // Records fetched while paused were dropped (OnMessage); seeking refetches them in order
    // and discards anything older still queued.
    if (const RdKafka::ErrorCode err = consumer_->seek(*list.get().front(), 0);
        err != RdKafka::ERR_NO_ERROR) {
        spdlog::warn("kafka {}: cannot seek {}[{}] to {}: {}", events_.name(), key.topic,
                     key.partition, offset, RdKafka::err2str(err));
    }
}

void ConsumerImpl::OnRebalance(RdKafka::KafkaConsumer& consumer, RdKafka::ErrorCode err,
                               std::vector<RdKafka::TopicPartition*>& partitions) {
    // Eager by default (see properties.cpp); an override may select a cooperative assignor.
    const bool cooperative = consumer.rebalance_protocol() == "COOPERATIVE";
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
        spdlog::info("kafka {}: assigned {}", events_.name(), Describe(partitions));
        if (cooperative) {
            if (const std::unique_ptr<RdKafka::Error> error(consumer.incremental_assign(partitions));
                error) {
                spdlog::error("kafka {}: incremental assign: {}", events_.name(), error->str());
            }
        } else if (const RdKafka::ErrorCode e = consumer.assign(partitions); e != RdKafka::ERR_NO_ERROR) {
            spdlog::error("kafka {}: assign: {}", events_.name(), RdKafka::err2str(e));
        }
        joined_.store(true);
        events_.MarkBrokerUp();
        return;
    }
    if (err == RdKafka::ERR__REVOKE_PARTITIONS) {
        spdlog::info("kafka {}: revoked {}{}", events_.name(), Describe(partitions),
                     consumer.assignment_lost() ? " (assignment lost)" : "");
    } else {
        spdlog::error("kafka {}: rebalance failed ({}); dropping {}", events_.name(),
                      RdKafka::err2str(err), Describe(partitions));
    }
    // Unfinished retries go back to the group with their partitions: their offsets were never
    // stored, so the next owner starts with them. librdkafka commits the stored offsets of
    // revoked partitions (enable.auto.commit) before giving them up.
    ForgetRetries(partitions);
    if (cooperative) {
        if (const std::unique_ptr<RdKafka::Error> error(consumer.incremental_unassign(partitions));
            error) {
            spdlog::error("kafka {}: incremental unassign: {}", events_.name(), error->str());
        }
    } else if (const RdKafka::ErrorCode e = consumer.unassign(); e != RdKafka::ERR_NO_ERROR) {
        spdlog::error("kafka {}: unassign: {}", events_.name(), RdKafka::err2str(e));
    }
}

void ConsumerImpl::ForgetRetries(const std::vector<RdKafka::TopicPartition*>& partitions) {
    for (const RdKafka::TopicPartition* p : partitions) {
        const auto it = retries_.find(PartitionKey{p->topic(), p->partition()});
        if (it == retries_.end()) continue;
        // Un-pause, or a later re-assignment of the same partition would stay silent.
        PartitionList list(p->topic(), p->partition());
        static_cast<void>(consumer_->resume(list.get()));
        retries_.erase(it);
    }
}

}  // namespace

std::unique_ptr<Consumer> MakeConsumer(const ConsumerConfig& config, Handler handler,
                                       prometheus::Registry* registry) {
    return std::make_unique<ConsumerImpl>(config, std::move(handler), registry);
}

}  // namespace switchboard::kafka
