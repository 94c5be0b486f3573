#include "switchboard/runtime/service_runtime.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <pthread.h>

namespace switchboard::runtime {

namespace {

// Every request the HTTP server refuses before a handler sees it is counted by status.
http::ServerOptions CountingRejections(http::ServerOptions options, prometheus::Registry& registry) {
    auto& family = prometheus::BuildCounter()
                       .Name("switchboard_http_requests_rejected_total")
                       .Help("Requests refused by the HTTP server itself (malformed, unknown path, too large), "
                             "by status")
                       .Register(registry);
    options.on_rejected = [&family](int status) { family.Add({{"status", std::to_string(status)}}).Increment(); };
    auto& latency = prometheus::BuildHistogram()
                        .Name("switchboard_http_request_seconds")
                        .Help("Requests answered by a handler: from dispatch to the handler's response, by "
                              "method, route pattern and status code")
                        .Register(registry);
    options.on_handled = [&latency](const std::string& method, const std::string& route, int status, double seconds) {
        static const prometheus::Histogram::BucketBoundaries kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};
        latency.Add({{"method", method}, {"route", route}, {"code", std::to_string(status)}}, kBuckets).Observe(seconds);
    };
    return options;
}

}  // namespace

ServiceRuntime::ServiceRuntime(std::string service, http::ServerOptions options)
    : service_(std::move(service)),
      registry_(std::make_shared<prometheus::Registry>()),
      server_(CountingRejections(std::move(options), *registry_)) {}

ServiceRuntime::~ServiceRuntime() { Stop(); }

void ServiceRuntime::AddReadinessCheck(std::string name, std::function<bool()> check) {
    checks_.emplace_back(std::move(name), std::move(check));
}

void ServiceRuntime::Start() {
    server_.Route("GET", "/healthz", [](http::Request, http::Respond respond) {
        respond(http::Response::Json(200, R"({"status":"ok"})"));
    });
    server_.Route("GET", "/readyz", [this](http::Request, http::Respond respond) {
        std::string failing;
        for (const auto& [name, check] : checks_) {
            if (!check()) failing += (failing.empty() ? "\"" : ",\"") + name + "\"";
        }
        if (failing.empty()) {
            respond(http::Response::Json(200, R"({"status":"ready"})"));
        } else {
            respond(http::Response::Json(503, R"({"status":"not_ready","failing":[)" + failing + "]}"));
        }
    });
    server_.Route("GET", "/metrics", [this](http::Request, http::Respond respond) {
        prometheus::TextSerializer serializer;
        http::Response r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = serializer.Serialize(registry_->Collect());
        respond(std::move(r));
    });
    server_.Start();
    spdlog::info("{} serving /healthz /readyz /metrics on port {}", service_, server_.BoundPort());
}

void ServiceRuntime::Stop() { server_.Stop(); }

void BlockTerminationSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig = 0;
    sigwait(&set, &sig);
    return sig;
}

}  // namespace switchboard::runtime
