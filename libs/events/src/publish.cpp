#include "switchboard/events/publish.hpp"

#include <google/protobuf/message_lite.h>

#include <condition_variable>
#include <memory>
#include <mutex>

namespace switchboard::events {

Outgoing Encode(std::string topic, std::string key, const google::protobuf::MessageLite& message) {
    return Outgoing{std::move(topic), std::move(key), message.SerializeAsString()};
}

Status PublishAll(kafka::Producer& producer, const std::vector<Outgoing>& records,
                  std::chrono::milliseconds timeout) {
    struct State {
        std::mutex mu;
        std::condition_variable cv;
        std::size_t pending = 0;
        Status first_error;
    };
    // Shared with the callbacks: they may run after a timeout returned from here.
    auto state = std::make_shared<State>();
    state->pending = records.size();
    for (const auto& r : records) {
        producer.Produce(r.topic, r.key, r.value, [state](Status s) {
            std::lock_guard lock(state->mu);
            if (!s.ok() && state->first_error.ok()) state->first_error = s;
            if (--state->pending == 0) state->cv.notify_all();
        });
    }
    std::unique_lock lock(state->mu);
    if (!state->cv.wait_for(lock, timeout, [&] { return state->pending == 0; })) {
        return Error::Retryable("timed out waiting for Kafka delivery reports");
    }
    return state->first_error;
}

}  // namespace switchboard::events
