// OutboundDelivery with the real Kafka and Redis and a scripted platform (the Sender).
#include "switchboard/channel/delivery.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <thread>

#include "switchboard/channel/probe.hpp"
#include "switchboard/channel/rate_limiter.hpp"
#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/kafka/admin.hpp"
#include "switchboard/testing/environment.hpp"
#include "switchboard/testing/records.hpp"

namespace switchboard::channel {
namespace {

using namespace std::chrono_literals;
namespace chat = switchboard::chat::v1;

class OutboundDeliveryTest : public ::testing::Test {
protected:
    OutboundDeliveryTest() : naming_(testing::UniqueNamespace()) {
        const Status s = kafka::EnsureTopics(testing::KafkaBrokers(), naming_.AllTopics(1));
        EXPECT_TRUE(s.ok()) << s.error().message;
        redis::ClientConfig rc;
        rc.host = testing::RedisHost();
        rc.port = testing::RedisPort();
        redis_ = redis::MakeClient(rc);
        producer_ = kafka::MakeProducer({testing::KafkaBrokers(), "delivery-test", {}});
        ledger_ = std::make_unique<DeliveryLedger>(*redis_, naming_.RedisPrefix(), "telegram");
        RateLimiter::Limits limits;
        limits.per_key_per_second = 0;  // unlimited: these tests are about retries, not pacing
        limits.overall_per_second = 0;
        limiter_ = std::make_unique<RateLimiter>(limits);
        OutboundDelivery::Options o;
        o.first_backoff = 1ms;
        o.max_backoff = 4ms;
        o.max_attempts = 4;
        delivery_ = std::make_unique<OutboundDelivery>(*producer_, *ledger_, *limiter_, naming_, clock_,
                                                       common::v1::CHANNEL_TELEGRAM, "gateway-telegram", probe_, o);
        events_ = std::make_unique<testing::RecordCollector>(testing::KafkaBrokers(), naming_.Events());
    }

    static kafka::Record Record(const std::string& reply_id, const std::string& text = "hello") {
        chat::OutboundMessage out;
        out.mutable_envelope()->set_conversation_id("tg-1001");
        out.mutable_envelope()->set_trace_id("trace-1");
        out.set_reply_id(reply_id);
        out.set_text(text);
        out.set_responder(chat::RESPONDER_BOT);
        out.set_kind(chat::OUTBOUND_KIND_REPLY);
        kafka::Record r;
        r.key = "tg-1001";
        r.value = out.SerializeAsString();
        return r;
    }

    // The events published so far, decoded.
    std::vector<chat::ConversationEvent> Events(std::size_t at_least) {
        EXPECT_TRUE(events_->WaitForCount(at_least)) << "expected " << at_least << " events";
        std::vector<chat::ConversationEvent> out;
        for (const auto& r : events_->Records()) {
            chat::ConversationEvent ev;
            EXPECT_TRUE(ev.ParseFromString(r.value));
            out.push_back(ev);
        }
        return out;
    }

