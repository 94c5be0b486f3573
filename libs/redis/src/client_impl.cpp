#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client_probe.hpp"
#include "sigpipe_guard.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::redis {
namespace {

struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

timeval ToTimeval(std::chrono::milliseconds ms) {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
    return tv;
}

// Borrowed argv in the shape redisCommandArgv wants; the strings must outlive it.
class Argv {
public:
    explicit Argv(std::size_t reserve) {
        ptrs_.reserve(reserve);
        lens_.reserve(reserve);
    }
    void Add(std::string_view arg) {
        ptrs_.push_back(arg.data());
        lens_.push_back(arg.size());
    }
    int size() const { return static_cast<int>(ptrs_.size()); }
    const char** ptrs() { return ptrs_.data(); }
    const std::size_t* lens() const { return lens_.data(); }

private:
    std::vector<const char*> ptrs_;
    std::vector<std::size_t> lens_;
};

// Server states after which the same command is expected to succeed later; everything else the
// server rejects (WRONGTYPE, syntax, script errors, NOSCRIPT) will fail again as is.
bool IsTransientServerError(std::string_view text) {
    static constexpr std::array<std::string_view, 4> kPrefixes = {
        "LOADING ",     // replica/restart loading the dataset
        "BUSY ",        // another client's script is running past lua-time-limit
        "MASTERDOWN ",  // replica lost its master
        "TRYAGAIN ",    // multi-key operation during resharding
    };
    for (std::string_view prefix : kPrefixes) {
        if (text.starts_with(prefix)) return true;
    }
    return false;
}

Error ServerError(std::string text) {
    const bool retryable = IsTransientServerError(text);
    return Error{std::move(text), retryable};
}

Result<Reply> Decode(const redisReply& r) {
    switch (r.type) {
        case REDIS_REPLY_STRING:
            return Reply{std::string(r.str, r.len)};
        case REDIS_REPLY_STATUS:
            return Reply{Reply::Status{std::string(r.str, r.len)}};
        case REDIS_REPLY_INTEGER:
            return Reply{static_cast<std::int64_t>(r.integer)};
        case REDIS_REPLY_NIL:
            return Reply{Reply::Nil{}};
        case REDIS_REPLY_ERROR:
            // Also reached for an error nested in an array (EXEC, a script returning
            // redis.error_reply in a table): Reply cannot carry one, so the call fails with it.
            return ServerError(std::string(r.str, r.len));
        case REDIS_REPLY_ARRAY: {
            std::vector<Reply> elements;
            elements.reserve(r.elements);
            for (std::size_t i = 0; i < r.elements; ++i) {
                Result<Reply> element = Decode(*r.element[i]);
                if (!element) return element.error();
                elements.push_back(std::move(element).value());
            }
            return Reply{std::move(elements)};
        }
        default:
            return Error::Fatal("redis: unexpected reply type " + std::to_string(r.type));
    }
}

bool IsNoScript(const Error& e) { return e.message.starts_with("NOSCRIPT"); }

class ClientImpl final : public Client {
public:
    ClientImpl(ClientConfig config, prometheus::Registry* registry)
        : config_(std::move(config)),
          endpoint_(config_.host + ":" + std::to_string(config_.port)),
          probe_(registry != nullptr ? std::make_unique<ClientProbe>(*registry) : nullptr) {}

    Result<Reply> Command(const std::vector<std::string>& argv) override {
        const auto start = std::chrono::steady_clock::now();
        Argv args(argv.size());
        for (const std::string& a : argv) args.Add(a);
        Result<Reply> result = [&]() -> Result<Reply> {
            std::lock_guard lock(mu_);
            return RoundTripLocked(args);
        }();
        Record(result.ok(), start);
        return result;
    }

    Result<Reply> Eval(const Script& script, const std::vector<std::string>& keys,
                       const std::vector<std::string>& args) override {
        const auto start = std::chrono::steady_clock::now();
        const std::string num_keys = std::to_string(keys.size());
        Argv evalsha(3 + keys.size() + args.size());
        evalsha.Add("EVALSHA");
        evalsha.Add(script.sha1());
        evalsha.Add(num_keys);
        for (const std::string& k : keys) evalsha.Add(k);
        for (const std::string& a : args) evalsha.Add(a);

        Result<Reply> result = [&]() -> Result<Reply> {
            // Held across the reload so no other call on this connection interleaves.
            std::lock_guard lock(mu_);
            Result<Reply> first = RoundTripLocked(evalsha);
            if (first.ok() || !IsNoScript(first.error())) return first;
            Argv load(3);
            load.Add("SCRIPT");
            load.Add("LOAD");
            load.Add(script.source());
            Result<Reply> loaded = RoundTripLocked(load);
            if (!loaded) return loaded.error();
            if (!loaded->is_string() || loaded->string() != script.sha1()) {
                // Would loop on NOSCRIPT forever if our digest disagreed with the server's.
                return Error::Fatal("redis: SCRIPT LOAD returned an unexpected digest for " +
                                    script.sha1());
            }
            spdlog::info("redis {}: loaded script {}", endpoint_, script.sha1());
            return RoundTripLocked(evalsha);
        }();
        Record(result.ok(), start);
        return result;
    }

