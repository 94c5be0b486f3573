#include "switchboard/redis/pool.hpp"

#include <algorithm>
#include <cassert>

namespace switchboard::redis {

class Pool::Lease {
public:
    explicit Lease(Pool& pool) : pool_(pool), index_(pool.Acquire()) {}
    ~Lease() { pool_.Release(index_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Client& client() { return *pool_.connections_[index_]; }

private:
    Pool& pool_;
    std::size_t index_;
};

Pool::Pool(std::vector<std::unique_ptr<Client>> connections)
    : connections_(std::move(connections)) {
    assert(!connections_.empty());
    for (std::size_t i = connections_.size(); i > 0; --i) idle_.push_back(i - 1);
}

std::size_t Pool::Acquire() {
    std::unique_lock lock(mu_);
    idle_cv_.wait(lock, [this] { return !idle_.empty(); });
    // The most recently released connection: under light load one connection does the work.
    const std::size_t index = idle_.back();
    idle_.pop_back();
    return index;
}

void Pool::Release(std::size_t index) {
    {
        std::lock_guard lock(mu_);
        idle_.push_back(index);
    }
    idle_cv_.notify_one();
}

Result<Reply> Pool::Command(const std::vector<std::string>& argv) {
    Lease lease(*this);
    return lease.client().Command(argv);
}

Result<Reply> Pool::Eval(const Script& script, const std::vector<std::string>& keys,
                                     const std::vector<std::string>& args) {
    Lease lease(*this);
    return lease.client().Eval(script, keys, args);
}

bool Pool::Healthy() {
    Lease lease(*this);
    return lease.client().Healthy();
}

std::unique_ptr<Client> MakePool(const ClientConfig& config, std::size_t size,
                                             prometheus::Registry* registry) {
    std::vector<std::unique_ptr<Client>> connections;
    for (std::size_t i = 0; i < std::max<std::size_t>(size, 1); ++i) {
        connections.push_back(MakeClient(config, registry));
    }
    return std::make_unique<Pool>(std::move(connections));
}

}  // namespace switchboard::redis
