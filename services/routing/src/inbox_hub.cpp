#include "inbox_hub.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include "switchboard/core/ids.hpp"

namespace switchboard::routing {

// The hub's metrics; without a registry (tests) every call is a no-op.
class InboxHubProbe {
public:
    explicit InboxHubProbe(prometheus::Registry* registry) {
        if (registry == nullptr) return;
        auto& events =
            prometheus::BuildCounter()
                .Name("switchboard_routing_inbox_events_total")
                .Help(
                    "Inbox events by outcome: published (to Redis), publish_failed, delivered (to a "
                    "local stream), dropped (a slow stream's queue was full), undecodable")
                .Register(*registry);
        published_ = &events.Add({{"result", "published"}});
        publish_failed_ = &events.Add({{"result", "publish_failed"}});
        delivered_ = &events.Add({{"result", "delivered"}});
        dropped_ = &events.Add({{"result", "dropped"}});
        undecodable_ = &events.Add({{"result", "undecodable"}});
        streams_ = &prometheus::BuildGauge()
                        .Name("switchboard_routing_inbox_streams")
                        .Help("StreamAssignments streams open on this replica")
                        .Register(*registry)
                        .Add({});
        refused_ = &prometheus::BuildCounter()
                        .Name("switchboard_routing_inbox_streams_refused_total")
                        .Help("StreamAssignments streams refused because inbox.max-streams were open")
                        .Register(*registry)
                        .Add({});
    }
    void OnPublished() { Inc(published_); }
    void OnPublishFailed() { Inc(publish_failed_); }
    void OnDelivered() { Inc(delivered_); }
    void OnDropped() { Inc(dropped_); }
    void OnUndecodable() { Inc(undecodable_); }
    void OnRefused() { Inc(refused_); }
    void SetStreams(std::size_t n) {
        if (streams_ != nullptr) streams_->Set(static_cast<double>(n));
    }

private:
    static void Inc(prometheus::Counter* c) {
        if (c != nullptr) c->Increment();
    }
    prometheus::Counter* published_ = nullptr;
    prometheus::Counter* publish_failed_ = nullptr;
    prometheus::Counter* delivered_ = nullptr;
    prometheus::Counter* dropped_ = nullptr;
    prometheus::Counter* undecodable_ = nullptr;
    prometheus::Counter* refused_ = nullptr;
    prometheus::Gauge* streams_ = nullptr;
};

InboxHub::Stream::~Stream() { hub_.Close(op_, state_); }

InboxHub::Stream::Wait InboxHub::Stream::Next(v1::InboxEvent& event, std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mu);
    if (!state_->cv.wait_for(lock, timeout, [this] { return !state_->queue.empty() || state_->closed; })) {
        return Wait::kTimeout;
    }
    if (!state_->queue.empty()) {
        event = std::move(state_->queue.front());
        state_->queue.pop_front();
        return Wait::kEvent;
    }
    return Wait::kClosed;
}

std::uint64_t InboxHub::Stream::dropped() const {
    std::lock_guard lock(state_->mu);
    return state_->dropped;
}

InboxHub::InboxHub(redis::Client& publisher, redis::ClientConfig subscriber_config, std::string channel,
                   Options options, prometheus::Registry* registry)
    : publisher_(publisher),
      channel_(channel),
      options_(options),
      probe_(std::make_unique<InboxHubProbe>(registry)),
      subscriber_(std::move(subscriber_config), std::move(channel),
                  [this](const std::string& payload) { OnMessage(payload); }) {}

InboxHub::~InboxHub() { Stop(); }

void InboxHub::Start() { subscriber_.Start(); }

void InboxHub::Shutdown() {
    std::vector<std::shared_ptr<Stream::State>> open;
    {
        std::lock_guard lock(mu_);
        shut_down_ = true;
        for (auto& [op, state] : streams_) open.push_back(state);
    }
    for (auto& state : open) {
        {
            std::lock_guard lock(state->mu);
            state->closed = true;
        }
        state->cv.notify_all();
    }
}

void InboxHub::Stop() {
    Shutdown();
    subscriber_.Stop();
}

void InboxHub::Notify(const OperatorId& op, const v1::InboxEvent& event) {
    std::string payload = op.str();
    payload.push_back('\n');
    if (!event.AppendToString(&payload)) {
        spdlog::error("inbox: cannot serialize an event for operator {}", op.str());
        probe_->OnPublishFailed();
        return;
    }
    if (auto r = publisher_.Command({"PUBLISH", channel_, payload}); !r) {
        spdlog::warn("inbox: cannot publish an event for operator {}: {}", op.str(), r.error().message);
        probe_->OnPublishFailed();
        return;
    }
    probe_->OnPublished();
}

std::unique_ptr<InboxHub::Stream> InboxHub::Open(const OperatorId& op) {
    auto state = std::make_shared<Stream::State>();
    {
        std::lock_guard lock(mu_);
        if (shut_down_) return nullptr;
        if (streams_.size() >= options_.max_streams) {
            probe_->OnRefused();
            return nullptr;
        }
        streams_.emplace(op, state);
        probe_->SetStreams(streams_.size());
    }
    return std::unique_ptr<Stream>(new Stream(*this, op, std::move(state)));
}

std::size_t InboxHub::open_streams() const {
    std::lock_guard lock(mu_);
    return streams_.size();
}

void InboxHub::Close(const OperatorId& op, const std::shared_ptr<Stream::State>& state) {
    std::lock_guard lock(mu_);
    auto [first, last] = streams_.equal_range(op);
    for (auto it = first; it != last; ++it) {
        if (it->second == state) {
            streams_.erase(it);
            break;
        }
    }
    probe_->SetStreams(streams_.size());
}

void InboxHub::OnMessage(const std::string& payload) {
    const std::size_t nl = payload.find('\n');
    v1::InboxEvent event;
    if (nl == std::string::npos || !IsValidExternalId(std::string_view(payload).substr(0, nl)) ||
        !event.ParseFromArray(payload.data() + nl + 1, static_cast<int>(payload.size() - nl - 1))) {
        spdlog::warn("inbox: undecodable message on {} ({} bytes), skipped", channel_, payload.size());
        probe_->OnUndecodable();
        return;
    }
    const OperatorId op(payload.substr(0, nl));
    std::lock_guard lock(mu_);
    auto [first, last] = streams_.equal_range(op);
    for (auto it = first; it != last; ++it) {
        Stream::State& s = *it->second;
        {
            std::lock_guard slock(s.mu);
            if (s.closed) continue;
            if (s.queue.size() >= options_.stream_queue) {
                // Once per stream: a client this slow is likely gone or stuck; it resyncs on reopen.
                if (++s.dropped == 1)
                    spdlog::warn("inbox: a stream of operator {} is not keeping up; dropping events",
                                 op.str());
                probe_->OnDropped();
                continue;
            }
            s.queue.push_back(event);
        }
        s.cv.notify_one();
        probe_->OnDelivered();
    }
}

}  // namespace switchboard::routing
