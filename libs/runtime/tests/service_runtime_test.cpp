#include "switchboard/runtime/service_runtime.hpp"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <atomic>

#include "switchboard/http/client.hpp"
#include "switchboard/runtime/ticker.hpp"

namespace switchboard::runtime {
namespace {

TEST(ServiceRuntime, ReadyzFollowsTheChecksAndNamesTheFailingOne) {
    ServiceRuntime rt("test", http::ServerOptions{});
    std::atomic<bool> redis_up{false};
    rt.AddReadinessCheck("redis", [&] { return redis_up.load(); });
    rt.AddReadinessCheck("kafka", [] { return true; });
    rt.Start();

    auto health = http::Fetch("127.0.0.1", rt.port(), "GET", "/healthz");
    ASSERT_TRUE(health.ok());
    EXPECT_EQ(health->status, 200);

    auto not_ready = http::Fetch("127.0.0.1", rt.port(), "GET", "/readyz");
    ASSERT_TRUE(not_ready.ok());
    EXPECT_EQ(not_ready->status, 503);
    EXPECT_NE(not_ready->body.find("\"redis\""), std::string::npos) << not_ready->body;
    EXPECT_EQ(not_ready->body.find("\"kafka\""), std::string::npos) << not_ready->body;

    redis_up = true;
    auto ready = http::Fetch("127.0.0.1", rt.port(), "GET", "/readyz");
    ASSERT_TRUE(ready.ok());
    EXPECT_EQ(ready->status, 200);
    rt.Stop();
}

TEST(ServiceRuntime, MetricsServesTheRegistryInTextFormat) {
    ServiceRuntime rt("test", http::ServerOptions{});
    prometheus::BuildCounter().Name("test_things_total").Help("things").Register(rt.registry()).Add({{"k", "v"}}).Increment(3);
    rt.Start();
    auto r = http::Fetch("127.0.0.1", rt.port(), "GET", "/metrics");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->body.find("test_things_total{k=\"v\"} 3"), std::string::npos) << r->body;
    rt.Stop();
}

TEST(ServiceRuntime, HandledRequestsAreTimedByRoutePatternAndStatus) {
    ServiceRuntime rt("test", http::ServerOptions{});
    rt.http().Route("GET", "/v1/things/{id}", [](http::Request req, http::Respond respond) {
        respond(http::Response::Json(req.params.at("id") == "missing" ? 404 : 200, "{}"));
    });
    rt.Start();
    ASSERT_TRUE(http::Fetch("127.0.0.1", rt.port(), "GET", "/v1/things/a").ok());
    ASSERT_TRUE(http::Fetch("127.0.0.1", rt.port(), "GET", "/v1/things/b").ok());
    ASSERT_TRUE(http::Fetch("127.0.0.1", rt.port(), "GET", "/v1/things/missing").ok());
    ASSERT_TRUE(http::Fetch("127.0.0.1", rt.port(), "GET", "/nowhere").ok());  // refused: not timed
    auto metrics = http::Fetch("127.0.0.1", rt.port(), "GET", "/metrics");
    ASSERT_TRUE(metrics.ok());
    // One series per route pattern and status, not per path.
    EXPECT_NE(metrics->body.find(R"(switchboard_http_request_seconds_count{code="200",method="GET",route="/v1/things/{id}"} 2)"),
              std::string::npos)
        << metrics->body;
    EXPECT_NE(metrics->body.find(R"(switchboard_http_request_seconds_count{code="404",method="GET",route="/v1/things/{id}"} 1)"),
              std::string::npos);
    EXPECT_EQ(metrics->body.find("/nowhere"), std::string::npos);
    rt.Stop();
}

TEST(Ticker, TicksUntilStopped) {
    std::atomic<int> ticks{0};
    Ticker t(std::chrono::milliseconds(1), [&] { ++ticks; });
    while (ticks.load() < 3) std::this_thread::yield();
    t.Stop();
    const int after = ticks.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(ticks.load(), after) << "no tick after Stop()";
    t.Stop();  // idempotent
}

}  // namespace
}  // namespace switchboard::runtime
