#pragma once

#include <memory>
#include <mutex>

#include "switchboard/kb/index.hpp"

namespace switchboard::kb {

// The current Index, replaced whole when the knowledge base changes: readers take a snapshot
// (a shared_ptr) and keep using it for one decision while a rebuilt Index is swapped in.
// Thread-safe.
class LiveIndex {
public:
    explicit LiveIndex(std::shared_ptr<const Index> initial) : current_(std::move(initial)) {}

    std::shared_ptr<const Index> Get() const {
        std::lock_guard lock(mu_);
        return current_;
    }
    void Set(std::shared_ptr<const Index> next) {
        std::lock_guard lock(mu_);
        current_ = std::move(next);
    }

private:
    mutable std::mutex mu_;
    std::shared_ptr<const Index> current_;
};

}  // namespace switchboard::kb
