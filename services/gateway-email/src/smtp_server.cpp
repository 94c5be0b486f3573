#include "smtp_server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

namespace switchboard::gateway_email {

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using ErrorCode = boost::system::error_code;

// io_context whose queued handlers can be destroyed once its threads are joined: they own
// sessions that own the Core that owns this context (a cycle); ~io_context would do the same, later.
class IoContext : public net::io_context {
public:
    using net::io_context::io_context;
    void DestroyPendingHandlers() { shutdown(); }
};

class Session;

// State shared by the server and its sessions. A session can outlive the server object while a
// sink's `done` callback holds it; it then only reaches the Core, which refuses to post once stopped.
class Core {
public:
    Core(SmtpServer::Options o, RecipientPolicy r, MessageSink& s, SmtpObserver* obs)
        : ioc(o.threads), options(std::move(o)), recipients(std::move(r)), sink(s), observer(obs) {}

    IoContext ioc;
    const SmtpServer::Options options;
    const RecipientPolicy recipients;
    MessageSink& sink;
    SmtpObserver* const observer;

    // A registration id, or 0 when full or stopping (the caller refuses the connection).
    std::uint64_t Register(const std::shared_ptr<Session>& s, bool& full) {
        std::lock_guard lock(mu_);
        full = sessions_.size() >= options.max_connections;
        if (stopping_ || full) return 0;
        const std::uint64_t id = next_id_++;
        sessions_.emplace(id, s);
        return id;
    }
    void Unregister(std::uint64_t id) {
        std::lock_guard lock(mu_);
        sessions_.erase(id);
        cv_.notify_all();
    }
    std::size_t Open() {
        std::lock_guard lock(mu_);
        return sessions_.size();
    }
    std::vector<std::shared_ptr<Session>> BeginStopping() {
        std::lock_guard lock(mu_);
        stopping_ = true;
        return Live();
    }
    std::vector<std::shared_ptr<Session>> Snapshot() {
        std::lock_guard lock(mu_);
        return Live();
    }
    bool WaitEmpty(std::chrono::steady_clock::time_point deadline) {
        std::unique_lock lock(mu_);
        return cv_.wait_until(lock, deadline, [&] { return sessions_.empty(); });
    }
    template <typename Executor, typename Fn>
    bool Post(const Executor& executor, Fn&& fn) {
        std::lock_guard lock(mu_);
        if (stopped_) return false;
        net::post(executor, std::forward<Fn>(fn));
        return true;
    }
    void MarkStopped() {
        std::lock_guard lock(mu_);
        stopped_ = true;
    }

private:
    std::vector<std::shared_ptr<Session>> Live() {
        std::vector<std::shared_ptr<Session>> out;
        for (const auto& [id, weak] : sessions_) {
            if (auto s = weak.lock()) out.push_back(std::move(s));
        }
        return out;
    }

    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    bool stopped_ = false;
    std::uint64_t next_id_ = 1;
    std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions_;
};

// One connection. Every method runs on the socket's strand.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(std::shared_ptr<Core> core, tcp::socket socket)
        : core_(std::move(core)),
          socket_(std::move(socket)),
          timer_(socket_.get_executor()),
          protocol_(core_->options.dialect, core_->options.hostname, core_->options.limits, core_->recipients) {}

    ~Session() {
        if (id_ != 0 && !closed_) core_->Unregister(id_);
    }

    void Start(std::uint64_t id) {
        id_ = id;
        ErrorCode ec;
        const auto remote = socket_.remote_endpoint(ec);
        remote_ = ec ? "?" : remote.address().to_string() + ":" + std::to_string(remote.port());
        if (core_->observer != nullptr) core_->observer->OnSessionOpened(core_->options.dialect);
        spdlog::debug("{} session from {}", ToString(core_->options.dialect), remote_);
        Write(protocol_.Greeting());
        ReadMore();
    }

    void BeginShutdown() {
        shutdown_requested_ = true;
        if (closed_ || awaiting_) return;  // a delivering session says 421 after its outcome
        Apply(protocol_.OnShutdown());
    }

    void ForceClose() { Close(); }

