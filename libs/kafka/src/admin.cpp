#include "switchboard/kafka/admin.hpp"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "client_events.hpp"
#include "errors.hpp"

namespace switchboard::kafka {

namespace {

using Clock = std::chrono::steady_clock;

// RAII for librdkafka's C handles.
template <auto Destroy>
struct Deleter {
    template <typename T>
    void operator()(T* p) const {
        Destroy(p);
    }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, Deleter<rd_kafka_conf_destroy>>;
using KafkaPtr = std::unique_ptr<rd_kafka_t, Deleter<rd_kafka_destroy>>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, Deleter<rd_kafka_queue_destroy>>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, Deleter<rd_kafka_event_destroy>>;
using OptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, Deleter<rd_kafka_AdminOptions_destroy>>;
using NewTopicPtr = std::unique_ptr<rd_kafka_NewTopic_t, Deleter<rd_kafka_NewTopic_destroy>>;
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, Deleter<rd_kafka_topic_destroy>>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, Deleter<rd_kafka_metadata_destroy>>;

constexpr auto kMetadataRetry = std::chrono::milliseconds(50);

int RemainingMs(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 1));
}

Status Validate(const std::string& brokers, const std::vector<TopicSpec>& topics) {
    if (brokers.empty()) return Error::Fatal("kafka: EnsureTopics: brokers is empty");
    for (const TopicSpec& spec : topics) {
        if (spec.name.empty()) return Error::Fatal("kafka: EnsureTopics: a topic has no name");
        if (spec.partitions < 1 || spec.replication_factor < 1) {
            return Error::Fatal("kafka: EnsureTopics: topic " + spec.name +
                                " needs partitions >= 1 and replication_factor >= 1");
        }
    }
    return Status::Ok();
}

Result<KafkaPtr> Connect(const std::string& brokers) {
    std::array<char, 512> errstr{};
    ConfPtr conf(rd_kafka_conf_new());
    using Setting = std::pair<const char*, const char*>;
    for (const auto& [name, value] :
         {Setting{"bootstrap.servers", brokers.c_str()}, Setting{"client.id", "switchboard-admin"}}) {
        if (rd_kafka_conf_set(conf.get(), name, value, errstr.data(), errstr.size()) !=
            RD_KAFKA_CONF_OK) {
            return Error::Fatal(std::string("kafka: EnsureTopics: ") + name + ": " + errstr.data());
        }
    }
    rd_kafka_conf_set_log_cb(conf.get(),
                             [](const rd_kafka_t*, int level, const char* fac, const char* buf) {
                                 LogFromLibrdkafka("admin", level, fac, buf);
                             });
    // Failures reach the caller as the returned Status; the event itself is only a detail.
    rd_kafka_conf_set_error_cb(conf.get(), [](rd_kafka_t*, int err, const char* reason, void*) {
        spdlog::debug("kafka admin: {} ({})", reason,
                      rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)));
    });
    // rd_kafka_new takes the conf only on success.
    KafkaPtr rk(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr.data(), errstr.size()));
    if (!rk) return Error::Fatal(std::string("kafka: EnsureTopics: ") + errstr.data());
    static_cast<void>(conf.release());
    return rk;
}

