#include "client_events.hpp"

#include <spdlog/spdlog.h>

#include <memory>

namespace switchboard::kafka {

namespace {

spdlog::level::level_enum FromSyslog(int severity) {
    if (severity <= 2) return spdlog::level::critical;
    if (severity == 3) return spdlog::level::err;
    if (severity == 4) return spdlog::level::warn;
    if (severity == 5) return spdlog::level::info;
    // librdkafka's "info" is chatty connection bookkeeping; keep it out of production logs.
    return spdlog::level::debug;
}

}  // namespace

void ClientEvents::event_cb(RdKafka::Event& event) {
    switch (event.type()) {
        case RdKafka::Event::EVENT_ERROR: {
            if (event.fatal()) {
                fatal_.store(true, std::memory_order_relaxed);
                spdlog::critical("kafka {}: fatal error, the client must be recreated: {} ({})",
                                 name_, event.str(), RdKafka::err2str(event.err()));
                return;
            }
            if (event.err() == RdKafka::ERR__ALL_BROKERS_DOWN) {
                MarkBrokerDown();
                spdlog::warn("kafka {}: all brokers are down: {}", name_, event.str());
                return;
            }
            // Connection churn is reported per broker and recovers by itself.
            const bool transient = event.err() == RdKafka::ERR__TRANSPORT ||
                                   event.err() == RdKafka::ERR__RESOLVE ||
                                   event.err() == RdKafka::ERR__TIMED_OUT;
            spdlog::log(transient ? spdlog::level::warn : spdlog::level::err, "kafka {}: {} ({})",
                        name_, event.str(), RdKafka::err2str(event.err()));
            return;
        }
        case RdKafka::Event::EVENT_LOG:
            LogFromLibrdkafka(name_, event.severity(), event.fac(), event.str());
            return;
        case RdKafka::Event::EVENT_THROTTLE:
            spdlog::debug("kafka {}: throttled {} ms by broker {}", name_, event.throttle_time(),
                          event.broker_name());
            return;
        case RdKafka::Event::EVENT_STATS:
            if (on_stats_) on_stats_(event.str());
            return;
    }
}

void LogFromLibrdkafka(std::string_view client, int severity, std::string_view facility,
                       std::string_view message) {
    const spdlog::level::level_enum level =
        facility == "FAIL" ? spdlog::level::debug : FromSyslog(severity);
    spdlog::log(level, "kafka {}: librdkafka {}: {}", client, facility, message);
}

bool ProbeBrokers(RdKafka::Handle& handle, ClientEvents& events, int timeout_ms) {
    RdKafka::Metadata* raw = nullptr;
    // Neither all topics nor one: a broker-list request, the cheapest round trip there is.
    const RdKafka::ErrorCode err = handle.metadata(false, nullptr, &raw, timeout_ms);
    const std::unique_ptr<RdKafka::Metadata> metadata(raw);
    if (err == RdKafka::ERR_NO_ERROR) {
        events.MarkBrokerUp();
        return true;
    }
    events.MarkBrokerDown();
    return false;
}

}  // namespace switchboard::kafka
