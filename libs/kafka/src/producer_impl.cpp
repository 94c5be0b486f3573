#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "client_events.hpp"
#include "errors.hpp"
#include "properties.hpp"
#include "switchboard/kafka/producer.hpp"
#include "topic_counters.hpp"

namespace switchboard::kafka {

namespace {

using Clock = std::chrono::steady_clock;

// Delivery reports wake poll() at once; the interval only bounds how late a rejected Produce
// is reported and how long shutdown waits for the thread.
constexpr int kPollIntervalMs = 20;
constexpr auto kProbeWhileUp = std::chrono::seconds(10);
constexpr auto kProbeWhileDown = std::chrono::seconds(1);
constexpr int kProbeTimeoutMs = 500;
constexpr auto kShutdownFlush = std::chrono::seconds(5);
constexpr auto kShutdownPurgeFlush = std::chrono::seconds(2);

enum ProducedResult : std::size_t { kProducedOk = 0, kProducedError = 1 };

class ProducerImpl final : public Producer {
public:
    ProducerImpl(const ProducerConfig& config, prometheus::Registry* registry);
    ~ProducerImpl() override;
    ProducerImpl(const ProducerImpl&) = delete;
    ProducerImpl& operator=(const ProducerImpl&) = delete;

    void Produce(std::string_view topic, std::string_view key, std::string_view value,
                 DeliveryCallback on_delivery) override;
    Status Flush(std::chrono::milliseconds timeout) override;
    bool Healthy() const override { return events_.BrokerUp() && !events_.Fatal(); }

private:
    // Travels with a record through librdkafka as its msg_opaque.
    struct Pending {
        DeliveryCallback callback;
        const TopicCounters::Set* counters = nullptr;
    };

    class DeliveryReports final : public RdKafka::DeliveryReportCb {
    public:
        explicit DeliveryReports(ProducerImpl& owner) : owner_(owner) {}
        void dr_cb(RdKafka::Message& message) override { owner_.OnDeliveryReport(message); }

    private:
        ProducerImpl& owner_;
    };

    void OnDeliveryReport(RdKafka::Message& message);
    void Complete(std::unique_ptr<Pending> pending, Status status);
    void DrainRejected();
    void PollLoop();

    // Declared before producer_: librdkafka calls into them until the handle is destroyed.
    ClientEvents events_;
    DeliveryReports reports_{*this};
    TopicCounters counters_;
    std::unique_ptr<RdKafka::Producer> producer_;

    std::mutex mu_;
    std::condition_variable idle_;
    std::size_t in_flight_ = 0;  // Produce calls whose callback has not returned yet
    // Records librdkafka refused; reported from the poll thread like every other outcome.
    std::vector<std::pair<std::unique_ptr<Pending>, Status>> rejected_;