    // Before Start, on the accepting strand: one non-blocking write (a fresh socket's buffer
    // takes it) and close, without counting a session.
    void Refuse(const std::string& reply) {
        closed_ = true;
        ErrorCode ignored;
        socket_.non_blocking(true, ignored);
        socket_.write_some(net::buffer(reply), ignored);
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

    net::any_io_executor Executor() { return socket_.get_executor(); }

private:
    void ReadMore() {
        if (reading_ || awaiting_ || closed_ || close_after_write_) return;
        reading_ = true;
        ArmTimer();
        socket_.async_read_some(net::buffer(buf_), [self = shared_from_this()](const ErrorCode& ec, std::size_t n) {
            self->reading_ = false;
            if (ec) {
                self->Close();
                return;
            }
            self->in_.append(self->buf_.data(), n);
            self->Process();
            self->ReadMore();
        });
    }

    void ArmTimer() {
        timer_.expires_after(core_->options.idle_timeout);
        timer_.async_wait([self = shared_from_this()](const ErrorCode& ec) {
            if (ec || self->closed_ || self->awaiting_) return;
            spdlog::debug("{} session {}: idle timeout", ToString(self->core_->options.dialect), self->remote_);
            self->Apply(self->protocol_.OnTimeout());
        });
    }

    // Feeds complete lines to the protocol; scans with an offset so a large DATA stays linear.
    void Process() {
        std::size_t pos = 0;
        while (!awaiting_ && !closed_ && !close_after_write_) {
            const auto nl = in_.find('\n', pos);
            if (nl == std::string::npos) {
                if (in_.size() - pos > protocol_.LineLimit()) {
                    if (!discarding_) Apply(protocol_.OnLineTooLong());
                    discarding_ = true;
                    pos = in_.size();
                }
                break;
            }
            std::string_view line(in_.data() + pos, nl - pos);
            pos = nl + 1;
            if (discarding_) {
                discarding_ = false;
                continue;
            }
            const bool crlf = !line.empty() && line.back() == '\r';
            if (crlf) line.remove_suffix(1);
            if (line.size() > protocol_.LineLimit()) {
                Apply(protocol_.OnLineTooLong());
                continue;
            }
            Apply(protocol_.OnLine(line, crlf));
        }
        in_.erase(0, pos);
    }

    void Apply(SmtpProtocol::Output out) {
        std::string text;
        for (const auto& r : out.replies) {
            if (core_->observer != nullptr) core_->observer->OnReply(core_->options.dialect, ReplyCode(r));
            text += r;
        }
        if (!text.empty()) Write(std::move(text));
        if (out.close) {
            close_after_write_ = true;
            if (!writing_) Close();
        }
        if (out.mail) {
            awaiting_ = true;
            timer_.cancel();
            auto self = shared_from_this();
            core_->sink.Deliver(std::move(*out.mail), [self](MailOutcome outcome, std::string detail) {
                auto executor = self->Executor();
                self->core_->Post(executor, [self, outcome, detail = std::move(detail)] {
                    self->OnOutcome(outcome, detail);
                });
            });
        }
    }

    void OnOutcome(MailOutcome outcome, const std::string& detail) {
        awaiting_ = false;
        if (closed_) return;
        Apply(protocol_.OnOutcome(outcome, detail));
        if (shutdown_requested_) {
            Apply(protocol_.OnShutdown());
            return;
        }
        Process();  // commands the client pipelined after the data
        ReadMore();
    }

    void Write(std::string text) {
        if (closed_) return;
        out_.push_back(std::move(text));
        if (!writing_) DoWrite();
    }

    void DoWrite() {
        writing_ = true;
        net::async_write(socket_, net::buffer(out_.front()), [self = shared_from_this()](const ErrorCode& ec, std::size_t) {
            self->out_.pop_front();
            if (ec) {
                self->writing_ = false;
                self->Close();
                return;
            }
            if (!self->out_.empty()) {
                self->DoWrite();
                return;
            }
            self->writing_ = false;
            if (self->close_after_write_) {
                ErrorCode ignored;
                self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
                self->Close();
            }
        });
    }

    void Close() {
        if (closed_) return;
        closed_ = true;
        timer_.cancel();
        ErrorCode ignored;
        socket_.close(ignored);
        if (core_->observer != nullptr) core_->observer->OnSessionClosed(core_->options.dialect);
        spdlog::debug("{} session from {} closed", ToString(core_->options.dialect), remote_);
        core_->Unregister(id_);
    }

    std::shared_ptr<Core> core_;  // first: destroyed last, after the socket and timer
    tcp::socket socket_;
    net::steady_timer timer_;
    SmtpProtocol protocol_;
    std::uint64_t id_ = 0;
    std::string remote_;
    std::array<char, 16384> buf_{};
    std::string in_;
    std::deque<std::string> out_;
    bool reading_ = false;
    bool writing_ = false;
    bool awaiting_ = false;
    bool close_after_write_ = false;
    bool discarding_ = false;
    bool closed_ = false;
    bool shutdown_requested_ = false;
};

}  // namespace

