#include "switchboard/http/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>

namespace switchboard::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kMaxResponseBody = 64ULL * 1024 * 1024;
// Send has no timeout parameter; a peer that stops reading for this long is treated as gone.
constexpr std::chrono::seconds kWebSocketWriteTimeout{10};
constexpr std::chrono::seconds kWebSocketCloseTimeout{2};

Error IoError(const std::string& what, const std::string& where, const beast::error_code& ec) {
    if (ec == beast::error::timeout) return Error::Retryable(what + " " + where + ": timed out");
    // A malformed response will be malformed next time too; network trouble may pass.
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category()) {
        return Error::Fatal(what + " " + where + ": " + ec.message());
    }
    return Error::Retryable(what + " " + where + ": " + ec.message());
}

// Runs `ioc` until `done()` or `deadline`; true if `done()`. The io_context is left restartable.
template <typename Pred>
bool RunUntil(net::io_context& ioc, Pred done, Clock::time_point deadline) {
    while (!done()) {
        if (ioc.stopped()) ioc.restart();
        if (ioc.run_one_until(deadline) == 0) {
            // Either the deadline passed or there is no work left that could make `done()` true.
            return done();
        }
    }
    return true;
}

}  // namespace

Result<ClientResponse> Fetch(const std::string& host, std::uint16_t port, const std::string& method,
                             const std::string& target, const std::string& body,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             std::chrono::milliseconds timeout) {
    const std::string where = host + ":" + std::to_string(port) + " " + method + " " + target;
    const auto deadline = Clock::now() + timeout;
    net::io_context ioc;
    beast::error_code ec;

    tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return IoError("resolve", where, ec);

    // beast::tcp_stream enforces the deadline on asynchronous operations only, so each step is
    // started asynchronously and the io_context run until it completes (or times out).
    beast::tcp_stream stream(ioc);
    stream.expires_at(deadline);
    bool done = false;
    auto finished = [&] { return done; };
    stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
        ec = e;
        done = true;
    });
    RunUntil(ioc, finished, Clock::time_point::max());
    if (ec) return IoError("connect", where, ec);

    bhttp::request<bhttp::string_body> req;
    req.version(11);
    req.method_string(method);
    req.target(target);
    req.set(bhttp::field::host, host + ":" + std::to_string(port));
    req.set(bhttp::field::user_agent, "switchboard-http-client");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    req.prepare_payload();

    done = false;
    bhttp::async_write(stream, req, [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    RunUntil(ioc, finished, Clock::time_point::max());
    if (ec) return IoError("write", where, ec);

    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    done = false;
    bhttp::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    RunUntil(ioc, finished, Clock::time_point::max());
    if (ec) return IoError("read", where, ec);

    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);

    auto res = parser.release();
    ClientResponse response;
    response.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
        response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(res.body());
    return response;
}

// -------------------------------------------------------------------------------------------------

// Keeps one async_read outstanding between calls and runs the private io_context only inside
// Connect/Send/Read/Close. A Read that times out leaves that read pending, so nothing is lost and
// the connection stays usable; messages that arrive during Send are queued for the next Read.
class WebSocketClient::Impl {
public:
    net::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    beast::flat_buffer buffer;
    std::deque<std::string> inbox;
    bool reading = false;
    bool closed = false;

    void StartRead() {
        if (reading || closed) return;
        reading = true;
        ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
            reading = false;
            if (ec) {
                closed = true;
                return;
            }
            inbox.push_back(beast::buffers_to_string(buffer.data()));
            buffer.consume(buffer.size());
            StartRead();
        });
    }

    void CloseSocket() {
        closed = true;
        beast::error_code ignored;
        beast::get_lowest_layer(ws).socket().close(ignored);
        // Let the cancelled operations complete so no handler refers to a dead frame.
        RunUntil(ioc, [&] { return !reading; }, Clock::now() + kWebSocketCloseTimeout);
    }
};