    bool Healthy() override {
        Argv ping(1);
        ping.Add("PING");
        std::lock_guard lock(mu_);
        Result<Reply> reply = RoundTripLocked(ping);
        return reply.ok() && std::holds_alternative<Reply::Status>(reply->value) &&
               std::get<Reply::Status>(reply->value).text == "PONG";
    }

private:
    void Record(bool ok, std::chrono::steady_clock::time_point start) {
        if (probe_) probe_->OnCommand(ok, std::chrono::steady_clock::now() - start);
    }

    // One request, one reply. Any connection-level failure drops the connection (its state is
    // unknown: a reply may still be in flight) and returns a retryable Error; the next call
    // reconnects. The command is never resent here, because it may already have run.
    Result<Reply> RoundTripLocked(Argv& argv) {
        if (argv.size() == 0) return Error::Fatal("redis: empty command");
        if (ctx_ && PeerClosedLocked()) {
            // The server closed an idle connection (restart, CLIENT KILL, `timeout`): nothing
            // was sent on it yet, so reconnecting and sending is safe for any command.
            DropLocked("server closed the idle connection");
        }
        if (!ctx_) {
            if (Status s = ConnectLocked(); !s) return s.error();
        }
        ReplyPtr reply;
        int saved_errno = 0;
        {
            SigpipeGuard guard;
            reply.reset(static_cast<redisReply*>(
                redisCommandArgv(ctx_.get(), argv.size(), argv.ptrs(), argv.lens())));
            if (!reply) {
                saved_errno = errno;
                guard.DiscardRaisedSigpipe();
            }
        }
        if (!reply) {
            std::string what = ctx_->errstr;
            if (ctx_->err == REDIS_ERR_IO &&
                (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)) {
                what = "timed out after " + std::to_string(config_.command_timeout.count()) + " ms";
            }
            DropLocked(what);
            return Error::Retryable("redis " + endpoint_ + ": " + what);
        }
        return Decode(*reply);
    }

    Status ConnectLocked() {
        ContextPtr ctx(redisConnectWithTimeout(config_.host.c_str(), config_.port,
                                               ToTimeval(config_.connect_timeout)));
        if (!ctx) return Error::Retryable("redis " + endpoint_ + ": out of memory");
        if (ctx->err != 0) return ConnectFailed(ctx->errstr);
        if (redisSetTimeout(ctx.get(), ToTimeval(config_.command_timeout)) != REDIS_OK) {
            return ConnectFailed(ctx->errstr);
        }
        // Detects a peer that vanished without a FIN (host down, NAT drop) on idle connections.
        redisEnableKeepAlive(ctx.get());
        ctx_ = std::move(ctx);
        if (down_) {
            spdlog::info("redis {}: connected", endpoint_);
            down_ = false;
        }
        return Status::Ok();
    }

    Status ConnectFailed(const std::string& why) {
        // Logged on the transition only: while Redis is down every call fails the same way.
        if (!down_) {
            spdlog::warn("redis {}: connect failed: {}", endpoint_, why);
            down_ = true;
        }
        return Error::Retryable("redis " + endpoint_ + ": connect: " + why);
    }

    void DropLocked(const std::string& why) {
        if (!down_) {
            spdlog::warn("redis {}: connection dropped: {}", endpoint_, why);
            down_ = true;
        }
        ctx_.reset();
    }

    // True if the server has hung up (or sent something unsolicited, which with RESP2 also
    // means the connection is unusable). One non-blocking syscall, no round trip.
    bool PeerClosedLocked() const {
        char byte = 0;
        const ssize_t n = ::recv(ctx_->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n >= 0) return true;
        return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
    }

    const ClientConfig config_;
    const std::string endpoint_;
    const std::unique_ptr<ClientProbe> probe_;

    std::mutex mu_;
    ContextPtr ctx_;     // null while disconnected
    bool down_ = false;  // last connect or command failed at the connection level (for logs)
};

}  // namespace

std::unique_ptr<Client> MakeClient(const ClientConfig& config, prometheus::Registry* registry) {
    return std::make_unique<ClientImpl>(config, registry);
}

}  // namespace switchboard::redis
