#include "switchboard/channel/delivery.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "switchboard/channel/probe.hpp"
#include "switchboard/channel/rate_limiter.hpp"
#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/core/ids.hpp"
#include "switchboard/events/labels.hpp"

namespace switchboard::channel {

namespace chat = switchboard::chat::v1;

namespace {

constexpr const char* kRememberSeconds = "2592000";  // 30 days

// KEYS: the reply's key. ARGV: lease ms, remember seconds. Lease expiry is judged on Redis' clock,
// so replicas' clocks do not matter. Returns "claimed", "sending", "abandoned" or the stored value.
const redis::Script& BeginScript() {
    static const redis::Script s(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], 'sending:' .. (now + tonumber(ARGV[1])), 'EX', ARGV[2])
  return 'claimed'
end
if string.sub(v, 1, 8) == 'sending:' then
  if tonumber(string.sub(v, 9)) > now then return 'sending' end
  return 'abandoned'
end
return v
)lua");
    return s;
}

// KEYS: the reply's key. ARGV: lease ms (0 = release), remember seconds. Only while it is sending.
const redis::Script& LeaseScript() {
    static const redis::Script s(R"lua(
local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, 8) ~= 'sending:' then return 0 end
if tonumber(ARGV[1]) == 0 then redis.call('DEL', KEYS[1]) return 1 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], 'sending:' .. (now + tonumber(ARGV[1])), 'EX', ARGV[2])
return 1
)lua");
    return s;
}

std::string Ms(std::chrono::milliseconds d) { return std::to_string(d.count()); }

}  // namespace

DeliveryLedger::DeliveryLedger(redis::Client& redis, std::string prefix, std::string channel)
    : redis_(redis), prefix_(std::move(prefix) + std::move(channel) + ":") {}

Result<DeliveryLedger::Entry> DeliveryLedger::Begin(const std::string& reply_id, std::chrono::seconds lease) {
    auto r = redis_.Eval(BeginScript(), {prefix_ + "reply:" + reply_id},
                         {Ms(std::chrono::duration_cast<std::chrono::milliseconds>(lease)), kRememberSeconds});
    if (!r) return r.error();
    if (!r->is_string()) return Error::Retryable("unexpected reply from the delivery ledger script");
    const std::string& v = r->string();
    Entry e;
    if (v == "claimed") {
        e.state = State::kClaimed;
    } else if (v == "sending") {
        e.state = State::kSending;
    } else if (v == "abandoned") {
        e.state = State::kAbandoned;
    } else if (v == "reported") {
        e.state = State::kReported;
    } else if (v.rfind("delivered:", 0) == 0) {
        e.state = State::kDelivered;
        e.platform_message_id = v.substr(10);
    } else if (v.rfind("failed:", 0) == 0) {
        e.state = State::kFailed;
        e.detail = v.substr(7);
    } else {
        return Error::Fatal("unknown delivery ledger value for reply " + reply_id);
    }
    return e;
}

Status DeliveryLedger::ExtendLease(const std::string& reply_id, std::chrono::seconds lease) {
    auto r = redis_.Eval(LeaseScript(), {prefix_ + "reply:" + reply_id},
                         {Ms(std::chrono::duration_cast<std::chrono::milliseconds>(lease)), kRememberSeconds});
    if (!r) return r.error();
    return Status::Ok();
}

Status DeliveryLedger::Release(const std::string& reply_id) {
    auto r = redis_.Eval(LeaseScript(), {prefix_ + "reply:" + reply_id}, {"0", kRememberSeconds});
    if (!r) return r.error();
    return Status::Ok();
}

Status DeliveryLedger::MarkDelivered(const std::string& reply_id, const std::string& platform_message_id) {
    if (!platform_message_id.empty()) {
        auto m = redis_.Command(
            {"SET", prefix_ + "platform-id:" + platform_message_id, reply_id, "EX", kRememberSeconds});
        if (!m) return m.error();
    }
    auto r = redis_.Command({"SET", prefix_ + "reply:" + reply_id, "delivered:" + platform_message_id, "EX",
                             kRememberSeconds});
    if (!r) return r.error();
    return Status::Ok();
}

Status DeliveryLedger::MarkFailed(const std::string& reply_id, const std::string& reason,
                                  const std::string& platform_response) {
    auto r = redis_.Command({"SET", prefix_ + "reply:" + reply_id, "failed:" + reason + "\n" + platform_response,
                             "EX", kRememberSeconds});
    if (!r) return r.error();
    return Status::Ok();
}

