#include "whatsapp_gateway.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <set>

#include "address.hpp"
#include "switchboard/channel/probe.hpp"
#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/core/ids.hpp"
#include "switchboard/events/publish.hpp"
#include "webhook_auth.hpp"

namespace switchboard::gateway_whatsapp {

namespace chat = switchboard::chat::v1;

namespace {

constexpr const char* kProducer = "gateway-whatsapp";

std::optional<chat::ChannelStatus::Status> StatusValue(const std::string& s) {
    if (s == "sent") return chat::ChannelStatus::STATUS_SENT;
    if (s == "delivered") return chat::ChannelStatus::STATUS_DELIVERED;
    if (s == "read") return chat::ChannelStatus::STATUS_READ;
    if (s == "failed") return chat::ChannelStatus::STATUS_FAILED;
    return std::nullopt;
}

Clock::TimePoint FromUnixSeconds(std::int64_t seconds) {
    return Clock::TimePoint(std::chrono::seconds(seconds));
}

// Collects the outcomes of one POST's messages and answers once the last is known.
class PostOutcome {
public:
    explicit PostOutcome(http::Respond respond) : respond_(std::move(respond)) {}

    void Expect() {
        std::lock_guard lock(mu_);
        ++pending_;
    }
    void Done(bool ok) {
        bool last = false;
        {
            std::lock_guard lock(mu_);
            if (!ok) retry_ = true;
            last = --pending_ == 0;
        }
        if (!last) return;
        if (retry_) {
            respond_(
                http::Response::JsonError(503, "unavailable", "not every message could be stored; retry"));
        } else {
            respond_(http::Response::Json(200, R"({"status":"ok"})"));
        }
    }

private:
    http::Respond respond_;
    std::mutex mu_;
    int pending_ = 1;  // the POST itself: released once every message was handed over
    bool retry_ = false;
};

}  // namespace

chat::InboundMessage ToInbound(const WaMessage& message, Clock::TimePoint received_at) {
    chat::InboundMessage m;
    m.set_text(message.text);
    *m.mutable_received_at() = events::ToTimestamp(received_at);
    m.mutable_customer()->set_id(message.from);
    m.mutable_customer()->set_display_name(message.profile_name);
    for (const auto& a : message.attachments) *m.add_attachments() = a;
    for (const auto& [k, v] : message.metadata) (*m.mutable_channel_metadata())[k] = v;
    (*m.mutable_channel_metadata())["whatsapp.phone_number_id"] = message.phone_number_id;
    return m;
}

WhatsAppGateway::WhatsAppGateway(channel::InboundPublisher& publisher, channel::InboundLedger& status_ledger,
                                 channel::DeliveryLedger& deliveries, CustomerWindowStore& window,
                                 kafka::Producer& producer, const events::Naming& naming, const Clock& clock,
                                 channel::ChannelProbe& probe, WhatsAppProbe& wa_probe, Secrets secrets)
    : publisher_(publisher),
      status_ledger_(status_ledger),
      deliveries_(deliveries),
      window_(window),
      producer_(producer),
      naming_(naming),
      clock_(clock),
      probe_(probe),
      wa_probe_(wa_probe),
      secrets_(std::move(secrets)) {}

void WhatsAppGateway::RegisterRoutes(http::Server& server) {
    server.Route("GET", "/webhook",
                 [this](http::Request req, http::Respond respond) { Verify(req, respond); });
    server.Route("POST", "/webhook",
                 [this](http::Request req, http::Respond respond) { Notify(req, std::move(respond)); });
}

void WhatsAppGateway::Verify(const http::Request& request, const http::Respond& respond) {
    auto challenge = VerifySubscription(request.query, secrets_.verify_token);
    if (!challenge) {
        probe_.OnRejected("bad_verify_token");
        spdlog::warn("webhook subscription refused (from {})", request.remote_address);
        respond(http::Response::Text(403, "forbidden"));
        return;
    }
    spdlog::info("webhook subscription verified (from {})", request.remote_address);
    http::Response r = http::Response::Text(200, std::move(*challenge));
    r.content_type = "text/plain";
    respond(std::move(r));
}

void WhatsAppGateway::Notify(const http::Request& request, http::Respond respond) {
    // Authenticate the raw bytes first: nothing of an unsigned body is parsed.
    const SignatureCheck check =
        CheckSignature(request.Header("X-Hub-Signature-256"), request.body, secrets_.app_secret);
    if (check != SignatureCheck::kValid) {
        probe_.OnRejected("bad_signature");
        spdlog::warn("webhook refused: signature {} (from {}, {} bytes)", ToString(check),
                     request.remote_address, request.body.size());
        const int status = check == SignatureCheck::kMismatch ? 403 : 401;
        respond(http::Response::JsonError(status, "bad_signature",
                                          "X-Hub-Signature-256 is missing or does not match"));
        return;
    }
    auto payload = ParseWebhook(request.body);
    if (!payload) {
        probe_.OnRejected("invalid_payload");
        spdlog::warn("webhook refused: {} ({} bytes)", payload.error().message, request.body.size());
        respond(http::Response::JsonError(400, "invalid_payload", payload.error().message));
        return;
    }
    for (int i = 0; i < payload->ignored_changes; ++i) wa_probe_.OnIgnored("other_change");

    auto outcome = std::make_shared<PostOutcome>(std::move(respond));
    bool statuses_ok = true;
    if (!payload->statuses.empty()) {
        if (Status s = PublishStatuses(payload->statuses); !s.ok()) {
            spdlog::warn("webhook: statuses not published: {}", s.error().message);
            probe_.OnUnavailable();
            statuses_ok = false;
        }
    }

    const auto now = clock_.Now();
    std::set<std::string> seen;  // a wamid listed twice in one POST is published once
    for (const WaMessage& m : payload->messages) {
        if (!seen.insert(m.id).second) continue;
        const auto address = WaAddress::Make(m.phone_number_id, m.from);
        if (!address) {
            // E.g. a customer known only by a business-scoped user id: we could not answer them.
            wa_probe_.OnIgnored("unaddressable");
            spdlog::warn("webhook: message {} from a sender without a phone-number wa_id ignored", m.id);
            continue;
        }
        if (m.text.empty() && m.attachments.empty()) {
            wa_probe_.OnIgnored(m.type == "reaction" ? "reaction_removed" : "empty");
            continue;
        }
        const std::string conv = address->ConversationId();
        // The window is recorded before the message can be answered, so no reply finds it unset.
        const auto sent_at = m.timestamp > 0 ? std::min(FromUnixSeconds(m.timestamp), now) : now;
        if (Status s = window_.RecordInbound(conv, sent_at); !s.ok()) {
            spdlog::warn("conversation {}: customer window not recorded: {}", conv, s.error().message);
            probe_.OnUnavailable();
            outcome->Expect();
            outcome->Done(false);
            continue;
        }
        outcome->Expect();
        publisher_.Publish(conv, m.id, ToInbound(m, now), [outcome, conv](channel::InboundOutcome o) {
            if (o == channel::InboundOutcome::kRetryLater)
                spdlog::warn("conversation {}: message not stored yet", conv);
            outcome->Done(o != channel::InboundOutcome::kRetryLater);
        });
    }
    outcome->Done(statuses_ok);
}

Status WhatsAppGateway::PublishStatuses(const std::vector<WaStatus>& statuses) {
    std::vector<events::Outgoing> records;
    std::vector<std::string> claimed;
    std::vector<std::string> labels;
    auto release = [this, &claimed] {
        for (const auto& key : claimed) (void)status_ledger_.Release(key);
    };
    const auto now = clock_.Now();
    for (const WaStatus& st : statuses) {
        const auto value = StatusValue(st.status);
        const auto address = WaAddress::Make(st.phone_number_id, st.recipient_id);
        if (!value || !address) {
            wa_probe_.OnIgnored(!value ? "unknown_status" : "unaddressable");
            continue;
        }
        const std::string key = st.id + ":" + st.status;
        if (std::find(claimed.begin(), claimed.end(), key) != claimed.end()) continue;  // listed twice
        auto claim = status_ledger_.TryClaim(key);
        if (!claim) {
            release();
            return claim.error();
        }
        if (*claim == channel::InboundLedger::Claim::kDuplicate) continue;
        if (*claim == channel::InboundLedger::Claim::kInFlight) {
            release();
            return Error::Retryable("status " + key + " is being published by another request");
        }
        claimed.push_back(key);
        auto reply_id = deliveries_.ReplyForPlatformId(st.id);
        if (!reply_id) {
            release();
            return reply_id.error();
        }
        const std::string conv = address->ConversationId();
        chat::ConversationEvent ev;
        events::FillEnvelope(ev.mutable_envelope(), DerivedId("e-", "wa-status:" + key), conv,
                             common::v1::CHANNEL_WHATSAPP, kProducer, NewUuid(), now);
        auto* cs = ev.mutable_channel_status();
        cs->set_reply_id(*reply_id);
        cs->set_channel_message_id(st.id);
        cs->set_status(*value);
        *cs->mutable_at() = events::ToTimestamp(st.timestamp > 0 ? FromUnixSeconds(st.timestamp) : now);
        cs->set_error(st.error);
        records.push_back(events::Encode(naming_.Events(), conv, ev));
        labels.push_back(st.status);
    }
    if (records.empty()) return Status::Ok();
    if (Status s = events::PublishAll(producer_, records); !s.ok()) {
        release();
        return s;
    }
    for (const auto& key : claimed) {
        // Not remembered: a retry of this POST publishes the event again, with the same event id.
        if (Status s = status_ledger_.Accept(key); !s.ok())
            spdlog::warn("status {}: not remembered: {}", key, s.error().message);
    }
    for (const auto& l : labels) wa_probe_.OnStatus(l);
    return Status::Ok();
}

}  // namespace switchboard::gateway_whatsapp
