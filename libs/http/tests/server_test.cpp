#include "switchboard/http/server.hpp"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "switchboard/http/client.hpp"

namespace switchboard::http {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr auto kDeadline = 5s;

// A plain TCP connection for what Fetch cannot do: garbage bytes and several requests on one
// connection. Every wait is bounded by a deadline.
class RawConnection {
public:
    struct Response {
        int status = 0;
        std::string head;  // status line and headers
        std::string body;
    };

    explicit RawConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        if (fd_ < 0) throw std::runtime_error("socket() failed");
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
            throw std::runtime_error("connect() failed");
        }
    }
    ~RawConnection() { ::close(fd_); }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    void Send(std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) throw std::runtime_error("send() failed");
            data.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    // One response framed by Content-Length; std::nullopt on EOF or deadline.
    std::optional<Response> ReadResponse() {
        const auto deadline = std::chrono::steady_clock::now() + kDeadline;
        std::size_t head_end;
        while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (!Fill(deadline)) return std::nullopt;
        }
        Response response;
        response.head = buffer_.substr(0, head_end + 2);
        response.status = std::stoi(response.head.substr(9, 3));
        std::string lower = response.head;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::size_t length = 0;
        if (const auto pos = lower.find("content-length:"); pos != std::string::npos) {
            length = std::stoul(lower.substr(pos + 15));
        }
        while (buffer_.size() < head_end + 4 + length) {
            if (!Fill(deadline)) return std::nullopt;
        }
        response.body = buffer_.substr(head_end + 4, length);
        buffer_.erase(0, head_end + 4 + length);
        return response;
    }

    // True if the server closes the connection (and sends nothing more) before the deadline.
    bool WaitForClose() {
        const auto deadline = std::chrono::steady_clock::now() + kDeadline;
        while (Fill(deadline)) {
        }
        return eof_ && buffer_.empty();
    }

private:
    bool Fill(std::chrono::steady_clock::time_point deadline) {
        using std::chrono::duration_cast, std::chrono::milliseconds, std::chrono::steady_clock;
        const auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
        if (left <= 0ms) return false;
        pollfd pfd{fd_, POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return false;
        char chunk[4096];
        const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (n <= 0) {
            eof_ = true;
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_;
    std::string buffer_;
    bool eof_ = false;
};

ServerOptions Options(int threads = 2) {
    ServerOptions options;
    options.threads = threads;
    return options;
}

std::optional<std::string> HeaderOf(const ClientResponse& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
        if (key.size() == name.size() &&
            std::equal(key.begin(), key.end(), name.begin(),
                       [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
            return value;
        }
    }
    return std::nullopt;
}

Result<ClientResponse> Get(const Server& server, const std::string& target) {
    return Fetch("127.0.0.1", server.BoundPort(), "GET", target);
}

TEST(HttpServer, BindsAnEphemeralPortAndRejectsAPortInUse) {
    Server first(Options());
    first.Start();
    ASSERT_NE(first.BoundPort(), 0);

    ServerOptions taken = Options();
    taken.port = first.BoundPort();
    Server second(taken);
    try {
        second.Start();
        FAIL() << "binding a port in use must throw";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("127.0.0.1:" + std::to_string(first.BoundPort())));
    }
}

TEST(HttpServer, RoutesWithDecodedParamsQueryAndHeaders) {
    Server server(Options());
    std::promise<Request> seen;
    server.Route("GET", "/v1/conversations/{id}/messages", [&](Request request, Respond respond) {
        seen.set_value(request);
        respond(Response::Json(200, R"({"ok":true})"));
    });
    server.Route("POST", "/v1/conversations/{id}/messages",
                 [](Request request, Respond respond) { respond(Response::Text(201, request.body)); });
    server.Start();

    auto got = Fetch("127.0.0.1", server.BoundPort(), "GET",
                     "/v1/conversations/c%2F1/messages?q=hello%20world&x=a+b&flag", {}, {{"X-Trace", "abc"}});
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->status, 200);
    EXPECT_EQ(got->body, R"({"ok":true})");
    EXPECT_EQ(HeaderOf(*got, "server"), "switchboard");
    EXPECT_EQ(HeaderOf(*got, "content-type"), "application/json");

    auto future = seen.get_future();
    ASSERT_EQ(future.wait_for(kDeadline), std::future_status::ready);
    const Request request = future.get();
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.target, "/v1/conversations/c%2F1/messages?q=hello%20world&x=a+b&flag");
    EXPECT_EQ(request.path, "/v1/conversations/c/1/messages");
    EXPECT_EQ(request.params.at("id"), "c/1");
    EXPECT_EQ(request.query.at("q"), "hello world");
    EXPECT_EQ(request.query.at("x"), "a b");
    EXPECT_EQ(request.query.at("flag"), "");
    EXPECT_EQ(request.Header("x-trace"), "abc");
    EXPECT_EQ(request.remote_address, "127.0.0.1");

    auto posted = Fetch("127.0.0.1", server.BoundPort(), "POST", "/v1/conversations/7/messages", "hello");
    ASSERT_TRUE(posted.ok()) << posted.error().message;
    EXPECT_EQ(posted->status, 201);
    EXPECT_EQ(posted->body, "hello");
}

