// Integration: pub/sub against a real Redis.
#include "switchboard/redis/subscriber.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "switchboard/core/ids.hpp"

namespace switchboard::redis {
namespace {

using namespace std::chrono_literals;

ClientConfig TestRedis() {
    const char* env = std::getenv("SWITCHBOARD_TEST_REDIS");
    const std::string addr = env != nullptr ? env : "127.0.0.1:16379";
    ClientConfig c;
    c.host = addr.substr(0, addr.rfind(':'));
    c.port = std::stoi(addr.substr(addr.rfind(':') + 1));
    return c;
}

bool Eventually(const std::function<bool()>& f) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (f()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return f();
}

TEST(Subscriber, DeliversPublishedMessagesInOrder) {
    const std::string channel = "test:" + NewUuid();
    std::mutex mu;
    std::vector<std::string> got;
    Subscriber sub(TestRedis(), channel, [&](const std::string& p) {
        std::lock_guard lock(mu);
        got.push_back(p);
    });
    sub.Start();
    ASSERT_TRUE(Eventually([&] { return sub.Subscribed(); }));
    auto client = MakeClient(TestRedis());
    ASSERT_TRUE(client->Command({"PUBLISH", channel, "one"}).ok());
    ASSERT_TRUE(client->Command({"PUBLISH", channel, std::string("two\0bytes", 9)}).ok());
    ASSERT_TRUE(Eventually([&] {
        std::lock_guard lock(mu);
        return got.size() == 2;
    }));
    std::lock_guard lock(mu);
    EXPECT_EQ(got[0], "one");
    EXPECT_EQ(got[1], std::string("two\0bytes", 9));
}

TEST(Subscriber, ResubscribesAfterTheConnectionIsKilled) {
    const std::string channel = "test:" + NewUuid();
    std::atomic<int> got{0};
    Subscriber sub(TestRedis(), channel, [&](const std::string&) { ++got; });
    sub.Start();
    ASSERT_TRUE(Eventually([&] { return sub.Subscribed(); }));
    auto client = MakeClient(TestRedis());
    // Kill this subscriber's connection only (the Redis is shared with other tests).
    auto list = client->Command({"CLIENT", "LIST", "TYPE", "pubsub"});
    ASSERT_TRUE(list.ok() && list->is_string());
    std::string id;
    std::istringstream lines(list->string());
    for (std::string line; std::getline(lines, line);) {
        if (line.find(" name=sbsub-" + channel + " ") != std::string::npos) id = line.substr(3, line.find(' ') - 3);
    }
    ASSERT_FALSE(id.empty()) << list->string();
    auto killed = client->Command({"CLIENT", "KILL", "ID", id});
    ASSERT_TRUE(killed.ok() && killed->integer() == 1);
    ASSERT_TRUE(Eventually([&] {
        auto n = client->Command({"PUBSUB", "NUMSUB", channel});
        return n.ok() && n->is_array() && n->array().size() == 2 && n->array()[1].integer() == 1 &&
               sub.Subscribed();
    }));
    ASSERT_TRUE(client->Command({"PUBLISH", channel, "after"}).ok());
    EXPECT_TRUE(Eventually([&] { return got.load() == 1; }));
}

TEST(Subscriber, StopReturnsPromptlyAndUnsubscribes) {
    const std::string channel = "test:" + NewUuid();
    Subscriber sub(TestRedis(), channel, [](const std::string&) {});
    sub.Start();
    ASSERT_TRUE(Eventually([&] { return sub.Subscribed(); }));
    const auto t0 = std::chrono::steady_clock::now();
    sub.Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
    auto client = MakeClient(TestRedis());
    EXPECT_TRUE(Eventually([&] {
        auto n = client->Command({"PUBSUB", "NUMSUB", channel});
        return n.ok() && n->array()[1].integer() == 0;
    }));
    sub.Stop();  // idempotent
}

TEST(Subscriber, UnreachableRedisIsNotSubscribedAndStops) {
    ClientConfig c;
    c.host = "127.0.0.1";
    c.port = 1;
    Subscriber sub(c, "x", [](const std::string&) {});
    sub.Start();
    std::this_thread::sleep_for(200ms);
    EXPECT_FALSE(sub.Subscribed());
    sub.Stop();
}

}  // namespace
}  // namespace switchboard::redis
