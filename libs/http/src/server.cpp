#include "switchboard/http/server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "router.hpp"

namespace switchboard::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using BeastRequest = bhttp::request<bhttp::string_body>;

// After an error response or "Connection: close" we stop sending, then read and discard for a
// while before closing: closing a socket with unread input makes the kernel send RST, which can
// destroy our response before the client reads it (e.g. a 413 sent while the body is in flight).
constexpr std::chrono::seconds kLingerTimeout{2};
// After the drain deadline, WebSockets that ignored the close handshake are cut; their read loops
// then end (and on_close runs) almost at once. This bounds that last wait.
constexpr std::chrono::milliseconds kForceCloseGrace{500};
// A WebSocket client that stops reading must not make the server buffer without bound.
constexpr std::size_t kMaxQueuedMessages = 4096;

// io_context whose queued handlers can be destroyed after its threads are joined. Handlers may
// own sessions that own a reference back to the context (a cycle through shared_ptr); this is
// the same cleanup ~io_context does, only earlier.
class IoContext : public net::io_context {
public:
    using net::io_context::io_context;
    void DestroyPendingHandlers() { shutdown(); }
};

// Something Stop() must reach: an HTTP connection or a WebSocket. Methods run on its strand.
class Session {
public:
    virtual ~Session() = default;
    virtual net::any_io_executor Executor() const = 0;
    // Finish what is in progress, then close.
    virtual void BeginShutdown() = 0;
    // Close the socket now.
    virtual void ForceClose() = 0;
};

// State shared by the server and every session. Sessions can outlive the Server object (a
// handler may hold a Respond, a service may hold a WebSocketConnection), so they share it.
class Core {
public:
    explicit Core(int threads) : ioc(threads) {}

    IoContext ioc;

    // Registers a live session; std::nullopt once stopping (the caller then closes itself).
    std::optional<std::uint64_t> Register(const std::shared_ptr<Session>& session, bool websocket) {
        std::lock_guard lock(mu_);
        if (stopping_) return std::nullopt;
        const std::uint64_t id = next_id_++;
        sessions_.emplace(id, session);
        if (websocket) ++ws_live_;
        return id;
    }
    void Unregister(std::uint64_t id) {
        std::lock_guard lock(mu_);
        sessions_.erase(id);
    }
    void WebSocketEnded() {
        std::lock_guard lock(mu_);
        --ws_live_;
        cv_.notify_all();
    }
    bool BeginRequest() {
        std::lock_guard lock(mu_);
        if (stopping_) return false;
        ++in_flight_;
        return true;
    }
    void EndRequest() {
        std::lock_guard lock(mu_);
        --in_flight_;
        cv_.notify_all();
    }
    bool Stopping() {
        std::lock_guard lock(mu_);
        return stopping_;
    }

    // Posts `fn` unless the server has stopped: once the threads are gone nothing would run it,
    // and a queued handler holding a session would keep this Core alive in a cycle.
    template <typename Fn>
    bool Post(const net::any_io_executor& executor, Fn&& fn) {
        std::lock_guard lock(mu_);
        if (stopped_) return false;
        net::post(executor, std::forward<Fn>(fn));
        return true;
    }

    std::vector<std::shared_ptr<Session>> BeginStopping() {
        std::lock_guard lock(mu_);
        stopping_ = true;
        return LiveSessions();
    }
    std::vector<std::shared_ptr<Session>> Snapshot() {
        std::lock_guard lock(mu_);
        return LiveSessions();
    }
    // True if requests and WebSockets finished before `deadline`.
    bool WaitIdle(Clock::time_point deadline, bool include_requests) {
        std::unique_lock lock(mu_);
        return cv_.wait_until(lock, deadline,
                              [&] { return ws_live_ == 0 && (!include_requests || in_flight_ == 0); });
    }
    void MarkStopped() {
        std::lock_guard lock(mu_);
        stopped_ = true;
    }

private:
    std::vector<std::shared_ptr<Session>> LiveSessions() {
        std::vector<std::shared_ptr<Session>> live;
        for (const auto& [id, weak] : sessions_) {
            if (auto session = weak.lock()) live.push_back(std::move(session));
        }
        return live;
    }

    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;  // no new connections or requests
    bool stopped_ = false;   // threads gone: nothing is posted any more
    int in_flight_ = 0;      // requests whose response is not written yet
    int ws_live_ = 0;
    std::uint64_t next_id_ = 1;
    std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions_;
};