TEST(HttpServer, UnknownPathIs404AndOtherMethodIs405WithAllow) {
    Server server(Options());
    server.Route("GET", "/items/{id}", [](Request, Respond respond) { respond(Response::Json(200, "{}")); });
    server.Route("PUT", "/items/{id}", [](Request, Respond respond) { respond(Response::Json(200, "{}")); });
    server.Start();

    auto missing = Get(server, "/nothing/here");
    ASSERT_TRUE(missing.ok()) << missing.error().message;
    EXPECT_EQ(missing->status, 404);
    EXPECT_THAT(missing->body, HasSubstr(R"("error":"not_found")"));

    auto wrong = Fetch("127.0.0.1", server.BoundPort(), "DELETE", "/items/1");
    ASSERT_TRUE(wrong.ok()) << wrong.error().message;
    EXPECT_EQ(wrong->status, 405);
    EXPECT_THAT(wrong->body, HasSubstr(R"("error":"method_not_allowed")"));
    EXPECT_EQ(HeaderOf(*wrong, "allow"), "GET, PUT");

    auto bad_escape = Get(server, "/items/%zz");
    ASSERT_TRUE(bad_escape.ok()) << bad_escape.error().message;
    EXPECT_EQ(bad_escape->status, 400);
}

TEST(HttpServer, OversizedBodyIs413WithJsonReason) {
    ServerOptions options = Options();
    options.max_body_bytes = 1024;
    Server server(options);
    std::atomic<int> calls{0};
    server.Route("POST", "/upload", [&](Request request, Respond respond) {
        ++calls;
        respond(Response::Text(200, std::to_string(request.body.size())));
    });
    server.Start();

    auto at_limit = Fetch("127.0.0.1", server.BoundPort(), "POST", "/upload", std::string(1024, 'a'));
    ASSERT_TRUE(at_limit.ok()) << at_limit.error().message;
    EXPECT_EQ(at_limit->status, 200);
    EXPECT_EQ(at_limit->body, "1024");

    auto too_big = Fetch("127.0.0.1", server.BoundPort(), "POST", "/upload", std::string(100 * 1024, 'a'));
    ASSERT_TRUE(too_big.ok()) << too_big.error().message;
    EXPECT_EQ(too_big->status, 413);
    EXPECT_EQ(HeaderOf(*too_big, "content-type"), "application/json");
    EXPECT_THAT(too_big->body, HasSubstr(R"("error":"payload_too_large")"));
    EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServer, RefusalsAreReportedToOnRejectedButHandlerAnswersAreNot) {
    ServerOptions options = Options();
    options.max_body_bytes = 16;
    std::mutex mu;
    std::vector<int> rejected;
    options.on_rejected = [&](int status) {
        std::lock_guard lock(mu);
        rejected.push_back(status);
    };
    Server server(options);
    server.Route("POST", "/x", [](Request, Respond respond) { respond(Response::JsonError(422, "nope", "no")); });
    server.Start();

    EXPECT_EQ(Fetch("127.0.0.1", server.BoundPort(), "POST", "/x", "small")->status, 422);
    EXPECT_EQ(Fetch("127.0.0.1", server.BoundPort(), "POST", "/x", std::string(100, 'a'))->status, 413);
    EXPECT_EQ(Get(server, "/missing")->status, 404);
    EXPECT_EQ(Get(server, "/x")->status, 405);
    server.Stop();
    std::lock_guard lock(mu);
    EXPECT_EQ(rejected, (std::vector<int>{413, 404, 405}));
}

TEST(HttpServer, GarbageBytesGet400AndTheConnectionCloses) {
    Server server(Options());
    server.Start();
    RawConnection connection(server.BoundPort());
    connection.Send("\x16\x03\x01\x02 not http at all\r\n\r\n");
    auto response = connection.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 400);
    EXPECT_THAT(response->body, HasSubstr(R"("error":"bad_request")"));
    EXPECT_TRUE(connection.WaitForClose());
}

TEST(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
    Server server(Options());
    std::atomic<int> calls{0};
    server.Route("GET", "/n", [&](Request, Respond respond) {
        respond(Response::Text(200, std::to_string(++calls)));
    });
    server.Start();

    RawConnection connection(server.BoundPort());
    connection.Send("GET /n HTTP/1.1\r\nHost: x\r\n\r\n");
    auto first = connection.ReadResponse();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->body, "1");
    EXPECT_THAT(first->head, ::testing::Not(HasSubstr("close")));

    connection.Send("GET /n HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    auto second = connection.ReadResponse();
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->body, "2");
    EXPECT_THAT(second->head, HasSubstr("Connection: close"));
    EXPECT_TRUE(connection.WaitForClose());
}

