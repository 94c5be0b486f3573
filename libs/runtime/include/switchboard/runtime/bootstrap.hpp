#pragma once

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "switchboard/config/config.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::runtime {

// Keys every service has: namespace, kafka.brokers, redis.host/port, http.host/port,
// log.level, shutdown.drain-ms.
void AddCommonKeys(config::Schema& schema, std::uint16_t default_http_port);

struct CommonSettings {
    std::string ns;
    std::string kafka_brokers;
    redis::ClientConfig redis;
    http::ServerOptions http;
    std::string log_level;
    int drain_ms = 5000;
};
CommonSettings ReadCommon(const config::Config& config);

// Parses the command line (`--config FILE`, `--help`, `--version`), loads and validates the
// configuration (file + SWITCHBOARD_* environment), and initializes JSON logging.
// On --help/--version prints and exits 0; on a bad command line or configuration prints the
// reason to stderr and exits 2 — a misconfigured service never starts.
config::Config Bootstrap(int argc, char** argv, const std::string& service, const std::string& description,
                         const config::Schema& schema);

// Logs "cannot <what>: <reason>" as critical. For OrExit; not for hot paths.
void LogStartupFailure(std::string_view what, const std::exception& e);

// Start-up steps that throw on a problem a human must fix (bad Kafka property, port in use):
// returns what `step` returns, or logs "cannot <what>: <reason>" and exits 2 — the one policy
// every composition root follows.
template <typename Step>
decltype(auto) OrExit(std::string_view what, Step&& step) {
    try {
        return std::forward<Step>(step)();
    } catch (const std::exception& e) {
        LogStartupFailure(what, e);
        std::exit(2);
    }
}

}  // namespace switchboard::runtime
