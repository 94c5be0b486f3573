#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "client_events.hpp"
#include "properties.hpp"
#include "record_conversion.hpp"
#include "switchboard/kafka/topic_reader.hpp"
#include "topic_counters.hpp"

namespace switchboard::kafka {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kConsumeTimeoutMs = 100;
constexpr int kMetadataTimeoutMs = 1000;
constexpr auto kRetryAssign = std::chrono::seconds(1);
constexpr auto kProbeWhileDown = std::chrono::seconds(1);
constexpr int kProbeTimeoutMs = 500;

enum ConsumedResult : std::size_t { kConsumedOk = 0, kConsumedSkipped = 1 };

Properties ReaderProperties(const TopicReaderConfig& config) {
    if (config.brokers.empty()) {
        throw std::runtime_error("kafka topic reader: brokers is empty; set it to host:port[,host:port]");
    }
    if (config.topic.empty()) throw std::runtime_error("kafka topic reader: topic is empty");
    const std::string client = config.client_id.empty() ? "switchboard" : config.client_id;
    Properties p{
        {"bootstrap.servers", config.brokers},
        {"client.id", client},
        // The C++ KafkaConsumer insists on a group id, but partitions are assigned by hand and
        // nothing is ever committed: the group is never joined and keeps no state.
        {"group.id", "switchboard-reader." + client},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        // Where caught-up comes from.
        {"enable.partition.eof", "true"},
        // Offsets below the log start (retention) resume at the oldest record still there.
        {"auto.offset.reset", "earliest"},
        {"fetch.wait.max.ms", "10"},
        {"fetch.error.backoff.ms", "50"},
        {"socket.nagle.disable", "true"},
    };
    for (const auto& [name, value] : config.overrides) p.emplace_back(name, value);
    return p;
}

class TopicReaderImpl final : public TopicReader {
public:
    TopicReaderImpl(const TopicReaderConfig& config, Callbacks callbacks, prometheus::Registry* registry);
    ~TopicReaderImpl() override { Stop(); }
    TopicReaderImpl(const TopicReaderImpl&) = delete;
    TopicReaderImpl& operator=(const TopicReaderImpl&) = delete;

    void Start() override;
    void Stop() override;
    bool Healthy() const override {
        return running_.load() && assigned_.load() && events_.BrokerUp() && !events_.Fatal();
    }
    bool CaughtUp() const override { return caught_up_.load(); }

private:
    void Run();
    bool TryAssign();
    void OnMessage(const RdKafka::Message& message);
    void OnEof(const RdKafka::Message& message);
    void OnError(const RdKafka::Message& message);
    bool SleepUnlessStopped(std::chrono::milliseconds d);

    const std::string topic_;
    const Callbacks callbacks_;
    ClientEvents events_;  // declared before consumer_: librdkafka calls it until the handle goes
    TopicCounters counters_;
    std::unique_ptr<RdKafka::KafkaConsumer> consumer_;

    // Reader thread only.
    std::vector<std::int64_t> end_offsets_;  // per partition, -1 until its first EOF
    std::size_t partitions_at_end_ = 0;
    bool warned_missing_ = false;
    Clock::time_point next_probe_{};

    std::atomic<bool> assigned_{false};
    std::atomic<bool> caught_up_{false};
    std::atomic<bool> running_{false};
    std::atomic<bool> stop_{false};
    std::mutex stop_mu_;
    std::condition_variable stop_cv_;

