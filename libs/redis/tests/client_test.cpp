// Integration tests against a real Redis (tools/stack start). SWITCHBOARD_TEST_REDIS=host:port,
// default 127.0.0.1:16379. Every test works under its own random key prefix; the Redis may be
// shared with other developers.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "switchboard/core/ids.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::redis {
namespace {

using std::chrono::milliseconds;

ClientConfig TestRedisConfig() {
    const char* env = std::getenv("SWITCHBOARD_TEST_REDIS");
    const std::string address = (env != nullptr && *env != '\0') ? env : "127.0.0.1:16379";
    const auto colon = address.rfind(':');
    ClientConfig config;
    config.host = address.substr(0, colon);
    config.port = std::stoi(address.substr(colon + 1));
    return config;
}

class RedisClientTest : public ::testing::Test {
protected:
    void SetUp() override {
        config_ = TestRedisConfig();
        client_ = MakeClient(config_);
        ASSERT_TRUE(client_->Healthy())
            << "no Redis at " << config_.host << ":" << config_.port
            << " (run tools/stack start or set SWITCHBOARD_TEST_REDIS)";
        prefix_ = "test:redis:" + NewUuid() + ":";
    }

    void TearDown() override {
        if (client_ == nullptr || prefix_.empty()) return;
        // Best effort; keys also carry a TTL where a test could leave many behind.
        for (const std::string& key : created_) client_->Command({"DEL", key});
    }

    std::string Key(const std::string& name) {
        created_.push_back(prefix_ + name);
        return created_.back();
    }

    Reply Must(const Result<Reply>& r) {
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        return r.ok() ? r.value() : Reply{};
    }