struct SmtpServer::Impl {
    Impl(Options o, RecipientPolicy r, MessageSink& s, SmtpObserver* obs)
        : core(std::make_shared<Core>(std::move(o), std::move(r), s, obs)),
          acceptor(net::make_strand(core->ioc)) {}

    void Accept() {
        acceptor.async_accept(net::make_strand(core->ioc), [this](const ErrorCode& ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
            if (ec) {
                spdlog::warn("{} accept failed: {}", ToString(core->options.dialect), ec.message());
            } else {
                auto session = std::make_shared<Session>(core, std::move(socket));
                bool full = false;
                const std::uint64_t id = core->Register(session, full);
                if (id == 0) {
                    Refuse(*session, full);
                } else {
                    net::post(session->Executor(), [session, id] { session->Start(id); });
                }
            }
            Accept();
        });
    }

    void Refuse(Session& session, bool full) {
        if (full) {
            if (core->observer != nullptr) core->observer->OnConnectionRefused(core->options.dialect);
            spdlog::warn("{}: refusing a connection: {} connections open", ToString(core->options.dialect),
                         core->options.max_connections);
            session.Refuse("421 4.7.0 " + core->options.hostname + " too many connections, try again later\r\n");
        } else {
            session.Refuse("421 4.3.2 " + core->options.hostname + " shutting down, try again later\r\n");
        }
    }

    std::shared_ptr<Core> core;
    tcp::acceptor acceptor;
    std::vector<std::thread> threads;
    std::uint16_t port = 0;
    bool started = false;
    bool stopped = false;
};

SmtpServer::SmtpServer(Options options, RecipientPolicy recipients, MessageSink& sink, SmtpObserver* observer)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(recipients), sink, observer)) {}

SmtpServer::~SmtpServer() { Stop(std::chrono::seconds(1)); }

void SmtpServer::Start() {
    auto& core = *impl_->core;
    ErrorCode ec;
    const auto address = net::ip::make_address(core.options.host, ec);
    if (ec) throw std::runtime_error("bad listen address '" + core.options.host + "': " + ec.message());
    const tcp::endpoint endpoint(address, core.options.port);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        throw std::runtime_error("cannot listen on " + core.options.host + ":" + std::to_string(core.options.port) +
                                 ": " + ec.message());
    }
    impl_->port = acceptor.local_endpoint().port();
    impl_->Accept();
    for (int i = 0; i < std::max(1, core.options.threads); ++i) {
        impl_->threads.emplace_back([&core] { core.ioc.run(); });
    }
    impl_->started = true;
}

void SmtpServer::Stop(std::chrono::milliseconds drain) {
    if (!impl_ || impl_->stopped) return;
    impl_->stopped = true;
    auto& core = *impl_->core;
    if (impl_->started) {
        // Stop accepting (on the acceptor's strand), then ask every session to finish.
        std::promise<void> closed;
        net::post(impl_->acceptor.get_executor(), [this, &closed] {
            ErrorCode ignored;
            impl_->acceptor.close(ignored);
            closed.set_value();
        });
        closed.get_future().wait();
        for (auto& s : core.BeginStopping()) net::post(s->Executor(), [s] { s->BeginShutdown(); });
        if (!core.WaitEmpty(std::chrono::steady_clock::now() + drain)) {
            spdlog::warn("{}: {} connections still open after {} ms: closing them",
                         ToString(core.options.dialect), core.Open(), drain.count());
            for (auto& s : core.Snapshot()) net::post(s->Executor(), [s] { s->ForceClose(); });
            (void)core.WaitEmpty(std::chrono::steady_clock::now() + std::chrono::seconds(1));
        }
    } else {
        (void)core.BeginStopping();
    }
    core.MarkStopped();
    core.ioc.stop();
    for (auto& t : impl_->threads) t.join();
    impl_->threads.clear();
    core.ioc.DestroyPendingHandlers();
}

std::uint16_t SmtpServer::port() const { return impl_->port; }

std::size_t SmtpServer::open_connections() const { return impl_->core->Open(); }

}  // namespace switchboard::gateway_email
