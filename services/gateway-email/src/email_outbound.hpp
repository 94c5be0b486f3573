#pragma once

#include <string>

#include "reply_builder.hpp"
#include "smtp_relay.hpp"
#include "switchboard/channel/delivery.hpp"
#include "switchboard/channel/probe.hpp"
#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/core/clock.hpp"
#include "thread_store.hpp"

namespace switchboard::gateway_email {

struct OutboundOptions {
    std::string from_address = "support@example.com";
    std::string from_name = "Support";
    std::string message_id_domain;  // "" = the domain of from_address
    std::string default_subject = "Your request";
    // Appended to operators' replies after a "-- " line; "{name}" becomes the operator's name.
    // Empty: no signature.
    std::string operator_signature = "{name}, customer support";
};

// The reply e-mail for an outbound message in a known thread: To the thread's reply address,
// Subject "Re: <thread subject>", Message-ID derived from the reply id, In-Reply-To the customer's
// last Message-ID, References the chain plus it; bot replies and notices carry
// "Auto-Submitted: auto-replied", operators' replies a signature with their name.
OutgoingEmail ComposeReply(const chat::v1::OutboundMessage& out, const ThreadState& thread,
                           const OutboundOptions& options, Clock::TimePoint now);

// The channel::Sender of gateway-email (called by OutboundDelivery on the consumer thread):
// looks the conversation's thread up, remembers the reply's Message-ID → conversation (before
// sending, so an answer that arrives fast still threads), and submits the mail to the relay.
// Relay 4xx or transport failure → Retry; 5xx → Failed("rejected", the relay's reply line);
// unknown thread → Failed("no_address"). Thread-safe if the store and relay are.
class EmailOutbound {
public:
    EmailOutbound(ThreadStore& threads, MailRelay& relay, channel::ChannelProbe& probe, const Clock& clock,
                  OutboundOptions options);

    channel::SendAttempt Send(const chat::v1::OutboundMessage& out);

private:
    ThreadStore& threads_;
    MailRelay& relay_;
    channel::ChannelProbe& probe_;
    const Clock& clock_;
    OutboundOptions options_;
};

}  // namespace switchboard::gateway_email