TEST(HttpServer, RespondFromAnotherThreadLater) {
    Server server(Options(1));
    std::promise<Respond> parked;
    server.Route("GET", "/slow", [&](Request, Respond respond) { parked.set_value(std::move(respond)); });
    server.Start();

    auto fetch = std::async(std::launch::async, [&] { return Get(server, "/slow"); });
    auto respond_future = parked.get_future();
    ASSERT_EQ(respond_future.wait_for(kDeadline), std::future_status::ready);
    Respond respond = respond_future.get();
    // The handler has returned; the client is still waiting for its answer.
    EXPECT_EQ(fetch.wait_for(0s), std::future_status::timeout);

    std::thread([respond] { respond(Response::Json(202, R"({"later":true})")); }).join();
    ASSERT_EQ(fetch.wait_for(kDeadline), std::future_status::ready);
    auto got = fetch.get();
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->status, 202);
    EXPECT_EQ(got->body, R"({"later":true})");
}

TEST(HttpServer, SecondRespondIsIgnoredAndTheConnectionStaysClean) {
    Server server(Options());
    server.Route("GET", "/twice", [](Request, Respond respond) {
        respond(Response::Text(200, "first"));
        respond(Response::Text(500, "second"));
    });
    server.Start();

    RawConnection connection(server.BoundPort());
    for (int i = 0; i < 2; ++i) {
        connection.Send("GET /twice HTTP/1.1\r\nHost: x\r\n\r\n");
        auto response = connection.ReadResponse();
        ASSERT_TRUE(response.has_value());
        EXPECT_EQ(response->status, 200);
        EXPECT_EQ(response->body, "first");
    }
}

TEST(HttpServer, ThrowingHandlerGets500AndDroppedRespondGets500) {
    Server server(Options());
    server.Route("GET", "/throws",
                 [](Request, Respond) -> void { throw std::runtime_error("secret detail"); });
    server.Route("GET", "/drops", [](Request, Respond) {});
    server.Start();

    auto thrown = Get(server, "/throws");
    ASSERT_TRUE(thrown.ok()) << thrown.error().message;
    EXPECT_EQ(thrown->status, 500);
    EXPECT_THAT(thrown->body, HasSubstr(R"("error":"internal")"));
    EXPECT_THAT(thrown->body, ::testing::Not(HasSubstr("secret detail")));

    auto dropped = Get(server, "/drops");
    ASSERT_TRUE(dropped.ok()) << dropped.error().message;
    EXPECT_EQ(dropped->status, 500);
}

TEST(HttpServer, StopWaitsForAnInFlightRequest) {
    Server server(Options());
    std::promise<Respond> parked;
    server.Route("GET", "/slow", [&](Request, Respond respond) { parked.set_value(std::move(respond)); });
    server.Start();

    auto fetch = std::async(std::launch::async, [&] { return Get(server, "/slow"); });
    auto respond_future = parked.get_future();
    ASSERT_EQ(respond_future.wait_for(kDeadline), std::future_status::ready);
    Respond respond = respond_future.get();

    std::atomic<bool> responded{false};
    auto stop = std::async(std::launch::async, [&] {
        server.Stop(10s);
        return responded.load();
    });
    // Stop must still be draining: the request has not been answered.
    EXPECT_EQ(stop.wait_for(100ms), std::future_status::timeout);
    responded = true;
    respond(Response::Text(200, "drained"));

    ASSERT_EQ(stop.wait_for(kDeadline), std::future_status::ready);
    EXPECT_TRUE(stop.get()) << "Stop returned before the in-flight request was answered";
    ASSERT_EQ(fetch.wait_for(kDeadline), std::future_status::ready);
    auto got = fetch.get();
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->body, "drained");
    EXPECT_EQ(HeaderOf(*got, "connection"), "close");

    server.Stop();  // a second Stop is a no-op
}

TEST(HttpServer, StopIsBoundedWhenAHandlerNeverResponds) {
    Server server(Options());
    std::promise<Respond> parked;
    server.Route("GET", "/never", [&](Request, Respond respond) { parked.set_value(std::move(respond)); });
    server.Start();

    auto fetch = std::async(std::launch::async, [&] { return Get(server, "/never"); });
    auto respond_future = parked.get_future();
    ASSERT_EQ(respond_future.wait_for(kDeadline), std::future_status::ready);
    Respond respond = respond_future.get();

    const auto start = std::chrono::steady_clock::now();
    server.Stop(200ms);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    server.Stop(200ms);

    // Answering after Stop is dropped quietly: no crash, no hang.
    respond(Response::Text(200, "too late"));
    ASSERT_EQ(fetch.wait_for(kDeadline), std::future_status::ready);
    auto got = fetch.get();
    EXPECT_FALSE(got.ok());
}

TEST(HttpServer, StopBeforeStartAndNewConnectionsAfterStop) {
    {
        Server never_started(Options());
        never_started.Stop();
    }
    Server server(Options());
    server.Route("GET", "/x", [](Request, Respond respond) { respond(Response::Text(200, "x")); });
    server.Start();
    const std::uint16_t port = server.BoundPort();
    ASSERT_TRUE(Get(server, "/x").ok());
    server.Stop();
    auto after = Fetch("127.0.0.1", port, "GET", "/x", {}, {}, 2s);
    ASSERT_FALSE(after.ok());
    EXPECT_TRUE(after.error().retryable);
}

}  // namespace
}  // namespace switchboard::http
