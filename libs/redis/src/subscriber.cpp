#include "switchboard/redis/subscriber.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "sigpipe_guard.hpp"

namespace switchboard::redis {

class Subscriber::Impl {
public:
    Impl(ClientConfig config, std::string channel, OnMessage on_message)
        : config_(std::move(config)), channel_(std::move(channel)), on_message_(std::move(on_message)) {}

    ~Impl() { Stop(); }

    void Start() { thread_ = std::thread([this] { Run(); }); }

    void Stop() {
        {
            std::lock_guard lock(mu_);
            if (stopping_) return;
            stopping_ = true;
            // A blocked redisGetReply returns once its socket is shut down.
            if (ctx_ != nullptr) ::shutdown(ctx_->fd, SHUT_RDWR);
        }
        cv_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

    bool Subscribed() const { return subscribed_.load(); }

private:
    void Run() {
        auto backoff = std::chrono::milliseconds(100);
        while (!Stopping()) {
            if (Listen()) backoff = std::chrono::milliseconds(100);
            subscribed_ = false;
            std::unique_lock lock(mu_);
            if (cv_.wait_for(lock, backoff, [this] { return stopping_; })) break;
            backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
        }
    }

    bool Stopping() {
        std::lock_guard lock(mu_);
        return stopping_;
    }

    // One connection's life. True if it got as far as subscribing.
    bool Listen() {
        const timeval tv{static_cast<time_t>(config_.connect_timeout.count() / 1000),
                         static_cast<suseconds_t>((config_.connect_timeout.count() % 1000) * 1000)};
        redisContext* ctx = redisConnectWithTimeout(config_.host.c_str(), config_.port, tv);
        if (ctx == nullptr || ctx->err != 0) {
            spdlog::warn("redis subscriber: cannot connect to {}:{}: {}", config_.host, config_.port,
                         ctx != nullptr ? ctx->errstr : "out of memory");
            if (ctx != nullptr) redisFree(ctx);
            return false;
        }
        redisSetTimeout(ctx, timeval{0, 0});  // block until a message or Stop()
        {
            std::lock_guard lock(mu_);
            if (stopping_) {
                redisFree(ctx);
                return false;
            }
            ctx_ = ctx;
        }
        bool subscribed = false;
        {
            SigpipeGuard guard;
            // Named so operators (and tests) can tell subscriber connections apart in CLIENT LIST.
            std::string name = "sbsub-" + channel_;
            std::replace_if(name.begin(), name.end(), [](char c) { return c <= ' ' || c > '~'; }, '_');
            if (auto* named = static_cast<redisReply*>(redisCommand(ctx, "CLIENT SETNAME %b", name.data(), name.size()))) {
                freeReplyObject(named);
            }
            auto* reply = static_cast<redisReply*>(redisCommand(ctx, "SUBSCRIBE %b", channel_.data(), channel_.size()));
            if (reply == nullptr) {
                guard.DiscardRaisedSigpipe();
            } else {
                subscribed = reply->type == REDIS_REPLY_ARRAY;
                freeReplyObject(reply);
            }
        }
        if (subscribed) {
            subscribed_ = true;
            spdlog::info("redis subscriber: listening on {}", channel_);
            for (;;) {
                void* raw = nullptr;
                if (redisGetReply(ctx, &raw) != REDIS_OK || raw == nullptr) break;
                auto* reply = static_cast<redisReply*>(raw);
                // ["message", channel, payload]
                if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
                    reply->element[2]->type == REDIS_REPLY_STRING) {
                    const std::string payload(reply->element[2]->str, reply->element[2]->len);
                    try {
                        on_message_(payload);
                    } catch (const std::exception& e) {
                        spdlog::error("redis subscriber: handler failed: {}", e.what());
                    }
                }
                freeReplyObject(reply);
            }
        }
        {
            std::lock_guard lock(mu_);
            ctx_ = nullptr;
            if (!stopping_) spdlog::warn("redis subscriber: connection to {}:{} lost: {}", config_.host, config_.port, ctx->errstr);
        }
        redisFree(ctx);
        return subscribed;
    }

    const ClientConfig config_;
    const std::string channel_;
    const OnMessage on_message_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    redisContext* ctx_ = nullptr;  // guarded by mu_
    std::atomic<bool> subscribed_{false};
    std::thread thread_;
};

Subscriber::Subscriber(ClientConfig config, std::string channel, OnMessage on_message)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(channel), std::move(on_message))) {}
Subscriber::~Subscriber() = default;
void Subscriber::Start() { impl_->Start(); }
void Subscriber::Stop() { impl_->Stop(); }
bool Subscriber::Subscribed() const { return impl_->Subscribed(); }

}  // namespace switchboard::redis
