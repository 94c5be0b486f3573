#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/routing/v1/routing.grpc.pb.h"

namespace grpc {
class ClientContext;
}

namespace switchboard::e2e {

// The services of one e2e binary, on the real Kafka and Redis, in a namespace of their own (so it
// runs beside a live suite and other tests): topics created, logs under a temp directory.
// StartCore() brings up assistant (demo knowledge base), routing (fast sweeps) and metrics; a
// channel's test then starts its gateway with Start().
class Stack {
public:
    Stack();
    ~Stack();
    Stack(const Stack&) = delete;
    Stack& operator=(const Stack&) = delete;

    void StartCore();
    // Starts `binary` with the common environment (namespace, Kafka, Redis, log level) plus `env`,
    // serving HTTP on `http_port`. Does not wait: services start in parallel, then WaitReady().
    void Start(const std::string& name, const std::string& binary, std::map<std::string, std::string> env,
               std::uint16_t http_port);
    // Waits (60 s) for every started service's /readyz; throws with the logs if one is not ready.
    void WaitReady();
    // Stops every service with SIGTERM, last started first; the names (and log tails) of those
    // that did not exit 0.
    std::vector<std::string> Stop();
    std::string Logs() const;

    const events::Naming& naming() const { return naming_; }
    const std::filesystem::path& dir() const { return dir_; }
    routing::v1::RoutingService::Stub& routing() { return *routing_; }
    // Signs the call as operator `op` (the routing service's bearer token, minted with the
    // secret the stack gave it).
    void Authorize(grpc::ClientContext& context, const std::string& op) const;
    // Operator `op` goes online (auto-accept, the given capacity), as their inbox would.
    grpc::Status SetOnline(const std::string& op, const std::string& name, int capacity = 2);
    // The conversation as operator `as` may see it (empty on an error).
    routing::v1::Conversation GetConversation(const std::string& conv, const std::string& as);

    std::uint16_t assistant_port = 0, assistant_grpc_port = 0, routing_port = 0, routing_grpc_port = 0,
                  metrics_port = 0;

private:
    events::Naming naming_;
    std::filesystem::path dir_;
    std::vector<std::unique_ptr<ServiceProcess>> processes_;
    std::vector<std::pair<std::string, std::uint16_t>> http_ports_;
    std::unique_ptr<routing::v1::RoutingService::Stub> routing_;
};

// The answer of a demo knowledge-base article ("" if there is none).
std::string DemoAnswer(const std::string& article_id);

// One T (a Stack) shared by every test of a binary (services are slow to join their groups): made
// before the first test, stopped after the last; a service that does not exit 0 on SIGTERM fails
// the run. Register with `::testing::AddGlobalTestEnvironment(new SharedStack<T>)`.
template <typename T>
class SharedStack : public ::testing::Environment {
public:
    static T& Get() { return *instance_; }
    void SetUp() override { instance_ = new T(); }
    void TearDown() override {
        const auto unclean = instance_->Stop();
        EXPECT_TRUE(unclean.empty()) << "services that did not exit 0 on SIGTERM:\n"
                                     << (unclean.empty() ? "" : unclean.front());
        delete instance_;
        instance_ = nullptr;
    }

private:
    static inline T* instance_ = nullptr;
};

}  // namespace switchboard::e2e