// Sends one CreateTopics request for all specs; "already exists" counts as success.
Status CreateTopics(rd_kafka_t* rk, const std::vector<TopicSpec>& specs, Clock::time_point deadline) {
    std::array<char, 512> errstr{};
    std::vector<NewTopicPtr> owned;
    std::vector<rd_kafka_NewTopic_t*> raw;
    for (const TopicSpec& spec : specs) {
        NewTopicPtr topic(rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions,
                                                spec.replication_factor, errstr.data(), errstr.size()));
        if (!topic) return Error::Fatal("kafka: EnsureTopics: topic " + spec.name + ": " + errstr.data());
        for (const auto& [name, value] : spec.configs) {
            if (const rd_kafka_resp_err_t err =
                    rd_kafka_NewTopic_set_config(topic.get(), name.c_str(), value.c_str());
                err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                return ToError(err, "kafka: EnsureTopics: topic " + spec.name + " config " + name);
            }
        }
        raw.push_back(topic.get());
        owned.push_back(std::move(topic));
    }

    OptionsPtr options(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
    const int timeout_ms = RemainingMs(deadline);
    // The operation timeout makes the broker answer only once the topics exist cluster-wide.
    if (rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, errstr.data(),
                                                  errstr.size()) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms, errstr.data(),
                                                    errstr.size()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Error::Fatal(std::string("kafka: EnsureTopics: ") + errstr.data());
    }
    QueuePtr queue(rd_kafka_queue_new(rk));
    rd_kafka_CreateTopics(rk, raw.data(), raw.size(), options.get(), queue.get());

    // librdkafka reports the request timeout itself; the margin only guards against a lost event.
    EventPtr event(rd_kafka_queue_poll(queue.get(), timeout_ms + 1000));
    if (!event) return Error::Retryable("kafka: EnsureTopics: no answer from the cluster");
    if (const rd_kafka_resp_err_t err = rd_kafka_event_error(event.get());
        err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Error{std::string("kafka: EnsureTopics: ") + rd_kafka_event_error_string(event.get()),
                     IsRetryable(err)};
    }
    const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
    std::size_t count = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
    std::string failures;
    bool retryable = true;
    for (std::size_t i = 0; i < count; ++i) {
        const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
        // Another process (or an earlier run) created it: exactly what we wanted.
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            continue;
        }
        const char* why = rd_kafka_topic_result_error_string(results[i]);
        if (!failures.empty()) failures += "; ";
        failures += std::string(rd_kafka_topic_result_name(results[i])) + ": " +
                    (why != nullptr ? why : rd_kafka_err2str(err)) + " (" + rd_kafka_err2name(err) +
                    ")";
        retryable = retryable && IsRetryable(err);
    }
    if (!failures.empty()) return Error{"kafka: EnsureTopics: " + failures, retryable};
    return Status::Ok();
}

// Returns "" once `spec` has all partitions led by a broker, else what is still missing.
std::string NotReadyReason(rd_kafka_t* rk, const TopicSpec& spec, Clock::time_point deadline,
                           std::set<std::string>& warned) {
    TopicPtr topic(rd_kafka_topic_new(rk, spec.name.c_str(), nullptr));
    const rd_kafka_metadata_t* raw = nullptr;
    const rd_kafka_resp_err_t err =
        rd_kafka_metadata(rk, 0, topic.get(), &raw, std::min(RemainingMs(deadline), 1000));
    const MetadataPtr metadata(raw);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return rd_kafka_err2str(err);
    if (metadata->topic_cnt != 1) return "not in metadata";
    const rd_kafka_metadata_topic_t& t = metadata->topics[0];
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) return rd_kafka_err2str(t.err);
    if (t.partition_cnt < 1) return "no partitions yet";
    for (int i = 0; i < t.partition_cnt; ++i) {
        if (t.partitions[i].err != RD_KAFKA_RESP_ERR_NO_ERROR || t.partitions[i].leader < 0) {
            return "partition " + std::to_string(t.partitions[i].id) + " has no leader yet";
        }
    }
    if (t.partition_cnt != spec.partitions && warned.insert(spec.name).second) {
        spdlog::warn("kafka: topic {} exists with {} partitions, not {}; left as it is", spec.name,
                     t.partition_cnt, spec.partitions);
    }
    return {};
}

}  // namespace