    std::mutex lifecycle_mu_;
    bool started_ = false;
    bool stopped_ = false;
    std::thread thread_;
};

TopicReaderImpl::TopicReaderImpl(const TopicReaderConfig& config, Callbacks callbacks,
                                 prometheus::Registry* registry)
    : topic_(config.topic),
      callbacks_(std::move(callbacks)),
      events_("reader " + config.topic),
      counters_(registry, "switchboard_kafka_consumed_total",
                "Records handed to consumer handlers, by topic and outcome", {"ok", "skipped"}) {
    if (!callbacks_.on_record) throw std::runtime_error("kafka topic reader (" + topic_ + "): no on_record");
    const std::unique_ptr<RdKafka::Conf> conf = MakeConf(ReaderProperties(config), "kafka topic reader");
    std::string errstr;
    if (conf->set("event_cb", &events_, errstr) != RdKafka::Conf::CONF_OK) {
        throw std::runtime_error("kafka topic reader: " + errstr);
    }
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), errstr));
    if (!consumer_) throw std::runtime_error("kafka topic reader (" + topic_ + "): " + errstr);
}

void TopicReaderImpl::Start() {
    std::lock_guard lock(lifecycle_mu_);
    if (started_ || stopped_) {
        spdlog::warn("kafka {}: Start() called twice or after Stop(); ignored", events_.name());
        return;
    }
    started_ = true;
    running_.store(true);
    thread_ = std::thread([this] { Run(); });
}

void TopicReaderImpl::Stop() {
    {
        std::lock_guard lock(stop_mu_);
        stop_.store(true);
    }
    stop_cv_.notify_all();
    std::lock_guard lock(lifecycle_mu_);
    if (stopped_) return;
    stopped_ = true;
    if (thread_.joinable()) {
        thread_.join();
    } else if (const RdKafka::ErrorCode err = consumer_->close(); err != RdKafka::ERR_NO_ERROR) {
        spdlog::warn("kafka {}: close: {}", events_.name(), RdKafka::err2str(err));
    }
}

bool TopicReaderImpl::SleepUnlessStopped(std::chrono::milliseconds d) {
    std::unique_lock lock(stop_mu_);
    return !stop_cv_.wait_for(lock, d, [this] { return stop_.load(); });
}

void TopicReaderImpl::Run() {
    while (!stop_.load()) {
        if (!assigned_.load()) {
            if (!TryAssign() && !SleepUnlessStopped(kRetryAssign)) break;
            continue;
        }
        const std::unique_ptr<RdKafka::Message> message(consumer_->consume(kConsumeTimeoutMs));
        switch (message->err()) {
            case RdKafka::ERR_NO_ERROR:
                OnMessage(*message);
                break;
            case RdKafka::ERR__PARTITION_EOF:
                OnEof(*message);
                break;
            case RdKafka::ERR__TIMED_OUT:
                break;
            default:
                OnError(*message);
        }
        if (!events_.BrokerUp() && Clock::now() >= next_probe_) {
            ProbeBrokers(*consumer_, events_, kProbeTimeoutMs);
            next_probe_ = Clock::now() + kProbeWhileDown;
        }
    }
    // Nothing to commit; close() only leaves the (never joined) group and frees the handle.
    if (const RdKafka::ErrorCode err = consumer_->close(); err != RdKafka::ERR_NO_ERROR) {
        spdlog::warn("kafka {}: close: {}", events_.name(), RdKafka::err2str(err));
    }
    running_.store(false);
}