Result<std::unique_ptr<WebSocketClient>> WebSocketClient::Connect(const std::string& host, std::uint16_t port,
                                                                  const std::string& target,
                                                                  std::chrono::milliseconds timeout) {
    const std::string where = "ws://" + host + ":" + std::to_string(port) + target;
    const auto deadline = Clock::now() + timeout;
    auto impl = std::make_unique<Impl>();
    beast::error_code ec;

    tcp::resolver resolver(impl->ioc);
    const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return IoError("resolve", where, ec);

    auto& lowest = beast::get_lowest_layer(impl->ws);
    lowest.expires_at(deadline);
    bool done = false;
    auto finished = [&] { return done; };
    lowest.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
        ec = e;
        done = true;
    });
    RunUntil(impl->ioc, finished, Clock::time_point::max());
    if (ec) return IoError("connect", where, ec);

    impl->ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(bhttp::field::user_agent, "switchboard-websocket-client");
    }));
    websocket::response_type upgrade_response;
    done = false;
    impl->ws.async_handshake(upgrade_response, host + ":" + std::to_string(port), target,
                             [&](beast::error_code e) {
                                 ec = e;
                                 done = true;
                             });
    RunUntil(impl->ioc, finished, Clock::time_point::max());
    if (ec == websocket::error::upgrade_declined) {
        return Error::Fatal("websocket handshake " + where + ": declined with HTTP " +
                            std::to_string(upgrade_response.result_int()) + " " + upgrade_response.body());
    }
    if (ec) return IoError("websocket handshake", where, ec);
    // From here on the deadlines are per call (Read's timeout), not the stream's.
    lowest.expires_never();
    impl->ws.text(true);
    return std::unique_ptr<WebSocketClient>(new WebSocketClient(std::move(impl)));
}

WebSocketClient::WebSocketClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebSocketClient::~WebSocketClient() { Close(); }

Status WebSocketClient::Send(const std::string& text) {
    Impl& impl = *impl_;
    if (impl.closed) return Error::Retryable("websocket send: the connection is closed");
    bool done = false;
    beast::error_code ec;
    impl.ws.async_write(net::buffer(text), [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    // Keep reading meanwhile: the server's pings and close frames are answered by the read side.
    impl.StartRead();
    if (!RunUntil(impl.ioc, [&] { return done; }, Clock::now() + kWebSocketWriteTimeout)) {
        impl.CloseSocket();
        RunUntil(impl.ioc, [&] { return done; }, Clock::now() + kWebSocketCloseTimeout);
        return Error::Retryable("websocket send: timed out; connection closed");
    }
    if (ec) {
        impl.CloseSocket();
        return Error::Retryable("websocket send: " + ec.message());
    }
    return Status::Ok();
}

std::optional<std::string> WebSocketClient::Read(std::chrono::milliseconds timeout) {
    Impl& impl = *impl_;
    if (impl.inbox.empty() && !impl.closed) {
        impl.StartRead();
        RunUntil(impl.ioc, [&] { return !impl.inbox.empty() || impl.closed; }, Clock::now() + timeout);
    }
    if (impl.inbox.empty()) return std::nullopt;
    std::string message = std::move(impl.inbox.front());
    impl.inbox.pop_front();
    return message;
}

void WebSocketClient::Close() {
    Impl& impl = *impl_;
    if (impl.closed) return;
    bool done = false;
    // With a read pending, that read sees the server's close frame and ends; without one, the
    // close operation reads until it arrives.
    impl.ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
    const auto deadline = Clock::now() + kWebSocketCloseTimeout;
    if (!RunUntil(impl.ioc, [&] { return done && !impl.reading; }, deadline)) {
        impl.CloseSocket();
        RunUntil(impl.ioc, [&] { return done; }, Clock::now() + kWebSocketCloseTimeout);
    }
    impl.closed = true;
}

}  // namespace switchboard::http
