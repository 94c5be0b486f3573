#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "router.hpp"
#include "switchboard/redis/client.hpp"
#include "switchboard/redis/subscriber.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard::routing {

class InboxHubProbe;

// Carries InboxEvents from whichever replica caused them to whichever replicas hold the operator's
// StreamAssignments streams.
//
// Notify() PUBLISHes "<operator id>\n<serialized InboxEvent>" on one Redis pub/sub channel (the
// naming prefix + "routing:inbox"); every replica's hub subscribes to it (Start()) and hands each
// event to the streams open locally for that operator — also on the replica that published it,
// which is why Notify never delivers locally itself. Pub/sub is best effort: an event published
// while a subscriber is reconnecting is lost, and a stream whose client reads too slowly drops
// events beyond its queue (counted). The inbox recovers both ways by reopening its stream, which
// starts with the operator's pending state.
//
// Lifetime: Start() once; Shutdown() closes every open stream (their waiters wake at once) and
// refuses new ones; Stop() also stops the subscriber. Streams may outlive Shutdown() but not the
// hub. Thread-safety: every method may be called from any thread.
class InboxHub final : public InboxNotifier {
public:
    struct Options {
        std::size_t max_streams = 1000;  // open streams on this replica; more are refused
        std::size_t stream_queue = 256;  // events waiting per stream before new ones are dropped
    };

    // One operator's open feed. Unregisters itself on destruction.
    class Stream {
    public:
        enum class Wait { kEvent, kTimeout, kClosed };
        ~Stream();
        Stream(const Stream&) = delete;
        Stream& operator=(const Stream&) = delete;

        // Waits until an event is queued (moved into `event`), the stream is closed (hub shut down)
        // or `timeout` passes. Queued events are handed out before kClosed.
        Wait Next(v1::InboxEvent& event, std::chrono::milliseconds timeout);
        // Events dropped because the queue was full.
        std::uint64_t dropped() const;
        const OperatorId& op() const { return op_; }

    private:
        friend class InboxHub;
        struct State {
            std::mutex mu;
            std::condition_variable cv;
            std::deque<v1::InboxEvent> queue;
            bool closed = false;
            std::uint64_t dropped = 0;
        };
        Stream(InboxHub& hub, OperatorId op, std::shared_ptr<State> state)
            : hub_(hub), op_(std::move(op)), state_(std::move(state)) {}
        InboxHub& hub_;
        OperatorId op_;
        std::shared_ptr<State> state_;
    };

    // `publisher` sends the PUBLISHes; `subscriber_config` is where the subscriber connects (its
    // own connection); `channel` is the pub/sub channel; `registry` (optional) gets
    // switchboard_routing_inbox_* metrics.
    InboxHub(redis::Client& publisher, redis::ClientConfig subscriber_config, std::string channel,
             Options options, prometheus::Registry* registry = nullptr);
    ~InboxHub() override;
    InboxHub(const InboxHub&) = delete;
    InboxHub& operator=(const InboxHub&) = delete;

    // The channel name for a deployment: naming prefix + "routing:inbox".
    static std::string ChannelFor(const std::string& redis_prefix) { return redis_prefix + "routing:inbox"; }

    void Start();
    void Shutdown();
    void Stop();
    // True while the subscriber is subscribed (readiness).
    bool Subscribed() const { return subscriber_.Subscribed(); }

    // Publishes; never throws. A failed PUBLISH is logged and counted.
    void Notify(const OperatorId& op, const v1::InboxEvent& event) override;

    // A new stream for `op`; nullptr if max_streams are open or the hub is shut down.
    std::unique_ptr<Stream> Open(const OperatorId& op);
    std::size_t open_streams() const;

    // A message from the pub/sub channel (public so the local fan-out is testable without Redis).
    void OnMessage(const std::string& payload);

private:
    void Close(const OperatorId& op, const std::shared_ptr<Stream::State>& state);

    redis::Client& publisher_;
    const std::string channel_;
    const Options options_;
    std::unique_ptr<InboxHubProbe> probe_;
    mutable std::mutex mu_;
    std::multimap<OperatorId, std::shared_ptr<Stream::State>> streams_;  // guarded by mu_
    bool shut_down_ = false;                                             // guarded by mu_
    redis::Subscriber subscriber_;
};

}  // namespace switchboard::routing