    events::Naming naming_;
    SystemClock clock_;
    prometheus::Registry registry_;
    ChannelProbe probe_{registry_, "telegram"};
    std::unique_ptr<redis::Client> redis_;
    std::unique_ptr<kafka::Producer> producer_;
    std::unique_ptr<DeliveryLedger> ledger_;
    std::unique_ptr<RateLimiter> limiter_;
    std::unique_ptr<OutboundDelivery> delivery_;
    std::unique_ptr<testing::RecordCollector> events_;
};

TEST_F(OutboundDeliveryTest, DeliversOnceAndReports) {
    int calls = 0;
    auto send = [&](const chat::OutboundMessage& out) {
        ++calls;
        EXPECT_EQ(out.text(), "hello");
        return SendAttempt::Delivered("777");
    };
    ASSERT_TRUE(delivery_->Handle(Record("r-1"), send).ok());
    ASSERT_TRUE(delivery_->Handle(Record("r-1"), send).ok());  // Kafka redelivers the record
    EXPECT_EQ(calls, 1);
    auto evs = Events(1);
    ASSERT_EQ(evs.size(), 1u);
    ASSERT_TRUE(evs[0].has_reply_delivered());
    EXPECT_EQ(evs[0].reply_delivered().reply_id(), "r-1");
    EXPECT_EQ(evs[0].envelope().conversation_id(), "tg-1001");
    EXPECT_EQ(evs[0].envelope().trace_id(), "trace-1");
    EXPECT_EQ(evs[0].envelope().channel(), common::v1::CHANNEL_TELEGRAM);
    EXPECT_EQ(*ledger_->ReplyForPlatformId("777"), "r-1");
}

TEST_F(OutboundDeliveryTest, RetriesTransientErrorsThenDelivers) {
    int calls = 0;
    auto send = [&](const chat::OutboundMessage&) {
        return ++calls < 3 ? SendAttempt::Retry("429 Too Many Requests", 2ms) : SendAttempt::Delivered("9");
    };
    ASSERT_TRUE(delivery_->Handle(Record("r-2"), send).ok());
    EXPECT_EQ(calls, 3);
    auto evs = Events(1);
    ASSERT_TRUE(evs[0].has_reply_delivered());
}

TEST_F(OutboundDeliveryTest, PermanentRefusalIsReportedWithExtraEventsAndNotRetried) {
    int calls = 0;
    auto send = [&](const chat::OutboundMessage&) {
        ++calls;
        SendAttempt a = SendAttempt::Failed("window_closed", "131047 Re-engagement message");
        chat::ConversationEvent handoff;
        handoff.mutable_envelope()->set_conversation_id("tg-1001");
        handoff.mutable_handoff_requested()->set_reason(chat::HANDOFF_REASON_CHANNEL_WINDOW_CLOSED);
        a.extra_events.push_back(events::Encode(naming_.Events(), "tg-1001", handoff));
        return a;
    };
    ASSERT_TRUE(delivery_->Handle(Record("r-3"), send).ok());
    ASSERT_TRUE(delivery_->Handle(Record("r-3"), send).ok());
    EXPECT_EQ(calls, 1);
    auto evs = Events(2);
    ASSERT_EQ(evs.size(), 2u);
    ASSERT_TRUE(evs[0].has_reply_failed());
    EXPECT_EQ(evs[0].reply_failed().reason(), "window_closed");
    EXPECT_EQ(evs[0].reply_failed().platform_response(), "131047 Re-engagement message");
    ASSERT_TRUE(evs[1].has_handoff_requested());
}

TEST_F(OutboundDeliveryTest, GivesUpAfterMaxAttempts) {
    int calls = 0;
    auto send = [&](const chat::OutboundMessage&) {
        ++calls;
        return SendAttempt::Retry("502 Bad Gateway");
    };
    ASSERT_TRUE(delivery_->Handle(Record("r-4"), send).ok());
    EXPECT_EQ(calls, 4);
    auto evs = Events(1);
    ASSERT_TRUE(evs[0].has_reply_failed());
    EXPECT_EQ(evs[0].reply_failed().reason(), "retries_exhausted");
    EXPECT_EQ(evs[0].reply_failed().platform_response(), "502 Bad Gateway");
}

TEST_F(OutboundDeliveryTest, AReplyAnotherAttemptIsSendingIsRetriedLater) {
    ASSERT_EQ(ledger_->Begin("r-5", 60s)->state, DeliveryLedger::State::kClaimed);  // another replica
    int calls = 0;
    Status s = delivery_->Handle(Record("r-5"), [&](const chat::OutboundMessage&) {
        ++calls;
        return SendAttempt::Delivered("1");
    });
    EXPECT_FALSE(s.ok());
    EXPECT_TRUE(s.error().retryable);
    EXPECT_EQ(calls, 0);
}

TEST_F(OutboundDeliveryTest, AnAbandonedSendIsReportedNotRepeated) {
    ASSERT_EQ(ledger_->Begin("r-6", 0s)->state, DeliveryLedger::State::kClaimed);  // a replica died mid-send
    int calls = 0;
    ASSERT_TRUE(delivery_->Handle(Record("r-6"), [&](const chat::OutboundMessage&) {
        ++calls;
        return SendAttempt::Delivered("1");
    }).ok());
    EXPECT_EQ(calls, 0);
    auto evs = Events(1);
    ASSERT_TRUE(evs[0].has_reply_failed());
    EXPECT_EQ(evs[0].reply_failed().reason(), "outcome_unknown");
}

TEST_F(OutboundDeliveryTest, StopDuringBackoffGivesTheReplyBack) {
    std::atomic<int> calls{0};
    auto slow_retry = [&](const chat::OutboundMessage&) {
        ++calls;
        return SendAttempt::Retry("503", 30s);
    };
    OutboundDelivery::Options o;
    o.give_up_after = 120s;
    o.lease = 180s;
    RateLimiter::Limits unlimited;
    unlimited.per_key_per_second = 0;
    unlimited.overall_per_second = 0;
    RateLimiter limiter(unlimited);
    OutboundDelivery delivery(*producer_, *ledger_, limiter, naming_, clock_, common::v1::CHANNEL_TELEGRAM,
                              "gateway-telegram", probe_, o);
    std::thread stopper([&] {
        while (calls.load() == 0) std::this_thread::sleep_for(5ms);
        delivery.Stop();
    });
    Status s = delivery.Handle(Record("r-7"), slow_retry);
    stopper.join();
    EXPECT_FALSE(s.ok());
    EXPECT_TRUE(s.error().retryable);
    // The next owner of the partition sends it.
    EXPECT_EQ(ledger_->Begin("r-7", 60s)->state, DeliveryLedger::State::kClaimed);
}

TEST_F(OutboundDeliveryTest, InvalidRecordsAreSkippedAsFatal) {
    kafka::Record garbage;
    garbage.value = "\xff\xff not protobuf";
    int calls = 0;
    auto send = [&](const chat::OutboundMessage&) {
        ++calls;
        return SendAttempt::Delivered("1");
    };
    Status s = delivery_->Handle(garbage, send);
    EXPECT_FALSE(s.ok());
    EXPECT_FALSE(s.error().retryable);
    Status empty = delivery_->Handle(Record("r-8", ""), send);
    EXPECT_FALSE(empty.ok());
    EXPECT_FALSE(empty.error().retryable);
    EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace switchboard::channel