bool TopicReaderImpl::TryAssign() {
    std::string errstr;
    const std::unique_ptr<RdKafka::Topic> topic(
        RdKafka::Topic::create(consumer_.get(), topic_, nullptr, errstr));
    if (!topic) {
        spdlog::error("kafka {}: {}", events_.name(), errstr);
        return false;
    }
    RdKafka::Metadata* raw = nullptr;
    const RdKafka::ErrorCode err = consumer_->metadata(false, topic.get(), &raw, kMetadataTimeoutMs);
    const std::unique_ptr<RdKafka::Metadata> metadata(raw);
    if (err != RdKafka::ERR_NO_ERROR) {
        events_.MarkBrokerDown();
        spdlog::debug("kafka {}: metadata: {}", events_.name(), RdKafka::err2str(err));
        return false;
    }
    events_.MarkBrokerUp();
    const RdKafka::Metadata::TopicMetadataVector* topics = metadata->topics();
    const bool exists = topics->size() == 1 && topics->front()->err() == RdKafka::ERR_NO_ERROR &&
                        !topics->front()->partitions()->empty();
    if (!exists) {
        if (!warned_missing_) {
            spdlog::warn(
                "kafka {}: topic {} does not exist (yet); create it (switchboard-admin "
                "create-topics) — retrying every second",
                events_.name(), topic_);
            warned_missing_ = true;
        }
        return false;
    }
    std::vector<RdKafka::TopicPartition*> partitions;
    for (const RdKafka::PartitionMetadata* p : *topics->front()->partitions()) {
        partitions.push_back(
            RdKafka::TopicPartition::create(topic_, p->id(), RdKafka::Topic::OFFSET_BEGINNING));
    }
    const RdKafka::ErrorCode assigned = consumer_->assign(partitions);
    std::int32_t max_id = 0;
    for (const RdKafka::TopicPartition* p : partitions) max_id = std::max(max_id, p->partition());
    RdKafka::TopicPartition::destroy(partitions);
    if (assigned != RdKafka::ERR_NO_ERROR) {
        spdlog::error("kafka {}: assign: {}", events_.name(), RdKafka::err2str(assigned));
        return false;
    }
    end_offsets_.assign(static_cast<std::size_t>(max_id) + 1, -1);
    partitions_at_end_ = 0;
    assigned_.store(true);
    spdlog::info("kafka {}: reading {} partitions of {} from the beginning", events_.name(),
                 topics->front()->partitions()->size(), topic_);
    return true;
}

void TopicReaderImpl::OnMessage(const RdKafka::Message& message) {
    events_.MarkBrokerUp();
    const Record record = ToRecord(message);
    const TopicCounters::Set* counters = counters_.For(record.topic);
    Status status;
    try {
        status = callbacks_.on_record(record);
    } catch (const std::exception& e) {
        status = Error::Fatal(std::string("handler threw: ") + e.what());
    }
    if (status.ok()) {
        TopicCounters::Increment(counters, kConsumedOk);
        return;
    }
    TopicCounters::Increment(counters, kConsumedSkipped);
    spdlog::error("kafka {}: skipping record {}[{}]@{}: {}", events_.name(), record.topic, record.partition,
                  record.offset, status.error().message);
}

void TopicReaderImpl::OnEof(const RdKafka::Message& message) {
    events_.MarkBrokerUp();
    const auto p = static_cast<std::size_t>(message.partition());
    if (p >= end_offsets_.size()) return;
    if (end_offsets_[p] < 0) ++partitions_at_end_;
    end_offsets_[p] = message.offset();
    if (caught_up_.load() || partitions_at_end_ < end_offsets_.size()) return;
    // Ids of partitions are 0..n-1, so every slot is one partition that reached its end.
    caught_up_.store(true);
    std::int64_t total = 0;
    for (std::int64_t end : end_offsets_) total += end;
    spdlog::info("kafka {}: caught up with {} ({} offsets)", events_.name(), topic_, total);
    if (callbacks_.on_caught_up) callbacks_.on_caught_up(end_offsets_);
}

void TopicReaderImpl::OnError(const RdKafka::Message& message) {
    if (message.err() == RdKafka::ERR__FATAL) {
        spdlog::critical("kafka {}: fatal error: {}", events_.name(), message.errstr());
        return;
    }
    spdlog::warn("kafka {}: fetch error on {}[{}]: {} ({})", events_.name(), topic_, message.partition(),
                 message.errstr(), RdKafka::err2str(message.err()));
}

}  // namespace

std::unique_ptr<TopicReader> MakeTopicReader(const TopicReaderConfig& config,
                                             TopicReader::Callbacks callbacks,
                                             prometheus::Registry* registry) {
    return std::make_unique<TopicReaderImpl>(config, std::move(callbacks), registry);
}

}  // namespace switchboard::kafka
