#include "connection_registry.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace switchboard::gateway_web {
namespace {

class FakeConnection : public http::WebSocketConnection {
public:
    explicit FakeConnection(std::uint64_t id) : id_(id) {}
    void Send(std::string text) override {
        std::lock_guard lock(mu_);
        sent_.push_back(std::move(text));
    }
    void Close() override { closed_ = true; }
    std::uint64_t id() const override { return id_; }
    std::vector<std::string> sent() const {
        std::lock_guard lock(mu_);
        return sent_;
    }
    bool closed() const { return closed_; }

private:
    std::uint64_t id_;
    mutable std::mutex mu_;
    std::vector<std::string> sent_;
    std::atomic<bool> closed_{false};
};

TEST(ConnectionRegistry, PushesReachEverySocketOfTheConversationOnly) {
    ConnectionRegistry r;
    auto a = std::make_shared<FakeConnection>(1);
    auto b = std::make_shared<FakeConnection>(2);
    auto other = std::make_shared<FakeConnection>(3);
    r.Add("c-1", a);
    r.Add("c-1", b);
    r.Add("c-2", other);
    EXPECT_EQ(r.Send("c-1", 1, "p1"), 2u);
    EXPECT_EQ(a->sent(), std::vector<std::string>{"p1"});
    EXPECT_EQ(b->sent(), std::vector<std::string>{"p1"});
    EXPECT_TRUE(other->sent().empty());
    EXPECT_EQ(r.ConversationOf(other), "c-2");

    r.Remove(a);
    EXPECT_EQ(r.Send("c-1", 2, "p2"), 1u);
    EXPECT_EQ(a->sent().size(), 1u);
    EXPECT_EQ(r.ConversationOf(a), std::nullopt);
    EXPECT_EQ(r.size(), 2u);
    r.Remove(a);  // twice: harmless
    r.CloseAll();
    EXPECT_TRUE(b->closed() && other->closed());
}

TEST(ConnectionRegistry, AResumingSocketGetsItsBacklogBeforeHeldPushes) {
    ConnectionRegistry r;
    auto live = std::make_shared<FakeConnection>(1);
    auto resuming = std::make_shared<FakeConnection>(2);
    r.Add("c", live);
    r.Add("c", resuming, /*hold=*/true);
    r.Send("c", 4, "p4");
    r.Send("c", 5, "p5");
    EXPECT_EQ(live->sent(), (std::vector<std::string>{"p4", "p5"}));
    EXPECT_TRUE(resuming->sent().empty());
    r.Open(resuming, {"b3", "b4", "synced"}, /*head=*/4);
    EXPECT_EQ(resuming->sent(), (std::vector<std::string>{"b3", "b4", "synced", "p5"}));
}

TEST(ConnectionRegistry, OpenAfterTheSocketClosedDoesNothing) {
    ConnectionRegistry r;
    auto c = std::make_shared<FakeConnection>(1);
    r.Add("c", c, true);
    r.Remove(c);
    r.Open(c, {"b1"}, 1);
    EXPECT_TRUE(c->sent().empty());
}

// The resume race, with real threads: a writer appends entries 1..N and pushes each after its
// append, while the socket registers, reads the transcript's head and opens. The writer is held
// at two points only to make sure every phase sees pushes (before the registration, between it
// and the read, between the read and the open, after the open); within phases the threads run
// freely. The socket must get every entry exactly once and in order.
TEST(ConnectionRegistry, ResumeRaceDeliversEveryEntryOnceInOrder) {
    constexpr std::uint64_t kEntries = 4000;
    const auto wait_for = [](const std::atomic<bool>& flag) {
        while (!flag.load()) std::this_thread::yield();
    };
    for (int round = 0; round < 20; ++round) {
        ConnectionRegistry r;
        auto conn = std::make_shared<FakeConnection>(1);
        std::atomic<std::uint64_t> appended{0};
        std::atomic<bool> added{false};
        std::atomic<bool> read{false};
        std::thread writer([&] {
            for (std::uint64_t i = 1; i <= kEntries; ++i) {
                if (i == kEntries / 2 + 1) wait_for(added);
                if (i == kEntries * 3 / 4 + 1) wait_for(read);
                appended.store(i);  // the append, then its push
                r.Send("c", i, std::to_string(i));
            }
        });
        while (appended.load() < kEntries / 4) std::this_thread::yield();
        r.Add("c", conn, /*hold=*/true);
        added.store(true);
        while (appended.load() < kEntries / 2 + 10) std::this_thread::yield();
        const std::uint64_t head = appended.load();  // the transcript read
        read.store(true);
        std::vector<std::string> backlog;
        for (std::uint64_t i = 1; i <= head; ++i) backlog.push_back(std::to_string(i));
        r.Open(conn, std::move(backlog), head);
        writer.join();

        const auto sent = conn->sent();
        ASSERT_EQ(sent.size(), kEntries) << "round " << round << ", head " << head;
        for (std::uint64_t i = 0; i < kEntries; ++i)
            ASSERT_EQ(sent[i], std::to_string(i + 1)) << "round " << round;
    }
}

}  // namespace
}  // namespace switchboard::gateway_web