Status DeliveryLedger::MarkReported(const std::string& reply_id) {
    auto r = redis_.Command({"SET", prefix_ + "reply:" + reply_id, "reported", "EX", kRememberSeconds});
    if (!r) return r.error();
    return Status::Ok();
}

Result<std::string> DeliveryLedger::ReplyForPlatformId(const std::string& platform_message_id) {
    auto r = redis_.Command({"GET", prefix_ + "platform-id:" + platform_message_id});
    if (!r) return r.error();
    return r->is_string() ? r->string() : std::string();
}

SendAttempt SendAttempt::Delivered(std::string platform_message_id) {
    SendAttempt a;
    a.kind = Kind::kDelivered;
    a.platform_message_id = std::move(platform_message_id);
    return a;
}

SendAttempt SendAttempt::Retry(std::string platform_response, std::chrono::milliseconds retry_after) {
    SendAttempt a;
    a.kind = Kind::kRetry;
    a.platform_response = std::move(platform_response);
    a.retry_after = retry_after;
    return a;
}

SendAttempt SendAttempt::Failed(std::string reason, std::string platform_response) {
    SendAttempt a;
    a.kind = Kind::kFailed;
    a.reason = std::move(reason);
    a.platform_response = std::move(platform_response);
    return a;
}

OutboundDelivery::OutboundDelivery(kafka::Producer& producer, DeliveryLedger& ledger, RateLimiter& limiter,
                                   const events::Naming& naming, const Clock& clock, common::v1::Channel channel,
                                   std::string producer_name, ChannelProbe& probe, Options options)
    : producer_(producer),
      ledger_(ledger),
      limiter_(limiter),
      naming_(naming),
      clock_(clock),
      channel_(channel),
      producer_name_(std::move(producer_name)),
      probe_(probe),
      options_(std::move(options)) {}

void OutboundDelivery::Stop() {
    {
        std::lock_guard lock(mu_);
        stopped_ = true;
    }
    wake_.notify_all();
}

bool OutboundDelivery::SleepUnlessStopped(std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    if (d.count() > 0) wake_.wait_for(lock, d, [this] { return stopped_; });
    return !stopped_;
}

Status OutboundDelivery::Handle(const kafka::Record& record, const Sender& send) {
    chat::OutboundMessage out;
    if (!out.ParseFromString(record.value)) {
        probe_.OnInvalidRecord();
        return Error::Fatal("undecodable OutboundMessage");
    }
    if (!IsValidExternalId(out.envelope().conversation_id()) || out.reply_id().empty() || out.text().empty()) {
        probe_.OnInvalidRecord();
        return Error::Fatal("invalid OutboundMessage (conversation id, reply id and text are required)");
    }
    auto entry = ledger_.Begin(out.reply_id(), options_.lease);
    if (!entry) return entry.error();
    switch (entry->state) {
        case DeliveryLedger::State::kReported:
            return Status::Ok();
        case DeliveryLedger::State::kSending:
            return Error::Retryable("reply " + out.reply_id() + " is being sent by another attempt");
        case DeliveryLedger::State::kAbandoned: {
            const std::string why = "a gateway stopped while sending it; not sent again (it may have arrived)";
            spdlog::warn("{} conversation {}: reply {} abandoned mid-send: reporting it failed",
                         producer_name_, out.envelope().conversation_id(), out.reply_id());
            if (Status s = ledger_.MarkFailed(out.reply_id(), "outcome_unknown", why); !s.ok()) return s;
            DeliveryLedger::Entry failed;
            failed.state = DeliveryLedger::State::kFailed;
            failed.detail = "outcome_unknown\n" + why;
            return Report(out, failed, {}, true);
        }
        case DeliveryLedger::State::kDelivered:
        case DeliveryLedger::State::kFailed:
            return Report(out, *entry, {}, false);
        case DeliveryLedger::State::kClaimed:
            return Send(out, send);
    }
    return Error::Fatal("unreachable");
}

