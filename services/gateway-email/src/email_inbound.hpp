#pragma once

#include <cstddef>
#include <string>

#include "email_probe.hpp"
#include "mime_parser.hpp"
#include "smtp_server.hpp"
#include "switchboard/channel/inbound.hpp"
#include "switchboard/channel/probe.hpp"
#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/core/clock.hpp"
#include "thread_store.hpp"

namespace switchboard::gateway_email {

struct InboundOptions {
    // Auto-replies (Auto-Submitted, Precedence: bulk…) and bounces (null sender) are taken with
    // 250 and dropped: answering them risks mail loops.
    bool ignore_auto_replies = true;
    // The text the assistant reads is cut here (UTF-8 safe): a Kafka record has a size limit.
    std::size_t max_text_bytes = 32 * 1024;
};

// The InboundMessage for a parsed e-mail (everything but the ids and envelope, which
// InboundPublisher fills): the text stripped of quoted history and signature (falling back to
// the unstripped text, then to the subject, when nothing is left), the attachments, the customer
// (id = From address), and channel_metadata: subject, from, from_name, message_id, in_reply_to,
// to (the first recipient), reply_to, text_truncated. `truncated` says whether the text was cut.
chat::v1::InboundMessage BuildInbound(const ParsedEmail& email, const ReceivedMail& mail,
                                      Clock::TimePoint received_at, std::size_t max_text_bytes, bool& truncated);

// The MessageSink of the SMTP/LMTP listeners: parses the message (554 if it cannot), drops
// auto-replies, resolves the conversation by Message-ID/In-Reply-To/References, records the
// thread in the ThreadStore (before publishing, so a fast reply finds it), and publishes through
// InboundPublisher; the SMTP reply waits for Kafka's acknowledgement (250) or failure (451).
// Thread-safety: Deliver may be called concurrently.
class EmailInbound final : public MessageSink {
public:
    EmailInbound(ThreadStore& threads, channel::InboundPublisher& publisher, channel::ChannelProbe& channel_probe,
                 EmailProbe& probe, const Clock& clock, InboundOptions options);

    void Deliver(ReceivedMail mail, Done done) override;

private:
    ThreadStore& threads_;
    channel::InboundPublisher& publisher_;
    channel::ChannelProbe& channel_probe_;
    EmailProbe& probe_;
    const Clock& clock_;
    InboundOptions options_;
};

}  // namespace switchboard::gateway_email