bool IsHttpProtocolError(const beast::error_code& ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Moves the body out of `req`; the rest stays for a WebSocket handshake.
Request MakeRequest(BeastRequest& req, const std::string& remote) {
    Request request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    for (const auto& field : req) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(req.body());
    request.remote_address = remote;
    return request;
}

// ---------------------------------------------------------------------------------------------
// WebSocket

class WsSession final : public Session,
                        public WebSocketConnection,
                        public std::enable_shared_from_this<WsSession> {
public:
    WsSession(beast::tcp_stream stream, std::shared_ptr<Core> core,
              std::shared_ptr<const detail::Router> router, const WebSocketHandlers* handlers,
              BeastRequest upgrade, Request request, std::size_t max_message)
        : core_(std::move(core)),
          router_(std::move(router)),
          ws_(std::move(stream)),
          executor_(ws_.get_executor()),
          handlers_(handlers),
          upgrade_(std::move(upgrade)),
          request_(std::move(request)),
          max_message_(max_message) {}

    ~WsSession() override {
        if (id_ != 0) core_->Unregister(id_);
    }

    // On the strand.
    void Start() {
        auto id = core_->Register(shared_from_this(), /*websocket=*/true);
        if (!id) {
            beast::error_code ignored;
            beast::get_lowest_layer(ws_).socket().close(ignored);
            return;
        }
        id_ = *id;
        beast::get_lowest_layer(ws_).expires_never();  // the websocket stream has its own timeouts
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(bhttp::field::server, "switchboard"); }));
        ws_.read_message_max(max_message_);
        ws_.async_accept(upgrade_, [self = shared_from_this()](beast::error_code ec) { self->OnAccept(ec); });
    }

    void Send(std::string text) override {
        core_->Post(executor_, [self = shared_from_this(), text = std::move(text)]() mutable {
            self->Enqueue(std::move(text));
        });
    }

    void Close() override {
        core_->Post(executor_,
                    [self = shared_from_this()] { self->RequestClose(websocket::close_code::normal); });
    }

    std::uint64_t id() const override { return id_; }

    net::any_io_executor Executor() const override { return executor_; }
    void BeginShutdown() override { RequestClose(websocket::close_code::going_away); }
    void ForceClose() override {
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

private:
    void OnAccept(beast::error_code ec) {
        if (ec) {
            spdlog::debug("http: websocket handshake on {} failed: {}", request_.path, ec.message());
            Finish();
            return;
        }
        accepted_ = true;
        if (handlers_->on_open) {
            try {
                handlers_->on_open(request_, shared_from_this());
            } catch (const std::exception& e) {
                spdlog::error("http: websocket on_open for {} threw: {}", request_.path, e.what());
                RequestClose(websocket::close_code::internal_error);
            }
        }
        DoRead();
    }

    void DoRead() {
        ws_.async_read(read_buffer_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
    }

    void OnRead(beast::error_code ec) {
        if (ec) {
            if (ec != websocket::error::closed && ec != net::error::operation_aborted) {
                spdlog::debug("http: websocket {} read ended: {}", id_, ec.message());
            }
            Finish();
            return;
        }
        std::string message = beast::buffers_to_string(read_buffer_.data());
        read_buffer_.consume(read_buffer_.size());
        if (handlers_->on_message) {
            try {
                handlers_->on_message(shared_from_this(), std::move(message));
            } catch (const std::exception& e) {
                spdlog::error("http: websocket on_message for {} threw: {}", request_.path, e.what());
            }
        }
        DoRead();
    }

    void Enqueue(std::string text) {
        if (finished_ || close_requested_) return;
        if (queue_.size() >= kMaxQueuedMessages) {
            spdlog::warn("http: websocket {} has {} unsent messages; closing the slow client", id_,
                         queue_.size());
            queue_.clear();
            RequestClose(websocket::close_code::try_again_later);
            return;
        }
        queue_.push_back(std::move(text));
        if (!writing_) DoWrite();
    }

    void DoWrite() {
        writing_ = true;
        ws_.text(true);
        ws_.async_write(net::buffer(queue_.front()),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            self->OnWrite(ec);
                        });
    }

    void OnWrite(beast::error_code ec) {
        writing_ = false;
        if (ec) {
            queue_.clear();
            ForceClose();  // the read loop then ends and reports on_close
            return;
        }
        queue_.pop_front();
        if (!queue_.empty()) {
            DoWrite();
        } else if (close_requested_ && !closing_) {
            DoClose();
        }
    }

    void RequestClose(websocket::close_code code) {
        if (finished_ || close_requested_) return;
        close_requested_ = true;
        close_code_ = code;
        // Before the handshake there is nothing to close gracefully.
        if (!accepted_) return ForceClose();
        if (!writing_) DoClose();
    }

    void DoClose() {
        closing_ = true;
        ws_.async_close(close_code_, [self = shared_from_this()](beast::error_code ec) {
            if (ec) self->ForceClose();
        });
    }

    void Finish() {
        if (finished_) return;
        finished_ = true;
        queue_.clear();
        if (accepted_ && handlers_->on_close) {
            try {
                handlers_->on_close(shared_from_this());
            } catch (const std::exception& e) {
                spdlog::error("http: websocket on_close for {} threw: {}", request_.path, e.what());
            }
        }
        if (id_ != 0) core_->WebSocketEnded();
    }

    // Declared first so it is destroyed last: the stream must go before the io_context it uses.
    const std::shared_ptr<Core> core_;
    const std::shared_ptr<const detail::Router> router_;  // owns *handlers_
    websocket::stream<beast::tcp_stream> ws_;
    const net::any_io_executor executor_;
    const WebSocketHandlers* handlers_;
    BeastRequest upgrade_;
    const Request request_;
    const std::size_t max_message_;
    std::uint64_t id_ = 0;

    // Strand-only state.
    beast::flat_buffer read_buffer_;
    std::deque<std::string> queue_;
    bool accepted_ = false;
    bool writing_ = false;
    bool close_requested_ = false;
    bool closing_ = false;
    bool finished_ = false;
    websocket::close_code close_code_ = websocket::close_code::normal;
};

