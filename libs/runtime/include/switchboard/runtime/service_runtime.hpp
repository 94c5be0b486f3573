#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "switchboard/http/server.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard::runtime {

// What every service has: one HTTP server carrying /healthz, /readyz and /metrics (plus whatever
// routes the service adds), a Prometheus registry, and readiness checks.
//
// /healthz: 200 while the process serves HTTP. /readyz: 200 only when every readiness check
// passes, else 503 with the failing check names. /metrics: Prometheus text format.
//
// Lifetime: add routes and checks, then Start(); Stop() before the objects the checks reference
// are destroyed. Thread-safety: AddReadinessCheck/http() routes before Start only.
class ServiceRuntime {
public:
    ServiceRuntime(std::string service, http::ServerOptions options);
    ~ServiceRuntime();
    ServiceRuntime(const ServiceRuntime&) = delete;
    ServiceRuntime& operator=(const ServiceRuntime&) = delete;

    prometheus::Registry& registry() { return *registry_; }
    http::Server& http() { return server_; }
    const std::string& service() const { return service_; }

    // `check` must be cheap and thread-safe; it runs on every /readyz request.
    void AddReadinessCheck(std::string name, std::function<bool()> check);

    void Start();
    void Stop();
    std::uint16_t port() const { return server_.BoundPort(); }

private:
    std::string service_;
    std::shared_ptr<prometheus::Registry> registry_;
    http::Server server_;
    std::vector<std::pair<std::string, std::function<bool()>>> checks_;
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts afterwards, so that
// WaitForTerminationSignal() receives them. Call first thing in main().
void BlockTerminationSignals();

// Waits for SIGTERM or SIGINT and returns its number.
int WaitForTerminationSignal();

}  // namespace switchboard::runtime
