#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "smtp_protocol.hpp"

namespace switchboard::gateway_email {

// Where complete messages go. Deliver runs on an SMTP I/O thread and may block briefly (Redis);
// `done` must be called exactly once, from any thread, possibly after Deliver returned (once the
// message is durable). The connection reads nothing more until then.
class MessageSink {
public:
    using Done = std::function<void(MailOutcome outcome, std::string detail)>;
    virtual ~MessageSink() = default;
    virtual void Deliver(ReceivedMail mail, Done done) = 0;
};

// Hooks for metrics. Called on I/O threads: must be cheap and thread-safe.
class SmtpObserver {
public:
    virtual ~SmtpObserver() = default;
    virtual void OnSessionOpened(Dialect dialect) = 0;
    virtual void OnSessionClosed(Dialect dialect) = 0;
    // Refused because max_connections were open.
    virtual void OnConnectionRefused(Dialect dialect) = 0;
    // Every reply the server sends, by its code.
    virtual void OnReply(Dialect dialect, int code) = 0;
};

// An SMTP or LMTP listener on Boost.Asio: accepts connections, runs an SmtpProtocol per
// connection, hands complete messages to the sink. Bounded by max_connections (more get
// "421 too many connections"), an idle timeout per read ("421 timeout"), the protocol's line and
// message limits. Pipelined commands are answered in order.
//
// Lifetime: Start() once, Stop() before the sink and observer are destroyed (the destructor
// stops too). Stop stops accepting, lets each connection finish the message it is delivering,
// says "421 shutting down" to the others, and waits up to `drain` for them to close.
// Thread-safety: Start/Stop/port from any thread; the sink and observer are called on I/O threads.
class SmtpServer {
public:
    struct Options {
        std::string host = "127.0.0.1";
        std::uint16_t port = 2525;  // 0 = pick a free port (see port())
        Dialect dialect = Dialect::kSmtp;
        std::string hostname = "localhost";  // in the greeting and the EHLO reply
        SmtpLimits limits;
        std::size_t max_connections = 100;
        std::chrono::milliseconds idle_timeout{300000};  // RFC 5321 §4.5.3.2 suggests 5 minutes
        int threads = 1;
    };

    SmtpServer(Options options, RecipientPolicy recipients, MessageSink& sink, SmtpObserver* observer = nullptr);
    ~SmtpServer();
    SmtpServer(const SmtpServer&) = delete;
    SmtpServer& operator=(const SmtpServer&) = delete;

    // Binds and starts the I/O threads. Throws std::runtime_error if the address cannot be bound.
    void Start();
    void Stop(std::chrono::milliseconds drain = std::chrono::seconds(5));
    std::uint16_t port() const;
    std::size_t open_connections() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::gateway_email
