#include "switchboard/channel/inbound.hpp"

#include <spdlog/spdlog.h>

#include <memory>

#include "switchboard/channel/probe.hpp"
#include "switchboard/core/ids.hpp"
#include "switchboard/events/naming.hpp"

namespace switchboard::channel {

namespace {

// KEYS: the id's key. ARGV: lease seconds. "new" (claimed), "accepted" or "pending".
const redis::Script& ClaimScript() {
    static const redis::Script s(R"lua(
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], 'pending', 'EX', ARGV[1])
return 'new'
)lua");
    return s;
}

// KEYS: the id's key. Deletes it only while it is a pending lease (never an accepted id).
const redis::Script& ReleaseScript() {
    static const redis::Script s(R"lua(
if redis.call('GET', KEYS[1]) == 'pending' then redis.call('DEL', KEYS[1]) end
return 1
)lua");
    return s;
}

}  // namespace

InboundLedger::InboundLedger(redis::Client& redis, std::string prefix, std::string channel, Options options)
    : redis_(redis), prefix_(std::move(prefix) + std::move(channel) + ":inbound:"), options_(options) {}

Result<InboundLedger::Claim> InboundLedger::TryClaim(const std::string& channel_message_id) {
    auto r = redis_.Eval(ClaimScript(), {prefix_ + channel_message_id},
                         {std::to_string(options_.pending_lease.count())});
    if (!r) return r.error();
    if (!r->is_string()) return Error::Retryable("unexpected reply from the inbound claim script");
    if (r->string() == "new") return Claim::kNew;
    if (r->string() == "accepted") return Claim::kDuplicate;
    return Claim::kInFlight;
}

Status InboundLedger::Accept(const std::string& channel_message_id) {
    auto r = redis_.Command(
        {"SET", prefix_ + channel_message_id, "accepted", "EX", std::to_string(options_.remember.count())});
    if (!r) return r.error();
    return Status::Ok();
}

Status InboundLedger::Release(const std::string& channel_message_id) {
    auto r = redis_.Eval(ReleaseScript(), {prefix_ + channel_message_id}, {});
    if (!r) return r.error();
    return Status::Ok();
}

const char* ToString(InboundOutcome outcome) {
    switch (outcome) {
        case InboundOutcome::kAccepted: return "accepted";
        case InboundOutcome::kDuplicate: return "duplicate";
        case InboundOutcome::kRetryLater: return "retry_later";
    }
    return "unknown";
}

InboundPublisher::InboundPublisher(kafka::Producer& producer, InboundLedger& ledger, const events::Naming& naming,
                                   common::v1::Channel channel, std::string producer_name, ChannelProbe& probe)
    : producer_(producer),
      ledger_(ledger),
      naming_(naming),
      channel_(channel),
      producer_name_(std::move(producer_name)),
      probe_(probe) {}

std::string InboundPublisher::MessageId(const std::string& channel_message_id) const {
    return DerivedId("m-", std::string(events::ChannelName(channel_)) + ":" + channel_message_id);
}

void InboundPublisher::Publish(const std::string& conversation_id, const std::string& channel_message_id,
                               chat::v1::InboundMessage message, std::function<void(InboundOutcome)> done) {
    auto claim = ledger_.TryClaim(channel_message_id);
    if (!claim) {
        spdlog::warn("{} message {}: cannot check for a duplicate, Redis: {}", producer_name_, channel_message_id,
                     claim.error().message);
        probe_.OnUnavailable();
        done(InboundOutcome::kRetryLater);
        return;
    }
    if (*claim == InboundLedger::Claim::kDuplicate) {
        probe_.OnDuplicate();
        done(InboundOutcome::kDuplicate);
        return;
    }
    if (*claim == InboundLedger::Claim::kInFlight) {
        // Another attempt (a platform retry racing the first) is publishing it: do not publish
        // twice, and do not claim success before it is durable.
        probe_.OnUnavailable();
        done(InboundOutcome::kRetryLater);
        return;
    }
    const std::string message_id = MessageId(channel_message_id);
    const auto received = message.has_received_at() ? events::FromTimestamp(message.received_at())
                                                    : std::chrono::system_clock::now();
    if (!message.has_received_at()) *message.mutable_received_at() = events::ToTimestamp(received);
    events::FillEnvelope(message.mutable_envelope(), DerivedId("e-", message_id), conversation_id, channel_,
                         producer_name_, NewUuid(), received);
    message.set_message_id(message_id);
    message.set_channel_message_id(channel_message_id);
    producer_.Produce(naming_.Inbound(), conversation_id, message.SerializeAsString(),
                      [this, channel_message_id, conversation_id, done = std::move(done)](Status s) {
                          if (!s.ok()) {
                              spdlog::warn("{} conversation {}: message {} not accepted, Kafka: {}", producer_name_,
                                           conversation_id, channel_message_id, s.error().message);
                              if (Status r = ledger_.Release(channel_message_id); !r.ok()) {
                                  // The lease expires by itself; the platform's retry is accepted then.
                                  spdlog::warn("{}: releasing the claim on {} failed: {}", producer_name_,
                                               channel_message_id, r.error().message);
                              }
                              probe_.OnUnavailable();
                              done(InboundOutcome::kRetryLater);
                              return;
                          }
                          if (Status a = ledger_.Accept(channel_message_id); !a.ok()) {
                              // It is in Kafka: the platform is told so. Should it retry anyway once
                              // the lease expires, the record's ids are derived from the channel's id,
                              // so consumers see the same event id again and drop it.
                              spdlog::warn("{}: recording {} as accepted failed: {}", producer_name_,
                                           channel_message_id, a.error().message);
                          }
                          probe_.OnAccepted();
                          done(InboundOutcome::kAccepted);
                      });
}

}  // namespace switchboard::channel