// ---------------------------------------------------------------------------------------------
// HTTP

class HttpSession final : public Session, public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket socket, std::shared_ptr<Core> core, std::shared_ptr<const detail::Router> router,
                const ServerOptions& options)
        : core_(std::move(core)),
          router_(std::move(router)),
          stream_(std::move(socket)),
          executor_(stream_.get_executor()),
          max_body_(options.max_body_bytes),
          timeout_(options.read_timeout),
          on_rejected_(options.on_rejected),
          on_handled_(options.on_handled) {
        beast::error_code ec;
        const auto endpoint = stream_.socket().remote_endpoint(ec);
        if (!ec) remote_ = endpoint.address().to_string();
        stream_.socket().set_option(tcp::no_delay(true), ec);
    }

    ~HttpSession() override {
        if (id_ != 0) core_->Unregister(id_);
    }

    // From the acceptor's strand.
    void Start() {
        auto id = core_->Register(shared_from_this(), /*websocket=*/false);
        if (!id) {
            beast::error_code ignored;
            stream_.socket().close(ignored);
            return;
        }
        id_ = *id;
        net::dispatch(executor_, [self = shared_from_this()] { self->DoRead(); });
    }

    // Any thread. Exactly once per dispatched request (PendingResponse guarantees it).
    void Deliver(Response response) {
        auto write = [self = shared_from_this(), r = std::move(response)]() mutable {
            self->Write(std::move(r), /*counted=*/true);
        };
        const bool posted = core_->Post(executor_, std::move(write));
        if (!posted) core_->EndRequest();
    }

    net::any_io_executor Executor() const override { return executor_; }

    void BeginShutdown() override {
        shutting_down_ = true;
        if (state_ == State::kReading) ForceClose();
    }

    void ForceClose() override {
        if (state_ == State::kDone) return;  // the socket may belong to a WebSocket now
        beast::error_code ignored;
        stream_.socket().close(ignored);
    }

