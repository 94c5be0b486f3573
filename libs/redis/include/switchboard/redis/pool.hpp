#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "switchboard/redis/client.hpp"

namespace switchboard::redis {

// A Client over several connections: each call takes an idle one (waiting if all are
// busy), so the consumer's Enqueue, the dispatcher's snapshots and offers, inbox publishes and
// gRPC handlers do not queue behind one another on a single connection. Each connection keeps
// the client's own guarantees (an EVALSHA and its SCRIPT LOAD never interleave with other calls).
//
// Thread-safety: all methods may be called from any thread.
// Ownership: owns its connections. Errors: as Client.
class Pool final : public Client {
public:
    explicit Pool(std::vector<std::unique_ptr<Client>> connections);

    Result<Reply> Command(const std::vector<std::string>& argv) override;
    Result<Reply> Eval(const Script& script, const std::vector<std::string>& keys,
                              const std::vector<std::string>& args) override;
    bool Healthy() override;

private:
    class Lease;
    std::size_t Acquire();
    void Release(std::size_t index);

    std::vector<std::unique_ptr<Client>> connections_;
    std::mutex mu_;
    std::condition_variable idle_cv_;
    std::vector<std::size_t> idle_;  // indexes into connections_, most recently used last
};

// `size` connections to `config`, sharing the client metrics in `registry` (optional).
std::unique_ptr<Client> MakePool(const ClientConfig& config, std::size_t size,
                                             prometheus::Registry* registry = nullptr);

}  // namespace switchboard::redis