    std::atomic<bool> stop_{false};
    std::thread poller_;
};

ProducerImpl::ProducerImpl(const ProducerConfig& config, prometheus::Registry* registry)
    : events_("producer " + (config.client_id.empty() ? std::string("switchboard") : config.client_id)),
      counters_(registry, "switchboard_kafka_produced_total",
                "Records produced to Kafka, by topic and delivery outcome", {"ok", "error"}) {
    const std::unique_ptr<RdKafka::Conf> conf = MakeConf(ProducerProperties(config), "kafka producer");
    std::string errstr;
    if (conf->set("dr_cb", &reports_, errstr) != RdKafka::Conf::CONF_OK ||
        conf->set("event_cb", &events_, errstr) != RdKafka::Conf::CONF_OK) {
        throw std::runtime_error("kafka producer: " + errstr);
    }
    producer_.reset(RdKafka::Producer::create(conf.get(), errstr));
    if (!producer_) throw std::runtime_error("kafka producer: invalid configuration: " + errstr);
    poller_ = std::thread([this] { PollLoop(); });
}

ProducerImpl::~ProducerImpl() {
    if (!Flush(kShutdownFlush).ok()) {
        spdlog::warn("kafka {}: records still undelivered {} s into shutdown; purging them",
                     events_.name(), kShutdownFlush.count());
        producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
        if (const Status flushed = Flush(kShutdownPurgeFlush); !flushed.ok()) {
            spdlog::error("{}; their callbacks will not be called", flushed.error().message);
        }
    }
    stop_.store(true);
    poller_.join();
    DrainRejected();
}

void ProducerImpl::Produce(std::string_view topic, std::string_view key, std::string_view value,
                           DeliveryCallback on_delivery) {
    auto pending = std::make_unique<Pending>(Pending{std::move(on_delivery), counters_.For(topic)});
    {
        std::lock_guard lock(mu_);
        ++in_flight_;
    }
    // RK_MSG_COPY: the caller's buffers may go as soon as this returns. An empty key is sent as
    // no key, so keyless records are spread over the partitions instead of hashed to one.
    const RdKafka::ErrorCode err = producer_->produce(
        std::string(topic), RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(value.data()), value.size(), key.empty() ? nullptr : key.data(),
        key.size(), 0, pending.get());
    if (err == RdKafka::ERR_NO_ERROR) {
        static_cast<void>(pending.release());  // librdkafka owns it until the delivery report
        return;
    }
    Status status = ToError(static_cast<rd_kafka_resp_err_t>(err),
                            "kafka: produce to " + std::string(topic) + " refused");
    std::lock_guard lock(mu_);
    rejected_.emplace_back(std::move(pending), std::move(status));
}

Status ProducerImpl::Flush(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (idle_.wait_for(lock, timeout, [this] { return in_flight_ == 0; })) return Status::Ok();
    return Error::Retryable("kafka " + events_.name() + ": " + std::to_string(in_flight_) +
                            " record(s) undelivered after " + std::to_string(timeout.count()) +
                            " ms");
}

void ProducerImpl::OnDeliveryReport(RdKafka::Message& message) {
    std::unique_ptr<Pending> pending(static_cast<Pending*>(message.msg_opaque()));
    if (!pending) return;  // every record we produce carries one; nothing to report otherwise
    Status status;
    if (message.err() == RdKafka::ERR_NO_ERROR) {
        events_.MarkBrokerUp();
    } else {
        std::string context = "kafka: delivery to " + message.topic_name() + " failed";
        if (message.status() == RdKafka::Message::MSG_STATUS_POSSIBLY_PERSISTED) {
            context += " (the record may have been written)";
        }
        status = ToError(static_cast<rd_kafka_resp_err_t>(message.err()), context);
        spdlog::debug("{}", status.error().message);
    }
    Complete(std::move(pending), std::move(status));
}

void ProducerImpl::Complete(std::unique_ptr<Pending> pending, Status status) {
    TopicCounters::Increment(pending->counters, status.ok() ? kProducedOk : kProducedError);
    if (pending->callback) {
        // An exception must not unwind into librdkafka's C frames.
        try {
            pending->callback(std::move(status));
        } catch (const std::exception& e) {
            spdlog::error("kafka {}: delivery callback threw: {}", events_.name(), e.what());
        } catch (...) {
            spdlog::error("kafka {}: delivery callback threw a non-standard exception",
                          events_.name());
        }
    }
    pending.reset();  // the callback's captures go before Flush() may return
    std::lock_guard lock(mu_);
    if (--in_flight_ == 0) idle_.notify_all();
}

void ProducerImpl::DrainRejected() {
    std::vector<std::pair<std::unique_ptr<Pending>, Status>> batch;
    {
        std::lock_guard lock(mu_);
        batch.swap(rejected_);
    }
    for (auto& [pending, status] : batch) Complete(std::move(pending), std::move(status));
}

void ProducerImpl::PollLoop() {
    auto next_probe = Clock::now();  // probe at once so Healthy() turns true within a round trip
    while (!stop_.load()) {
        producer_->poll(kPollIntervalMs);
        DrainRejected();
        if (Clock::now() >= next_probe && !events_.Fatal()) {
            // Deliveries and the all-brokers-down event keep the state current under traffic;
            // the probe covers idle periods and notices a broker coming back.
            const bool up = ProbeBrokers(*producer_, events_, kProbeTimeoutMs);
            next_probe = Clock::now() + (up ? kProbeWhileUp : kProbeWhileDown);
        }
    }
}

}  // namespace

Status Producer::ProduceSync(std::string_view topic, std::string_view key, std::string_view value,
                             std::chrono::milliseconds timeout) {
    // Shared: the report may arrive after we gave up waiting.
    auto promise = std::make_shared<std::promise<Status>>();
    std::future<Status> result = promise->get_future();
    Produce(topic, key, value, [promise](Status status) { promise->set_value(std::move(status)); });
    if (result.wait_for(timeout) != std::future_status::ready) {
        return Error::Retryable("kafka: no delivery report for a record to " + std::string(topic) +
                                " within " + std::to_string(timeout.count()) +
                                " ms; it may still be delivered");
    }
    return result.get();
}

std::unique_ptr<Producer> MakeProducer(const ProducerConfig& config,
                                       prometheus::Registry* registry) {
    return std::make_unique<ProducerImpl>(config, registry);
}

}  // namespace switchboard::kafka