Status OutboundDelivery::Send(const chat::OutboundMessage& out, const Sender& send) {
    const std::string& conv = out.envelope().conversation_id();
    const std::string key = options_.rate_key ? options_.rate_key(out) : conv;
    const auto deadline = std::chrono::steady_clock::now() + options_.give_up_after;
    auto backoff = options_.first_backoff;
    auto stopping = [&] {
        if (Status s = ledger_.Release(out.reply_id()); !s.ok()) {
            spdlog::warn("{}: releasing reply {} failed: {}", producer_name_, out.reply_id(), s.error().message);
        }
        return Error::Retryable("stopping before reply " + out.reply_id() + " was sent");
    };
    for (int attempt = 1;; ++attempt) {
        if (!SleepUnlessStopped(limiter_.Reserve(key))) return stopping();
        SendAttempt a = send(out);
        if (a.kind == SendAttempt::Kind::kDelivered) {
            if (Status s = ledger_.MarkDelivered(out.reply_id(), a.platform_message_id); !s.ok()) {
                // Sent, but not recorded: the lease stays, and a later attempt reports it as
                // outcome_unknown rather than sending it twice.
                spdlog::error("{} conversation {}: reply {} sent but not recorded: {}", producer_name_, conv,
                              out.reply_id(), s.error().message);
                return s;
            }
            DeliveryLedger::Entry e;
            e.state = DeliveryLedger::State::kDelivered;
            e.platform_message_id = a.platform_message_id;
            return Report(out, e, {}, true);
        }
        std::string reason = a.reason;
        if (a.kind == SendAttempt::Kind::kRetry) {
            const auto delay = std::max(a.retry_after, backoff);
            backoff = std::min(backoff * 2, options_.max_backoff);
            if (attempt < options_.max_attempts && std::chrono::steady_clock::now() + delay < deadline) {
                spdlog::info("{} conversation {}: reply {} not taken ({}), retrying in {} ms (attempt {})",
                             producer_name_, conv, out.reply_id(), a.platform_response, delay.count(), attempt);
                if (Status s = ledger_.ExtendLease(out.reply_id(), options_.lease); !s.ok()) return s;
                if (!SleepUnlessStopped(delay)) return stopping();
                continue;
            }
            reason = "retries_exhausted";
        }
        spdlog::warn("{} conversation {}: reply {} failed ({}): {}", producer_name_, conv, out.reply_id(), reason,
                     a.platform_response);
        // Nothing reached the customer, so the lease is kept until the report (and the sender's
        // extra events, e.g. a handoff) is published: if that fails, the lease is given back and
        // the retry asks the platform again and rebuilds them, instead of losing them.
        DeliveryLedger::Entry e;
        e.state = DeliveryLedger::State::kFailed;
        e.detail = reason + "\n" + a.platform_response;
        if (Status s = Report(out, e, std::move(a.extra_events), true); !s.ok()) {
            if (Status r = ledger_.Release(out.reply_id()); !r.ok()) {
                spdlog::warn("{}: releasing reply {} failed: {}", producer_name_, out.reply_id(), r.error().message);
            }
            return s;
        }
        return Status::Ok();
    }
}

Status OutboundDelivery::Report(const chat::OutboundMessage& out, const DeliveryLedger::Entry& entry,
                                std::vector<events::Outgoing> extra, bool count) {
    const std::string& conv = out.envelope().conversation_id();
    const auto now = clock_.Now();
    const bool delivered = entry.state == DeliveryLedger::State::kDelivered;
    chat::ConversationEvent ev;
    events::FillEnvelope(ev.mutable_envelope(),
                         DerivedId("e-", (delivered ? "delivered:" : "failed:") + out.reply_id()), conv, channel_,
                         producer_name_, out.envelope().trace_id(), now);
    std::string reason;
    if (delivered) {
        auto* d = ev.mutable_reply_delivered();
        d->set_reply_id(out.reply_id());
        d->set_responder(out.responder());
        *d->mutable_delivered_at() = events::ToTimestamp(now);
        d->set_kind(out.kind());
        d->set_operator_id(out.operator_id());
    } else {
        const auto nl = entry.detail.find('\n');
        reason = entry.detail.substr(0, nl);
        auto* f = ev.mutable_reply_failed();
        f->set_reply_id(out.reply_id());
        f->set_responder(out.responder());
        *f->mutable_failed_at() = events::ToTimestamp(now);
        f->set_kind(out.kind());
        f->set_operator_id(out.operator_id());
        f->set_reason(reason);
        f->set_platform_response(nl == std::string::npos ? "" : entry.detail.substr(nl + 1));
    }
    std::vector<events::Outgoing> records{events::Encode(naming_.Events(), conv, ev)};
    for (auto& e : extra) records.push_back(std::move(e));
    if (Status s = events::PublishAll(producer_, records); !s.ok()) return s;
    if (Status s = ledger_.MarkReported(out.reply_id()); !s.ok()) return s;
    if (count) {
        if (delivered) {
            probe_.OnReplyDelivered(std::string(events::ResponderLabel(out.responder())));
        } else {
            probe_.OnReplyFailed(reason);
        }
    }
    return Status::Ok();
}

}  // namespace switchboard::channel
