#include "switchboard/redis/pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace switchboard::redis {
namespace {

// A connection that records how many calls it is in at once, and how many it served.
class FakeConnection final : public Client {
public:
    std::atomic<int> inside{0}, most_inside{0}, served{0};

    Result<Reply> Command(const std::vector<std::string>&) override { return Call(); }
    Result<Reply> Eval(const Script&, const std::vector<std::string>&, const std::vector<std::string>&) override {
        return Call();
    }
    bool Healthy() override { return true; }

private:
    Result<Reply> Call() {
        const int now = ++inside;
        int seen = most_inside.load();
        while (now > seen && !most_inside.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a round trip
        --inside;
        ++served;
        return Reply{std::int64_t{1}};
    }
};

std::vector<std::unique_ptr<Client>> ThreeFakes(std::vector<FakeConnection*>& fakes) {
    std::vector<std::unique_ptr<Client>> connections;
    for (int i = 0; i < 3; ++i) {
        auto c = std::make_unique<FakeConnection>();
        fakes.push_back(c.get());
        connections.push_back(std::move(c));
    }
    return connections;
}

TEST(Pool, OneCallAtATimePerConnectionAndCallsSpreadOverThem) {
    std::vector<FakeConnection*> fakes;
    Pool pool(ThreeFakes(fakes));
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&pool] {
            for (int i = 0; i < 20; ++i) ASSERT_TRUE(pool.Command({"PING"}));
        });
    }
    for (auto& t : threads) t.join();
    int total = 0, used = 0;
    for (const auto* f : fakes) {
        EXPECT_LE(f->most_inside.load(), 1) << "a connection was shared by two calls at once";
        total += f->served.load();
        if (f->served.load() > 0) ++used;
    }
    EXPECT_EQ(total, 120);
    EXPECT_EQ(used, 3) << "six busy threads must get all three connections";
}

TEST(Pool, OneCallerReusesTheSameConnection) {
    std::vector<FakeConnection*> fakes;
    Pool pool(ThreeFakes(fakes));
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(pool.Eval(Script("return 1"), {}, {}));
    int used = 0;
    for (const auto* f : fakes) used += f->served.load() > 0 ? 1 : 0;
    EXPECT_EQ(used, 1) << "under light load one connection does the work";
}

}  // namespace
}  // namespace switchboard::redis
