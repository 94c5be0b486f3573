#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/core/clock.hpp"
#include "switchboard/core/error.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/events/publish.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "switchboard/kafka/producer.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::channel {

class ChannelProbe;
class RateLimiter;

// Which reply ids were sent, so a reply is delivered at most once across redeliveries, restarts
// and replicas. A send first takes a lease ("sending"); a lease found expired means a replica
// stopped mid-send: the reply may or may not have arrived, so it is not sent again (reported as
// failed with reason "outcome_unknown"). Keys: <prefix><channel>:reply:<reply id> (30 days) and
// <prefix><channel>:platform-id:<platform message id> → reply id. Thread-safe.
class DeliveryLedger {
public:
    DeliveryLedger(redis::Client& redis, std::string prefix, std::string channel);

    enum class State {
        kClaimed,    // nobody sent it: this caller now holds the lease and sends
        kSending,    // another attempt holds a live lease: retry later
        kAbandoned,  // a lease expired mid-send: do not send again
        kDelivered,  // sent; the ReplyDelivered report may still be missing
        kFailed,     // given up; the ReplyFailed report may still be missing
        kReported,   // sent or failed, and reported: nothing to do
    };
    struct Entry {
        State state = State::kClaimed;
        std::string platform_message_id;  // kDelivered
        std::string detail;               // kFailed: "<reason>\n<platform response>"
    };
    Result<Entry> Begin(const std::string& reply_id, std::chrono::seconds lease);
    Status ExtendLease(const std::string& reply_id, std::chrono::seconds lease);
    // Gives a lease back without sending (shutdown mid-backoff): the next attempt sends.
    Status Release(const std::string& reply_id);
    Status MarkDelivered(const std::string& reply_id, const std::string& platform_message_id);
    Status MarkFailed(const std::string& reply_id, const std::string& reason, const std::string& platform_response);
    Status MarkReported(const std::string& reply_id);
    // The reply id we sent as this platform message id (for delivery receipts), or "" if unknown.
    Result<std::string> ReplyForPlatformId(const std::string& platform_message_id);

private:
    redis::Client& redis_;
    std::string prefix_;
};

// The outcome of one attempt to hand a reply to the platform.
struct SendAttempt {
    enum class Kind {
        kDelivered,  // the platform took it
        kRetry,      // transient (5xx, 429, network): try again after retry_after
        kFailed,     // the platform refused it for good (4xx), or it cannot be sent (no address)
    };
    Kind kind = Kind::kFailed;
    std::string platform_message_id;    // kDelivered: the platform's id for the message
    std::string platform_response;      // e.g. "429 Too Many Requests: retry after 3"
    std::string reason = "rejected";    // kFailed: ReplyFailed.reason
    std::chrono::milliseconds retry_after{0};  // kRetry: the platform's hint; 0 = use backoff
    // kFailed: more events to publish with the ReplyFailed (e.g. a HandoffRequested when
    // WhatsApp's 24-hour window closed on a bot reply).
    std::vector<events::Outgoing> extra_events;

    static SendAttempt Delivered(std::string platform_message_id);
    static SendAttempt Retry(std::string platform_response, std::chrono::milliseconds retry_after = {});
    static SendAttempt Failed(std::string reason, std::string platform_response);
};

// Sends one reply through the platform: a blocking call made on the consumer thread. The sender
// reports its platform calls (ChannelProbe::OnPlatformRequest). A sender that needs several
// platform messages for one reply (a long text split in parts) takes the rate limiter's slots for
// the extra parts itself and remembers which parts went out, so a retry does not repeat them.
using Sender = std::function<SendAttempt(const chat::v1::OutboundMessage&)>;

// The chat.outbound.<channel>.v1 consumer's handler shared by the platform gateways: validates
// the record, takes the reply id's lease, rate-limits (key = conversation id), sends with retries
// and exponential backoff honouring the platform's retry_after, and reports ReplyDelivered or
// ReplyFailed on chat.events.v1. Returns a retryable error only when Kafka or Redis failed (the
// consumer retries the record; the ledger keeps the send at most once).
class OutboundDelivery {
public:
    struct Options {
        int max_attempts = 6;
        std::chrono::milliseconds first_backoff{200};
        std::chrono::milliseconds max_backoff{10000};
        // Give up (ReplyFailed "retries_exhausted") once retrying would pass this.
        std::chrono::milliseconds give_up_after{60000};
        std::chrono::seconds lease{120};  // must exceed give_up_after
        // What the rate limiter counts per key; default: the conversation id (one chat).
        std::function<std::string(const chat::v1::OutboundMessage&)> rate_key;
    };
    OutboundDelivery(kafka::Producer& producer, DeliveryLedger& ledger, RateLimiter& limiter,
                     const events::Naming& naming, const Clock& clock, common::v1::Channel channel,
                     std::string producer_name, ChannelProbe& probe, Options options);

    Status Handle(const kafka::Record& record, const Sender& send);
    // Wakes and ends any backoff wait (shutdown); the record is retried by the next owner.
    void Stop();

private:
    Status Send(const chat::v1::OutboundMessage& out, const Sender& send);
    Status Report(const chat::v1::OutboundMessage& out, const DeliveryLedger::Entry& entry,
                  std::vector<events::Outgoing> extra, bool count);
    // False if Stop() was called (before or during the wait).
    bool SleepUnlessStopped(std::chrono::milliseconds d);

    kafka::Producer& producer_;
    DeliveryLedger& ledger_;
    RateLimiter& limiter_;
    const events::Naming& naming_;
    const Clock& clock_;
    common::v1::Channel channel_;
    std::string producer_name_;
    ChannelProbe& probe_;
    Options options_;
    std::mutex mu_;
    std::condition_variable wake_;
    bool stopped_ = false;
};

}  // namespace switchboard::channel
