#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "switchboard/http/client.hpp"
#include "switchboard/http/server.hpp"

namespace switchboard::http {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr auto kDeadline = 5s;

// Records what the server saw; promises let the test wait with a deadline instead of sleeping.
struct Observed {
    std::promise<std::shared_ptr<WebSocketConnection>> opened;
    std::promise<Request> open_request;
    std::promise<void> closed;
    std::atomic<int> close_calls{0};
    std::atomic<int> open_calls{0};
};

class WebSocketTest : public ::testing::Test {
protected:
    void SetUp() override {
        ServerOptions options;
        options.threads = 2;
        server_ = std::make_unique<Server>(options);
        WebSocketHandlers handlers;
        handlers.on_open = [this](const Request& request, std::shared_ptr<WebSocketConnection> conn) {
            ++observed_.open_calls;
            observed_.open_request.set_value(request);
            observed_.opened.set_value(std::move(conn));
        };
        handlers.on_message = [](const std::shared_ptr<WebSocketConnection>& conn, std::string text) {
            conn->Send("echo:" + text);
        };
        handlers.on_close = [this](const std::shared_ptr<WebSocketConnection>&) {
            if (++observed_.close_calls == 1) observed_.closed.set_value();
        };
        server_->WebSocket("/v1/ws/{room}", std::move(handlers));
        server_->Route("GET", "/plain",
                       [](Request, Respond respond) { respond(Response::Text(200, "plain")); });
        server_->Start();
    }

    std::unique_ptr<WebSocketClient> Connect(const std::string& target = "/v1/ws/lobby?user=u1") {
        auto client = WebSocketClient::Connect("127.0.0.1", server_->BoundPort(), target);
        if (!client.ok()) ADD_FAILURE() << client.error().message;
        return client.ok() ? std::move(client).value() : nullptr;
    }

    std::shared_ptr<WebSocketConnection> ServerSide() {
        auto future = observed_.opened.get_future();
        if (future.wait_for(kDeadline) != std::future_status::ready) return nullptr;
        return future.get();
    }

    bool WaitClosed() {
        return observed_.closed.get_future().wait_for(kDeadline) == std::future_status::ready;
    }

    Observed observed_;
    std::unique_ptr<Server> server_;
};

TEST_F(WebSocketTest, OpenSeesRouteParamsAndQuery) {
    auto client = Connect();
    ASSERT_NE(client, nullptr);
    auto future = observed_.open_request.get_future();
    ASSERT_EQ(future.wait_for(kDeadline), std::future_status::ready);
    const Request request = future.get();
    EXPECT_EQ(request.params.at("room"), "lobby");
    EXPECT_EQ(request.query.at("user"), "u1");
    EXPECT_EQ(request.path, "/v1/ws/lobby");
}

TEST_F(WebSocketTest, EchoesMessagesInOrder) {
    auto client = Connect();
    ASSERT_NE(client, nullptr);
    for (const char* text : {"one", "two", "three"}) ASSERT_TRUE(client->Send(text).ok());
    EXPECT_EQ(client->Read(kDeadline), "echo:one");
    EXPECT_EQ(client->Read(kDeadline), "echo:two");
    EXPECT_EQ(client->Read(kDeadline), "echo:three");
}

TEST_F(WebSocketTest, ServerSendsFromAnotherThreadAndReadTimeoutKeepsTheConnection) {
    auto client = Connect();
    ASSERT_NE(client, nullptr);
    auto conn = ServerSide();
    ASSERT_NE(conn, nullptr);
    EXPECT_NE(conn->id(), 0U);

    EXPECT_EQ(client->Read(20ms), std::nullopt);  // nothing sent yet: times out

    std::thread([conn] {
        conn->Send("pushed-1");
        conn->Send("pushed-2");
    }).join();
    EXPECT_EQ(client->Read(kDeadline), "pushed-1");
    EXPECT_EQ(client->Read(kDeadline), "pushed-2");

    ASSERT_TRUE(client->Send("after").ok());
    EXPECT_EQ(client->Read(kDeadline), "echo:after");
}

TEST_F(WebSocketTest, OnCloseRunsOnceWhenTheClientCloses) {
    auto client = Connect();
    ASSERT_NE(client, nullptr);
    ASSERT_NE(ServerSide(), nullptr);
    client->Close();
    ASSERT_TRUE(WaitClosed());
    client.reset();
    EXPECT_EQ(observed_.close_calls.load(), 1);
    EXPECT_EQ(observed_.open_calls.load(), 1);
}

TEST_F(WebSocketTest, ServerCloseEndsTheClientsReads) {
    auto client = Connect();
    ASSERT_NE(client, nullptr);
    auto conn = ServerSide();
    ASSERT_NE(conn, nullptr);
    conn->Send("bye");
    conn->Close();
    conn->Send("dropped after Close");
    EXPECT_EQ(client->Read(kDeadline), "bye");  // queued messages go out before the close frame
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(client->Read(kDeadline), std::nullopt);
    EXPECT_LT(std::chrono::steady_clock::now() - start, kDeadline);
    EXPECT_TRUE(WaitClosed());
    EXPECT_FALSE(client->Send("too late").ok());
}

TEST_F(WebSocketTest, StopClosesOpenWebSockets) {
    auto client = Connect();
    ASSERT_NE(client, nullptr);
    ASSERT_NE(ServerSide(), nullptr);
    const auto start = std::chrono::steady_clock::now();
    auto stop = std::async(std::launch::async, [this] { server_->Stop(3s); });
    // The blocking client answers the server's close frame only while inside a call.
    EXPECT_EQ(client->Read(kDeadline), std::nullopt);
    ASSERT_EQ(stop.wait_for(kDeadline), std::future_status::ready);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s) << "Stop waited out the drain";
    EXPECT_TRUE(WaitClosed());
    server_->Stop();
}

TEST_F(WebSocketTest, PlainRequestToAWebSocketRouteIs426) {
    auto got = Fetch("127.0.0.1", server_->BoundPort(), "GET", "/v1/ws/lobby");
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->status, 426);
    EXPECT_THAT(got->body, HasSubstr(R"("error":"upgrade_required")"));
}

TEST_F(WebSocketTest, UpgradeOnAnHttpOnlyOrUnknownPathIsDeclined) {
    auto unknown = WebSocketClient::Connect("127.0.0.1", server_->BoundPort(), "/nope", 2s);
    ASSERT_FALSE(unknown.ok());
    EXPECT_THAT(unknown.error().message, HasSubstr("404"));
    auto plain = WebSocketClient::Connect("127.0.0.1", server_->BoundPort(), "/plain", 2s);
    ASSERT_FALSE(plain.ok());
    EXPECT_EQ(observed_.open_calls.load(), 0);
}

}  // namespace
}  // namespace switchboard::http
