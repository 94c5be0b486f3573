#include "kb_publisher.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string_view>

#include "kb_catalog.hpp"

namespace switchboard::assistant {

KbPublisher::KbPublisher(kafka::Producer& producer, std::string topic)
    : producer_(producer), topic_(std::move(topic)) {}

Status KbPublisher::Publish(const std::vector<ArticleChange>& changes, std::chrono::milliseconds timeout) {
    struct State {
        std::mutex mu;
        std::condition_variable cv;
        std::size_t pending = 0;
        Status first_error;
    };
    // Shared with the callbacks: they may run after a timeout returned from here.
    auto state = std::make_shared<State>();
    state->pending = changes.size();
    for (const ArticleChange& change : changes) {
        auto on_delivery = [state](Status s) {
            std::lock_guard lock(state->mu);
            if (!s.ok() && (state->first_error.ok() || s.error().retryable)) state->first_error = s;
            if (--state->pending == 0) state->cv.notify_all();
        };
        if (change.article) {
            const std::string value = ToProto(*change.article).SerializeAsString();
            producer_.Produce(topic_, change.id, value, std::move(on_delivery));
        } else {
            // A string_view with a null data() is produced as a null value: the tombstone.
            producer_.Produce(topic_, change.id, std::string_view(), std::move(on_delivery));
        }
    }
    std::unique_lock lock(state->mu);
    if (!state->cv.wait_for(lock, timeout, [&] { return state->pending == 0; })) {
        return Error::Retryable("timed out waiting for Kafka delivery reports on " + topic_);
    }
    return state->first_error;
}

}  // namespace switchboard::assistant
