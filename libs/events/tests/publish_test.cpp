#include "switchboard/events/publish.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace switchboard::events {
namespace {

// A producer whose delivery outcome the test chooses; callbacks run on another thread like
// librdkafka's.
class ScriptedProducer final : public kafka::Producer {
public:
    explicit ScriptedProducer(std::vector<Status> outcomes) : outcomes_(std::move(outcomes)) {}
    ~ScriptedProducer() override {
        for (auto& t : threads_) t.join();
    }
    void Produce(std::string_view topic, std::string_view, std::string_view, DeliveryCallback cb) override {
        topics.emplace_back(topic);
        Status s = outcomes_.at(n_++);
        threads_.emplace_back([cb = std::move(cb), s] { cb(s); });
    }
    Status Flush(std::chrono::milliseconds) override { return Status::Ok(); }
    bool Healthy() const override { return true; }
    std::vector<std::string> topics;

private:
    std::vector<Status> outcomes_;
    std::size_t n_ = 0;
    std::vector<std::thread> threads_;
};

TEST(PublishAll, OkWhenEveryRecordIsDelivered) {
    ScriptedProducer p({Status::Ok(), Status::Ok()});
    EXPECT_TRUE(PublishAll(p, {{"a", "k", "v"}, {"b", "k", "v"}}).ok());
    EXPECT_EQ(p.topics, (std::vector<std::string>{"a", "b"}));
}

TEST(PublishAll, ReportsAFailedDeliveryAndItsRetryability) {
    ScriptedProducer p({Status::Ok(), Error::Retryable("broker down")});
    auto s = PublishAll(p, {{"a", "k", "v"}, {"b", "k", "v"}});
    ASSERT_FALSE(s.ok());
    EXPECT_TRUE(s.error().retryable);
    EXPECT_EQ(s.error().message, "broker down");
}

TEST(PublishAll, EmptyIsOk) {
    ScriptedProducer p({});
    EXPECT_TRUE(PublishAll(p, {}).ok());
}

}  // namespace
}  // namespace switchboard::events
