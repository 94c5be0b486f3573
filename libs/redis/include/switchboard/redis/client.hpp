#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "switchboard/core/error.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard::redis {

// A decoded Redis reply. Error replies from the server are not Replies: they come back as Error.
struct Reply {
    struct Nil {};
    struct Status {
        std::string text;
    };
    std::variant<Nil, std::int64_t, std::string, Status, std::vector<Reply>> value;

    bool is_nil() const { return std::holds_alternative<Nil>(value); }
    bool is_integer() const { return std::holds_alternative<std::int64_t>(value); }
    bool is_string() const { return std::holds_alternative<std::string>(value); }
    bool is_array() const { return std::holds_alternative<std::vector<Reply>>(value); }
    std::int64_t integer() const { return std::get<std::int64_t>(value); }
    const std::string& string() const { return std::get<std::string>(value); }
    const std::vector<Reply>& array() const { return std::get<std::vector<Reply>>(value); }
};

// A Lua script run with EVALSHA; loaded (SCRIPT LOAD) on first use and again after NOSCRIPT
// (Redis restarted or SCRIPT FLUSH).
class Script {
public:
    explicit Script(std::string source);
    const std::string& source() const { return source_; }
    const std::string& sha1() const { return sha1_; }  // computed locally, hex

private:
    std::string source_;
    std::string sha1_;
};

struct ClientConfig {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::chrono::milliseconds connect_timeout{1000};
    std::chrono::milliseconds command_timeout{1000};
};

// A Redis connection. Commands are binary-safe argv vectors.
//
// Thread-safety: all methods may be called from any thread (calls are serialized).
// Errors: connection/timeout failures are retryable Errors and the next call reconnects;
// server error replies (WRONGTYPE, script errors) are non-retryable Errors carrying Redis' text.
class Client {
public:
    virtual ~Client() = default;
    virtual Result<Reply> Command(const std::vector<std::string>& argv) = 0;
    virtual Result<Reply> Eval(const Script& script, const std::vector<std::string>& keys,
                               const std::vector<std::string>& args) = 0;
    // PING round trip; false if Redis is unreachable (used by /readyz).
    virtual bool Healthy() = 0;
};

// Connects lazily: construction never fails on an unreachable server.
// `registry` (optional) gets switchboard_redis_commands_total{result} and
// switchboard_redis_command_seconds.
std::unique_ptr<Client> MakeClient(const ClientConfig& config,
                                   prometheus::Registry* registry = nullptr);

}  // namespace switchboard::redis