private:
    enum class State { kReading, kHandling, kWriting, kLingering, kDone };

    void DoRead() {
        if (shutting_down_) return Finish();
        state_ = State::kReading;
        parser_.emplace();
        parser_->body_limit(max_body_);
        stream_.expires_after(timeout_);
        bhttp::async_read(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              self->OnRead(ec);
                          });
    }

    void OnRead(beast::error_code ec) {
        if (ec == bhttp::error::end_of_stream) return CloseGracefully();
        if (ec == bhttp::error::body_limit) {
            keep_alive_ = false;
            version_ = parser_->get().version();
            return Write(Response::JsonError(413, "payload_too_large",
                                             "request body exceeds " + std::to_string(max_body_) + " bytes"),
                         /*counted=*/false);
        }
        if (ec == bhttp::error::header_limit) {
            keep_alive_ = false;
            return Write(Response::JsonError(431, "headers_too_large", "request headers are too large"),
                         /*counted=*/false);
        }
        if (ec && IsHttpProtocolError(ec) && ec != bhttp::error::partial_message) {
            keep_alive_ = false;
            return Write(Response::JsonError(400, "bad_request", "malformed HTTP request: " + ec.message()),
                         /*counted=*/false);
        }
        if (ec) return Finish();  // timeout, reset, aborted by Stop: nobody to answer
        Dispatch(parser_->release());
    }

    void Dispatch(BeastRequest req) {
        version_ = req.version();
        keep_alive_ = req.keep_alive();
        Request request = MakeRequest(req, remote_);

        const std::string_view target = request.target;
        const std::size_t question = target.find('?');
        const std::string_view raw_path = target.substr(0, question);
        auto segments = detail::SplitPath(raw_path);
        auto path = detail::PercentDecode(raw_path, false);
        auto query = detail::ParseQuery(question == std::string_view::npos ? std::string_view()
                                                                            : target.substr(question + 1));
        if (!segments || !path || !query) {
            return Write(Response::JsonError(400, "bad_request", "malformed request target"), false);
        }
        request.path = std::move(*path);
        request.query = std::move(*query);

        auto match = router_->Find(request.method, *segments, websocket::is_upgrade(req));
        using Kind = detail::Router::Match::Kind;
        switch (match.kind) {
            case Kind::kNotFound:
                return Write(Response::JsonError(404, "not_found", "no route for " + request.path), false);
            case Kind::kMethodNotAllowed: {
                auto response = Response::JsonError(405, "method_not_allowed",
                                                    request.method + " is not allowed on " + request.path);
                response.headers.emplace_back("Allow", match.allow);
                return Write(std::move(response), false);
            }
            case Kind::kUpgradeRequired: {
                auto response =
                    Response::JsonError(426, "upgrade_required", request.path + " is a WebSocket");
                response.headers.emplace_back("Upgrade", "websocket");
                return Write(std::move(response), false);
            }
            case Kind::kWebSocket:
                request.params = std::move(match.params);
                return Upgrade(std::move(req), std::move(request), match.websocket);
            case Kind::kHandler:
                request.params = std::move(match.params);
                return Handle(*match.handler, std::move(request), match.pattern != nullptr ? *match.pattern : "");
        }
    }

    void Upgrade(BeastRequest req, Request request, const WebSocketHandlers* handlers) {
        if (core_->Stopping()) {
            keep_alive_ = false;
            return Write(Response::JsonError(503, "shutting_down", "the server is stopping"), false);
        }
        state_ = State::kDone;
        stream_.expires_never();
        // The WebSocket takes the socket (and the strand with it); this session ends here.
        auto ws = std::make_shared<WsSession>(std::move(stream_), core_, router_, handlers, std::move(req),
                                              std::move(request), max_body_);
        ws->Start();
    }

    // Owns the obligation to answer: the last copy of a Respond that was never called answers 500,
    // so a buggy handler cannot leak the connection or hang Stop().
    struct PendingResponse {
        std::shared_ptr<HttpSession> session;
        std::string what;  // "GET /x", for logs
        std::string method;
        std::string route;  // the pattern
        std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
        std::atomic<bool> done{false};

        bool TryDeliver(Response response) {
            if (done.exchange(true)) return false;
            if (session->on_handled_) {
                const int status = response.status;
                session->on_handled_(method, route, status,
                                     std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
            }
            session->Deliver(std::move(response));
            return true;
        }
        ~PendingResponse() {
            if (!done.exchange(true)) {
                spdlog::error("http: handler for {} dropped its Respond without calling it", what);
                session->Deliver(Response::JsonError(500, "internal", "the handler did not respond"));
            }
        }
    };

    void Handle(const Handler& handler, Request request, const std::string& route) {
        if (!core_->BeginRequest()) {
            keep_alive_ = false;
            return Write(Response::JsonError(503, "shutting_down", "the server is stopping"), false);
        }
        state_ = State::kHandling;
        auto pending = std::make_shared<PendingResponse>();
        pending->session = shared_from_this();
        pending->what = request.method + " " + request.path;
        pending->method = request.method;
        pending->route = route;
        Respond respond = [pending](Response response) {
            if (!pending->TryDeliver(std::move(response))) {
                spdlog::warn("http: Respond for {} called more than once; ignored", pending->what);
            }
        };
        try {
            handler(std::move(request), std::move(respond));
        } catch (const std::exception& e) {
            spdlog::error("http: handler for {} threw: {}", pending->what, e.what());
            pending->TryDeliver(Response::JsonError(500, "internal", "internal error"));
        } catch (...) {
            spdlog::error("http: handler for {} threw a non-std exception", pending->what);
            pending->TryDeliver(Response::JsonError(500, "internal", "internal error"));
        }
    }

    // On the strand. `counted`: this answers a request that BeginRequest counted as in flight.
    void Write(Response response, bool counted) {
        // Uncounted writes are the server's own refusals; handlers' answers are counted.
        if (!counted && on_rejected_ && response.status >= 400) on_rejected_(response.status);
        if (state_ == State::kDone) {  // socket already gone (cannot happen for counted writes)
            if (counted) core_->EndRequest();
            return;
        }
        auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
        res->version(version_);
        if (response.status < 100 || response.status > 599) {
            spdlog::error("http: handler returned invalid status {}; sending 500", response.status);
            response = Response::JsonError(500, "internal", "internal error");
        }
        res->result(static_cast<unsigned>(response.status));
        res->set(bhttp::field::server, "switchboard");
        if (!response.content_type.empty()) res->set(bhttp::field::content_type, response.content_type);
        for (const auto& [name, value] : response.headers) {
            if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) {
                spdlog::error("http: dropping response header with a line break or empty name: {}", name);
                continue;
            }
            res->insert(name, value);
        }
        res->body() = std::move(response.body);
        res->keep_alive(keep_alive_ && !shutting_down_);
        res->prepare_payload();

        state_ = State::kWriting;
        stream_.expires_after(timeout_);
        auto on_write = [self = shared_from_this(), res, counted](beast::error_code ec, std::size_t) {
            self->OnWrite(ec, res->need_eof(), counted);
        };
        bhttp::async_write(stream_, *res, std::move(on_write));
    }

    void OnWrite(beast::error_code ec, bool close, bool counted) {
        if (counted) core_->EndRequest();
        if (ec) return Finish();
        if (close || shutting_down_) return CloseGracefully();
        DoRead();
    }

    void CloseGracefully() {
        state_ = State::kLingering;
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.expires_after(kLingerTimeout);
        DrainInput();
    }

    void DrainInput() {
        stream_.async_read_some(net::buffer(drain_buffer_),
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    if (ec) return self->Finish();
                                    self->DrainInput();
                                });
    }

    void Finish() {
        state_ = State::kDone;
        beast::error_code ignored;
        stream_.socket().close(ignored);
    }

    // Declared first so it is destroyed last: the socket must go before the io_context it uses.
    const std::shared_ptr<Core> core_;
    const std::shared_ptr<const detail::Router> router_;
    beast::tcp_stream stream_;
    const net::any_io_executor executor_;
    const std::size_t max_body_;
    const std::chrono::milliseconds timeout_;
    const std::function<void(int)> on_rejected_;
    const std::function<void(const std::string&, const std::string&, int, double)> on_handled_;
    std::string remote_;
    std::uint64_t id_ = 0;

    // Strand-only state.
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::array<char, 4096> drain_buffer_{};
    State state_ = State::kReading;
    unsigned version_ = 11;
    bool keep_alive_ = true;
    bool shutting_down_ = false;
};

