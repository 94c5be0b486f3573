#pragma once

#include <functional>
#include <memory>
#include <string>

#include "switchboard/redis/client.hpp"

namespace switchboard::redis {

// Listens on one Redis pub/sub channel on its own connection and thread, and calls `on_message`
// with each message's payload. Reconnects (and resubscribes) with a backoff of 100 ms doubling to
// 2 s after a lost connection; messages published while disconnected are lost — pub/sub is for
// live fan-out of things that are also stored elsewhere.
//
// The connection is named "sbsub-<channel>" (CLIENT SETNAME).
// Lifetime: Start() once; Stop() (or the destructor) unblocks the read and joins the thread.
// Thread-safety: on_message runs on the subscriber thread; Start/Stop/Subscribed from any thread.
class Subscriber {
public:
    using OnMessage = std::function<void(const std::string& payload)>;
    Subscriber(ClientConfig config, std::string channel, OnMessage on_message);
    ~Subscriber();
    Subscriber(const Subscriber&) = delete;
    Subscriber& operator=(const Subscriber&) = delete;

    void Start();
    void Stop();
    // True while subscribed (readiness).
    bool Subscribed() const;

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::redis
