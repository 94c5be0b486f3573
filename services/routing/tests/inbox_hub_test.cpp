// Integration: the inbox fan-out between two hubs ("replicas") through a real Redis.
#include "inbox_hub.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "switchboard/testing/environment.hpp"

namespace switchboard::routing {
namespace {

using namespace std::chrono_literals;

redis::ClientConfig TestRedis() {
    redis::ClientConfig cfg;
    cfg.host = testing::RedisHost();
    cfg.port = testing::RedisPort();
    return cfg;
}

bool Eventually(const std::function<bool()>& f, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (f()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return f();
}

v1::InboxEvent Offered(const std::string& conv) {
    v1::InboxEvent e;
    e.set_kind(v1::InboxEvent::KIND_OFFERED);
    e.set_conversation_id(conv);
    e.set_channel(switchboard::common::v1::CHANNEL_WEB);
    return e;
}

class InboxHubTest : public ::testing::Test {
protected:
    void SetUp() override {
        redis_ = redis::MakeClient(TestRedis());
        ASSERT_TRUE(redis_->Healthy()) << "Redis not reachable; start it with tools/stack start";
        channel_ = InboxHub::ChannelFor("sb:" + testing::UniqueNamespace() + ":");
    }

    std::unique_ptr<InboxHub> MakeHub(InboxHub::Options options = {}) {
        auto hub = std::make_unique<InboxHub>(*redis_, TestRedis(), channel_, options);
        hub->Start();
        EXPECT_TRUE(Eventually([&] { return hub->Subscribed(); }));
        return hub;
    }

    std::unique_ptr<redis::Client> redis_;
    std::string channel_;
};

TEST_F(InboxHubTest, AnEventNotifiedOnOneReplicaReachesTheStreamOnAnother) {
    auto a = MakeHub();
    auto b = MakeHub();
    auto alice_on_b = b->Open(OperatorId("alice"));
    auto alice_on_b_too = b->Open(OperatorId("alice"));  // a second tab
    auto bob_on_a = a->Open(OperatorId("bob"));
    ASSERT_TRUE(alice_on_b && alice_on_b_too && bob_on_a);

    a->Notify(OperatorId("alice"), Offered("c1"));
    for (auto* s : {alice_on_b.get(), alice_on_b_too.get()}) {
        v1::InboxEvent got;
        ASSERT_EQ(s->Next(got, 5s), InboxHub::Stream::Wait::kEvent);
        EXPECT_EQ(got.kind(), v1::InboxEvent::KIND_OFFERED);
        EXPECT_EQ(got.conversation_id(), "c1");
        EXPECT_EQ(got.channel(), switchboard::common::v1::CHANNEL_WEB);
    }
    // Bob got nothing; an event for bob published on b reaches a.
    v1::InboxEvent none;
    EXPECT_EQ(bob_on_a->Next(none, 200ms), InboxHub::Stream::Wait::kTimeout);
    b->Notify(OperatorId("bob"), Offered("c2"));
    v1::InboxEvent got;
    ASSERT_EQ(bob_on_a->Next(got, 5s), InboxHub::Stream::Wait::kEvent);
    EXPECT_EQ(got.conversation_id(), "c2");
}

TEST_F(InboxHubTest, OperatorIdsWithDotsAndBinaryPayloadsSurvive) {
    auto a = MakeHub();
    auto s = a->Open(OperatorId("team.eu:alice-1"));
    v1::InboxEvent e = Offered("c\n1");  // not a valid id, but the payload is binary-safe
    e.set_kind(v1::InboxEvent::KIND_CUSTOMER_MESSAGE);
    e.set_text(std::string("line 1\nline 2\0end", 17));
    a->Notify(OperatorId("team.eu:alice-1"), e);
    v1::InboxEvent got;
    ASSERT_EQ(s->Next(got, 5s), InboxHub::Stream::Wait::kEvent);
    EXPECT_EQ(got.text(), e.text());
    EXPECT_EQ(got.conversation_id(), "c\n1");
}

TEST_F(InboxHubTest, ASlowStreamKeepsItsQueueBoundAndCountsWhatItDropped) {
    InboxHub::Options options;
    options.stream_queue = 3;
    auto a = MakeHub(options);
    auto slow = a->Open(OperatorId("alice"));
    for (int i = 0; i < 10; ++i) a->Notify(OperatorId("alice"), Offered("c" + std::to_string(i)));
    ASSERT_TRUE(Eventually([&] { return slow->dropped() == 7; })) << slow->dropped();
    // The oldest three are kept, in order.
    for (int i = 0; i < 3; ++i) {
        v1::InboxEvent got;
        ASSERT_EQ(slow->Next(got, 1s), InboxHub::Stream::Wait::kEvent);
        EXPECT_EQ(got.conversation_id(), "c" + std::to_string(i));
    }
    v1::InboxEvent none;
    EXPECT_EQ(slow->Next(none, 100ms), InboxHub::Stream::Wait::kTimeout);
    // It takes events again once drained.
    a->Notify(OperatorId("alice"), Offered("c10"));
    v1::InboxEvent got;
    ASSERT_EQ(slow->Next(got, 5s), InboxHub::Stream::Wait::kEvent);
    EXPECT_EQ(got.conversation_id(), "c10");
}

TEST_F(InboxHubTest, ShutdownWakesWaitersAtOnceAndRefusesNewStreams) {
    auto a = MakeHub();
    auto s = a->Open(OperatorId("alice"));
    std::atomic<bool> woke{false};
    std::chrono::steady_clock::duration waited{};
    std::thread waiter([&] {
        const auto t0 = std::chrono::steady_clock::now();
        v1::InboxEvent e;
        const auto w = s->Next(e, 30s);
        waited = std::chrono::steady_clock::now() - t0;
        woke = w == InboxHub::Stream::Wait::kClosed;
    });
    std::this_thread::sleep_for(100ms);
    a->Shutdown();
    waiter.join();
    EXPECT_TRUE(woke);
    EXPECT_LT(waited, 5s);
    EXPECT_EQ(a->Open(OperatorId("alice")), nullptr);
    s.reset();
    EXPECT_EQ(a->open_streams(), 0u);
}

TEST_F(InboxHubTest, StreamsBeyondTheCapAreRefusedUntilOneCloses) {
    InboxHub::Options options;
    options.max_streams = 2;
    InboxHub hub(*redis_, TestRedis(), channel_, options);  // no subscriber needed
    auto s1 = hub.Open(OperatorId("a"));
    auto s2 = hub.Open(OperatorId("a"));
    ASSERT_TRUE(s1 && s2);
    EXPECT_EQ(hub.Open(OperatorId("b")), nullptr);
    s1.reset();
    EXPECT_NE(hub.Open(OperatorId("b")), nullptr);
}

TEST_F(InboxHubTest, UndecodableMessagesAreSkipped) {
    InboxHub hub(*redis_, TestRedis(), channel_, {});
    auto s = hub.Open(OperatorId("alice"));
    hub.OnMessage("no newline");
    hub.OnMessage("bad id!\n");
    hub.OnMessage(std::string("alice\n\xff\xff\xff", 9));
    v1::InboxEvent none;
    EXPECT_EQ(s->Next(none, 50ms), InboxHub::Stream::Wait::kTimeout);
    hub.OnMessage("alice\n" + Offered("c1").SerializeAsString());
    ASSERT_EQ(s->Next(none, 1s), InboxHub::Stream::Wait::kEvent);
}

}  // namespace
}  // namespace switchboard::routing