// ---------------------------------------------------------------------------------------------
// Acceptor

class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(std::shared_ptr<Core> core, std::shared_ptr<const detail::Router> router, ServerOptions options)
        : core_(std::move(core)),
          router_(std::move(router)),
          options_(std::move(options)),
          acceptor_(net::make_strand(core_->ioc)),
          retry_timer_(acceptor_.get_executor()) {}

    // Throws std::runtime_error naming the address.
    std::uint16_t Bind() {
        const std::string address = options_.host + ":" + std::to_string(options_.port);
        auto fail = [&](const char* step, const beast::error_code& ec) {
            return std::runtime_error("http server: cannot " + std::string(step) + " " + address + ": " +
                                      ec.message());
        };
        beast::error_code ec;
        tcp::resolver resolver(core_->ioc);
        auto results = resolver.resolve(options_.host, std::to_string(options_.port),
                                        tcp::resolver::passive | tcp::resolver::numeric_service, ec);
        if (ec) throw fail("resolve", ec);
        if (results.empty()) throw std::runtime_error("http server: no address for " + address);
        const tcp::endpoint endpoint = results.begin()->endpoint();
        acceptor_.open(endpoint.protocol(), ec);
        if (ec) throw fail("open a socket for", ec);
        acceptor_.set_option(net::socket_base::reuse_address(true), ec);
        if (ec) throw fail("set SO_REUSEADDR on", ec);
        acceptor_.bind(endpoint, ec);
        if (ec) throw fail("bind", ec);
        acceptor_.listen(net::socket_base::max_listen_connections, ec);
        if (ec) throw fail("listen on", ec);
        return acceptor_.local_endpoint().port();
    }

    void Run() {
        net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->DoAccept(); });
    }

    void Close() {
        net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
            beast::error_code ignored;
            self->acceptor_.close(ignored);
            self->retry_timer_.cancel();
        });
    }

