// PlatformClient against a local HTTP server (libs/http).
#include "switchboard/channel/platform_client.hpp"

#include <gtest/gtest.h>

#include "switchboard/http/server.hpp"

namespace switchboard::channel {
namespace {

class PlatformClientTest : public ::testing::Test {
protected:
    PlatformClientTest() : server_(http::ServerOptions{}) {
        server_.Route("POST", "/{bot}/sendMessage", [this](http::Request req, http::Respond respond) {
            last_body_ = req.body;
            last_auth_ = std::string(req.Header("Authorization").value_or(""));
            last_type_ = std::string(req.Header("Content-Type").value_or(""));
            http::Response r = http::Response::Json(
                429, R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}})");
            r.headers.emplace_back("Retry-After", "3");
            respond(std::move(r));
        });
        server_.Route("GET", "/ok", [](http::Request, http::Respond respond) {
            respond(http::Response::Text(200, "fine"));
        });
        server_.Start();
        base_ = "http://127.0.0.1:" + std::to_string(server_.BoundPort());
    }

    http::Server server_;
    std::string base_;
    std::string last_body_, last_auth_, last_type_;
};

TEST_F(PlatformClientTest, PostsTheBodyAndHeadersAndReturnsAnyStatus) {
    PlatformClient client;
    auto r = client.Post(base_ + "/bot123:ABC/sendMessage", "application/json", R"({"chat_id":1,"text":"hi"})",
                         {"Authorization: Bearer t0k"});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 429);
    EXPECT_NE(r->body.find("retry_after"), std::string::npos);
    bool saw_retry_after = false;
    for (const auto& [k, v] : r->headers) saw_retry_after |= (k == "retry-after" && v == "3");
    EXPECT_TRUE(saw_retry_after);
    EXPECT_EQ(last_body_, R"({"chat_id":1,"text":"hi"})");
    EXPECT_EQ(last_auth_, "Bearer t0k");
    EXPECT_EQ(last_type_, "application/json");
}

TEST_F(PlatformClientTest, Gets) {
    PlatformClient client;
    auto r = client.Get(base_ + "/ok");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "fine");
}

TEST_F(PlatformClientTest, TransportFailureIsRetryableAndDoesNotLeakTheUrl) {
    PlatformClient::Options o;
    o.connect_timeout = std::chrono::milliseconds(500);
    PlatformClient client(o);
    server_.Stop();
    auto r = client.Post(base_ + "/botSECRET-TOKEN/sendMessage", "application/json", "{}");
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().retryable);
    EXPECT_EQ(r.error().message.find("SECRET-TOKEN"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace switchboard::channel