    ClientConfig config_;
    std::unique_ptr<Client> client_;
    std::string prefix_;
    std::vector<std::string> created_;
};

TEST_F(RedisClientTest, SetGetAndNil) {
    const std::string key = Key("s");
    Reply set = Must(client_->Command({"SET", key, "hello"}));
    ASSERT_TRUE(std::holds_alternative<Reply::Status>(set.value));
    EXPECT_EQ(std::get<Reply::Status>(set.value).text, "OK");

    Reply get = Must(client_->Command({"GET", key}));
    ASSERT_TRUE(get.is_string());
    EXPECT_EQ(get.string(), "hello");

    Reply missing = Must(client_->Command({"GET", Key("missing")}));
    EXPECT_TRUE(missing.is_nil());
}

TEST_F(RedisClientTest, Integers) {
    const std::string key = Key("n");
    EXPECT_EQ(Must(client_->Command({"INCRBY", key, "41"})).integer(), 41);
    EXPECT_EQ(Must(client_->Command({"INCR", key})).integer(), 42);
    EXPECT_EQ(Must(client_->Command({"DECRBY", key, "100"})).integer(), -58);
    EXPECT_EQ(Must(client_->Command({"EXISTS", key, Key("none")})).integer(), 1);
}

TEST_F(RedisClientTest, Arrays) {
    const std::string key = Key("list");
    EXPECT_EQ(Must(client_->Command({"RPUSH", key, "a", "b", "c"})).integer(), 3);
    Reply range = Must(client_->Command({"LRANGE", key, "0", "-1"}));
    ASSERT_TRUE(range.is_array());
    ASSERT_EQ(range.array().size(), 3U);
    EXPECT_EQ(range.array()[0].string(), "a");
    EXPECT_EQ(range.array()[2].string(), "c");

    Reply empty = Must(client_->Command({"LRANGE", Key("nolist"), "0", "-1"}));
    ASSERT_TRUE(empty.is_array());
    EXPECT_TRUE(empty.array().empty());

    // Nested array with nil elements: MGET of present and missing keys.
    Reply mget = Must(client_->Command({"MGET", key + "x", Key("x")}));
    ASSERT_EQ(mget.array().size(), 2U);
    EXPECT_TRUE(mget.array()[0].is_nil());
}

TEST_F(RedisClientTest, BinarySafeKeysAndValues) {
    const std::string key = Key(std::string("bin\0key", 7));
    std::string value("a\0b\r\n\xff\0", 7);
    Must(client_->Command({"SET", key, value}));
    Reply get = Must(client_->Command({"GET", key}));
    ASSERT_TRUE(get.is_string());
    EXPECT_EQ(get.string(), value);
    EXPECT_EQ(get.string().size(), 7U);
    EXPECT_EQ(Must(client_->Command({"STRLEN", key})).integer(), 7);

    Must(client_->Command({"SET", Key("empty"), ""}));
    Reply empty = Must(client_->Command({"GET", prefix_ + "empty"}));
    ASSERT_TRUE(empty.is_string());  // an empty string is not nil
    EXPECT_EQ(empty.string(), "");
}

TEST_F(RedisClientTest, ServerErrorIsNonRetryableAndKeepsTheConnection) {
    const std::string key = Key("list");
    Must(client_->Command({"RPUSH", key, "a"}));
    const Reply id_before = Must(client_->Command({"CLIENT", "ID"}));

    Result<Reply> wrong = client_->Command({"GET", key});
    ASSERT_FALSE(wrong.ok());
    EXPECT_FALSE(wrong.error().retryable);
    EXPECT_TRUE(wrong.error().message.starts_with("WRONGTYPE")) << wrong.error().message;

    Result<Reply> unknown = client_->Command({"NOSUCHCOMMAND"});
    ASSERT_FALSE(unknown.ok());
    EXPECT_FALSE(unknown.error().retryable);

    // An error reply is a normal reply: the same connection goes on.
    EXPECT_EQ(Must(client_->Command({"CLIENT", "ID"})).integer(), id_before.integer());
}

TEST_F(RedisClientTest, EmptyCommandIsRejectedLocally) {
    Result<Reply> r = client_->Command({});
    ASSERT_FALSE(r.ok());
    EXPECT_FALSE(r.error().retryable);
}

TEST_F(RedisClientTest, EvalWithKeysAndArgs) {
    // Unique source (so a new digest): the first call also takes the NOSCRIPT -> SCRIPT LOAD path.
    const Script script("-- " + prefix_ +
                        "\nredis.call('SET', KEYS[1], ARGV[1])\n"
                        "return {redis.call('INCRBY', KEYS[2], ARGV[2]), redis.call('GET', KEYS[1])}");
    const std::string k1 = Key("e1");
    const std::string k2 = Key("e2");
    for (int i = 1; i <= 2; ++i) {
        Reply r = Must(client_->Eval(script, {k1, k2}, {"v", "5"}));
        ASSERT_TRUE(r.is_array());
        ASSERT_EQ(r.array().size(), 2U);
        EXPECT_EQ(r.array()[0].integer(), 5 * i);
        EXPECT_EQ(r.array()[1].string(), "v");
    }
    const Reply exists = Must(client_->Command({"SCRIPT", "EXISTS", script.sha1()}));
    EXPECT_EQ(exists.array()[0].integer(), 1);
}

TEST_F(RedisClientTest, EvalScriptErrorIsNonRetryable) {
    const Script script("return redis.error_reply('SBTEST custom failure')");
    Result<Reply> r = client_->Eval(script, {}, {});
    ASSERT_FALSE(r.ok());
    EXPECT_FALSE(r.error().retryable);
    EXPECT_NE(r.error().message.find("custom failure"), std::string::npos) << r.error().message;
}

TEST_F(RedisClientTest, EvalAfterScriptFlushReloadsTransparently) {
    const Script script("return redis.call('INCR', KEYS[1])");
    const std::string key = Key("flush");
    EXPECT_EQ(Must(client_->Eval(script, {key}, {})).integer(), 1);
    // Note: flushes the script cache of the whole (possibly shared) server; clients of this
    // library reload on NOSCRIPT, which is the behaviour under test.
    Must(client_->Command({"SCRIPT", "FLUSH"}));
    EXPECT_EQ(Must(client_->Command({"SCRIPT", "EXISTS", script.sha1()})).array()[0].integer(), 0);
    EXPECT_EQ(Must(client_->Eval(script, {key}, {})).integer(), 2);
}

TEST(RedisClientUnreachable, FailsFastRetryablyAndIsUnhealthy) {
    ClientConfig config;
    config.host = "127.0.0.1";
    config.port = 1;  // nothing listens: connection refused
    const auto start = std::chrono::steady_clock::now();
    auto client = MakeClient(config);  // lazy: constructing never touches the network
    Result<Reply> r = client->Command({"PING"});
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().retryable);
    EXPECT_NE(r.error().message.find("127.0.0.1:1"), std::string::npos) << r.error().message;
    EXPECT_FALSE(client->Healthy());
    const Script script("return 1");
    Result<Reply> e = client->Eval(script, {}, {});
    ASSERT_FALSE(e.ok());
    EXPECT_TRUE(e.error().retryable);
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(500));
}