private:
    void DoAccept() {
        acceptor_.async_accept(net::make_strand(core_->ioc),
                               [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                                   self->OnAccept(ec, std::move(socket));
                               });
    }

    void OnAccept(beast::error_code ec, tcp::socket socket) {
        if (!acceptor_.is_open() || ec == net::error::operation_aborted) return;
        if (ec) {
            // E.g. out of file descriptors: retrying at once would spin.
            spdlog::warn("http: accept on port {} failed: {}", options_.port, ec.message());
            retry_timer_.expires_after(std::chrono::milliseconds(50));
            retry_timer_.async_wait([self = shared_from_this()](beast::error_code timer_ec) {
                if (!timer_ec && self->acceptor_.is_open()) self->DoAccept();
            });
            return;
        }
        std::make_shared<HttpSession>(std::move(socket), core_, router_, options_)->Start();
        DoAccept();
    }

    const std::shared_ptr<Core> core_;
    const std::shared_ptr<const detail::Router> router_;
    const ServerOptions options_;
    tcp::acceptor acceptor_;
    net::steady_timer retry_timer_;
};

}  // namespace

// -------------------------------------------------------------------------------------------------

class Server::Impl {
public:
    explicit Impl(ServerOptions options) : options_(std::move(options)) {
        if (options_.threads < 1) {
            throw std::invalid_argument("http::ServerOptions.threads must be at least 1, got " +
                                        std::to_string(options_.threads));
        }
        if (options_.max_body_bytes == 0) {
            throw std::invalid_argument("http::ServerOptions.max_body_bytes must be positive");
        }
    }

    ~Impl() { Stop(std::chrono::seconds(5)); }

    void Route(std::string method, std::string pattern, Handler handler) {
        RequireNotStarted("Route");
        router_.Add(std::move(method), pattern, std::move(handler));
    }

    void WebSocket(std::string pattern, WebSocketHandlers handlers) {
        RequireNotStarted("WebSocket");
        router_.AddWebSocket(pattern, std::move(handlers));
    }