Status EnsureTopics(const std::string& brokers, const std::vector<TopicSpec>& topics,
                    std::chrono::milliseconds timeout) {
    if (topics.empty()) return Status::Ok();
    if (Status valid = Validate(brokers, topics); !valid.ok()) return valid;
    const Clock::time_point deadline = Clock::now() + timeout;

    Result<KafkaPtr> rk = Connect(brokers);
    if (!rk.ok()) return rk.error();
    if (Status created = CreateTopics(rk->get(), topics, deadline); !created.ok()) return created;

    // Created is not yet usable: wait until every partition has a leader in the metadata, so a
    // consumer subscribing right after sees the whole topic.
    std::set<std::string> warned;
    for (const TopicSpec& spec : topics) {
        for (;;) {
            const std::string reason = NotReadyReason(rk->get(), spec, deadline, warned);
            if (reason.empty()) break;
            if (Clock::now() + kMetadataRetry >= deadline) {
                return Error::Retryable("kafka: EnsureTopics: topic " + spec.name + " not ready within " +
                                        std::to_string(timeout.count()) + " ms: " + reason);
            }
            std::this_thread::sleep_for(kMetadataRetry);
        }
    }
    return Status::Ok();
}

Result<std::vector<std::string>> ListTopics(const std::string& brokers, std::chrono::milliseconds timeout) {
    if (brokers.empty()) return Error::Fatal("kafka: ListTopics: brokers is empty");
    auto rk = Connect(brokers);
    if (!rk) return rk.error();
    const rd_kafka_metadata_t* raw = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk->get(), 1, nullptr, &raw, static_cast<int>(timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return ToError(err, "kafka: ListTopics");
    const MetadataPtr metadata(raw);
    std::vector<std::string> names;
    for (int i = 0; i < metadata->topic_cnt; ++i) names.emplace_back(metadata->topics[i].topic);
    return names;
}

Status DeleteTopics(const std::string& brokers, const std::vector<std::string>& topics,
                    std::chrono::milliseconds timeout) {
    if (topics.empty()) return Status::Ok();
    if (brokers.empty()) return Error::Fatal("kafka: DeleteTopics: brokers is empty");
    auto rk = Connect(brokers);
    if (!rk) return rk.error();
    using DeleteTopicPtr = std::unique_ptr<rd_kafka_DeleteTopic_t, Deleter<rd_kafka_DeleteTopic_destroy>>;
    std::vector<DeleteTopicPtr> owned;
    std::vector<rd_kafka_DeleteTopic_t*> raw;
    for (const auto& name : topics) {
        owned.emplace_back(rd_kafka_DeleteTopic_new(name.c_str()));
        raw.push_back(owned.back().get());
    }
    std::array<char, 512> errstr{};
    OptionsPtr options(rd_kafka_AdminOptions_new(rk->get(), RD_KAFKA_ADMIN_OP_DELETETOPICS));
    const int timeout_ms = static_cast<int>(timeout.count());
    if (rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, errstr.data(), errstr.size()) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms, errstr.data(), errstr.size()) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Error::Fatal(std::string("kafka: DeleteTopics: ") + errstr.data());
    }
    QueuePtr queue(rd_kafka_queue_new(rk->get()));
    rd_kafka_DeleteTopics(rk->get(), raw.data(), raw.size(), options.get(), queue.get());
    EventPtr event(rd_kafka_queue_poll(queue.get(), timeout_ms + 1000));
    if (!event) return Error::Retryable("kafka: DeleteTopics: no answer from the cluster");
    if (const rd_kafka_resp_err_t err = rd_kafka_event_error(event.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Error{std::string("kafka: DeleteTopics: ") + rd_kafka_event_error_string(event.get()),
                     IsRetryable(err)};
    }
    std::size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event.get()), &count);
    std::string failures;
    for (std::size_t i = 0; i < count; ++i) {
        const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
        if (!failures.empty()) failures += "; ";
        failures += std::string(rd_kafka_topic_result_name(results[i])) + ": " + rd_kafka_err2name(err);
    }
    if (!failures.empty()) return Error::Retryable("kafka: DeleteTopics: " + failures);
    return Status::Ok();
}

}  // namespace switchboard::kafka