// Chosen behaviour: a connection the server closed while it was idle (CLIENT KILL, server
// restart, `timeout`) is noticed before the next command is sent (a non-blocking peek), so that
// command reconnects and succeeds transparently: nothing had been sent, nothing can run twice.
TEST_F(RedisClientTest, ConnectionKilledWhileIdleReconnectsTransparently) {
    const std::int64_t id = Must(client_->Command({"CLIENT", "ID"})).integer();
    auto admin = MakeClient(config_);
    // By ID, never by TYPE: the server may be shared.
    EXPECT_EQ(Must(admin->Command({"CLIENT", "KILL", "ID", std::to_string(id)})).integer(), 1);

    const std::string key = Key("after-kill");
    Must(client_->Command({"SET", key, "1"}));
    const std::int64_t new_id = Must(client_->Command({"CLIENT", "ID"})).integer();
    EXPECT_NE(new_id, id);
    EXPECT_TRUE(client_->Healthy());
}

// A failure in the middle of a command is not retried by the client (the command may have run):
// that one call returns a retryable Error, the connection is dropped, the next call reconnects.
TEST_F(RedisClientTest, TimeoutFailsOneCallThenNextCallReconnects) {
    ClientConfig config = config_;
    config.command_timeout = milliseconds(100);
    auto client = MakeClient(config);
    const std::int64_t id = Must(client->Command({"CLIENT", "ID"})).integer();

    const auto start = std::chrono::steady_clock::now();
    Result<Reply> blocked = client->Command({"BLPOP", Key("never"), "2"});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(blocked.ok());
    EXPECT_TRUE(blocked.error().retryable);
    EXPECT_NE(blocked.error().message.find("timed out"), std::string::npos)
        << blocked.error().message;
    EXPECT_LT(elapsed, milliseconds(1000));

    EXPECT_NE(Must(client->Command({"CLIENT", "ID"})).integer(), id);
    EXPECT_TRUE(client->Healthy());
}

TEST_F(RedisClientTest, ConcurrentCallsFromSeveralThreads) {
    constexpr int kThreads = 8;
    constexpr int kPerThread = 500;
    const std::string counter = Key("counter");
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            const std::string own = prefix_ + "t" + std::to_string(t);
            for (int i = 0; i < kPerThread; ++i) {
                Result<Reply> inc = client_->Command({"INCR", counter});
                Result<Reply> set = client_->Command({"SET", own, std::to_string(i)});
                Result<Reply> get = client_->Command({"GET", own});
                // Replies must never be crossed between threads.
                if (!inc || !set || !get || get->string() != std::to_string(i)) ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < kThreads; ++t) Key("t" + std::to_string(t));
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(Must(client_->Command({"GET", counter})).string(),
              std::to_string(kThreads * kPerThread));
}

TEST_F(RedisClientTest, MetricsCountOutcomesAndLatency) {
    prometheus::Registry registry;
    auto client = MakeClient(config_, &registry);
    Must(client->Command({"SET", Key("m"), "1"}));
    Must(client->Eval(Script("return 1"), {}, {}));
    EXPECT_FALSE(client->Command({"NOSUCHCOMMAND"}).ok());

    double ok = -1;
    double error = -1;
    std::uint64_t observations = 0;
    for (const auto& family : registry.Collect()) {
        for (const auto& metric : family.metric) {
            if (family.name == "switchboard_redis_commands_total") {
                ASSERT_EQ(metric.label.size(), 1U);
                (metric.label[0].value == "ok" ? ok : error) = metric.counter.value;
            } else if (family.name == "switchboard_redis_command_seconds") {
                observations = metric.histogram.sample_count;
            }
        }
    }
    EXPECT_EQ(ok, 2);
    EXPECT_EQ(error, 1);
    EXPECT_EQ(observations, 3U);
}

}  // namespace
}  // namespace switchboard::redis