    void Start() {
        std::lock_guard lock(mu_);
        if (state_ != State::kNew) throw std::logic_error("http::Server::Start called twice");
        core_ = std::make_shared<Core>(options_.threads);
        auto router = std::make_shared<const detail::Router>(std::move(router_));
        listener_ = std::make_shared<Listener>(core_, std::move(router), options_);
        try {
            bound_port_ = listener_->Bind();
        } catch (...) {
            // Nothing runs yet; drop everything so the destructor has nothing to stop.
            listener_.reset();
            core_.reset();
            state_ = State::kStopped;
            throw;
        }
        // Without pending I/O (acceptor closed, every request waiting for its Respond) run()
        // would return and the threads would leave before the answers come.
        work_.emplace(core_->ioc.get_executor());
        listener_->Run();
        threads_.reserve(static_cast<std::size_t>(options_.threads));
        for (int i = 0; i < options_.threads; ++i) {
            threads_.emplace_back([core = core_] { RunLoop(*core); });
        }
        state_ = State::kRunning;
    }

    void Stop(std::chrono::milliseconds drain) {
        std::lock_guard lock(mu_);
        if (state_ != State::kRunning) {
            state_ = State::kStopped;
            return;
        }
        const auto deadline = Clock::now() + drain;

        listener_->Close();
        for (const auto& session : core_->BeginStopping()) {
            net::post(session->Executor(), [session] { session->BeginShutdown(); });
        }
        if (!core_->WaitIdle(deadline, /*include_requests=*/true)) {
            spdlog::warn("http: stopping with requests or WebSockets still open after the {} ms drain",
                         drain.count());
            for (const auto& session : core_->Snapshot()) {
                net::post(session->Executor(), [session] { session->ForceClose(); });
            }
            core_->WaitIdle(Clock::now() + kForceCloseGrace, /*include_requests=*/false);
        }

        core_->MarkStopped();
        work_.reset();
        core_->ioc.stop();
        bool joined_all = true;
        for (auto& thread : threads_) {
            if (thread.get_id() == std::this_thread::get_id()) {
                // Stop() from a handler: this thread cannot join itself; it leaves run() next.
                thread.detach();
                joined_all = false;
            } else {
                thread.join();
            }
        }
        threads_.clear();
        if (joined_all) {
            core_->ioc.DestroyPendingHandlers();
            // What survives is held from outside (an unanswered Respond, a WebSocketConnection):
            // hang up on its peer now rather than whenever that reference goes away. No I/O
            // thread runs any more, so touching the sockets from here is safe.
            for (const auto& session : core_->Snapshot()) session->ForceClose();
        }
        listener_.reset();
        state_ = State::kStopped;
    }

    std::uint16_t BoundPort() const {
        std::lock_guard lock(mu_);
        return bound_port_;
    }

private:
    enum class State { kNew, kRunning, kStopped };

    static void RunLoop(Core& core) {
        // Handlers' exceptions are caught where they are called; anything reaching here is a bug
        // in this library, and losing an I/O thread silently would be worse than crashing loudly.
        core.ioc.run();
    }

    void RequireNotStarted(const char* what) {
        std::lock_guard lock(mu_);
        if (state_ != State::kNew) {
            throw std::logic_error(std::string("http::Server::") + what + " must be called before Start");
        }
    }

    const ServerOptions options_;
    mutable std::mutex mu_;
    State state_ = State::kNew;
    detail::Router router_;
    std::shared_ptr<Core> core_;
    std::shared_ptr<Listener> listener_;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
    std::vector<std::thread> threads_;
    std::uint16_t bound_port_ = 0;
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() = default;

void Server::Route(std::string method, std::string pattern, Handler handler) {
    impl_->Route(std::move(method), std::move(pattern), std::move(handler));
}
void Server::WebSocket(std::string pattern, WebSocketHandlers handlers) {
    impl_->WebSocket(std::move(pattern), std::move(handlers));
}
void Server::Start() { impl_->Start(); }
void Server::Stop(std::chrono::milliseconds drain) { impl_->Stop(drain); }
std::uint16_t Server::BoundPort() const { return impl_->BoundPort(); }

}  // namespace switchboard::http
