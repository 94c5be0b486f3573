#include "switchboard/runtime/bootstrap.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include "switchboard/log/log.hpp"

namespace switchboard::runtime {

void AddCommonKeys(config::Schema& schema, std::uint16_t default_http_port) {
    schema.String("namespace", "", "prefix for topics, consumer groups and Redis keys (isolates suites)")
        .String("kafka.brokers", "127.0.0.1:19092", "Kafka bootstrap servers, host:port[,host:port]")
        .String("redis.host", "127.0.0.1", "Redis host")
        .Int("redis.port", 16379, "Redis port", 1, 65535)
        .String("http.host", "127.0.0.1", "address of the HTTP server (/healthz, /readyz, /metrics, API)")
        .Int("http.port", default_http_port, "port of the HTTP server; 0 picks a free one", 0, 65535)
        .String("log.level", "info", "trace, debug, info, warn or error")
        .Int("shutdown.drain-ms", 5000, "how long SIGTERM waits for in-flight work", 0, 600000);
}

CommonSettings ReadCommon(const config::Config& config) {
    CommonSettings s;
    s.ns = config.GetString("namespace");
    s.kafka_brokers = config.GetString("kafka.brokers");
    s.redis.host = config.GetString("redis.host");
    s.redis.port = static_cast<int>(config.GetInt("redis.port"));
    s.http.host = config.GetString("http.host");
    s.http.port = static_cast<std::uint16_t>(config.GetInt("http.port"));
    s.log_level = config.GetString("log.level");
    s.drain_ms = static_cast<int>(config.GetInt("shutdown.drain-ms"));
    return s;
}

void LogStartupFailure(std::string_view what, const std::exception& e) {
    spdlog::critical("cannot {}: {}", what, e.what());
}

config::Config Bootstrap(int argc, char** argv, const std::string& service, const std::string& description,
                         const config::Schema& schema) {
    CLI::App app(description, service);
    std::string config_path;
    app.add_option("-c,--config", config_path, "YAML configuration file (keys below; SWITCHBOARD_* env wins)")
        ->check(CLI::ExistingFile);
    app.set_version_flag("--version", "switchboard " + service + " 0.1.0");
    app.footer("Configuration keys:\n" + schema.Describe());
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        std::exit(app.exit(e));
    }
    try {
        auto cfg = config::Load(schema, config_path, config::ProcessEnvironment());
        log::Init(service, cfg.GetString("log.level"));
        spdlog::info("{} starting (config {})", service, config_path.empty() ? "defaults + env" : config_path);
        return cfg;
    } catch (const std::exception& e) {
        std::cerr << service << ": configuration error: " << e.what() << "\n";
        std::exit(2);
    }
}

}  // namespace switchboard::runtime
