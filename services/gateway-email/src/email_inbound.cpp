#include "email_inbound.hpp"

#include <spdlog/spdlog.h>

#include "switchboard/events/naming.hpp"
#include "text_cleanup.hpp"
#include "text_util.hpp"
#include "threading.hpp"

namespace switchboard::gateway_email {

namespace {

// At most `max` bytes, never ending inside a UTF-8 sequence.
std::string Utf8Prefix(const std::string& s, std::size_t max) {
    if (s.size() <= max) return s;
    std::size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    return s.substr(0, end);
}

}  // namespace

chat::v1::InboundMessage BuildInbound(const ParsedEmail& email, const ReceivedMail& mail,
                                      Clock::TimePoint received_at, std::size_t max_text_bytes, bool& truncated) {
    chat::v1::InboundMessage m;
    std::string text = StripQuotedText(email.text);
    if (text.empty()) text = std::string(TrimWhitespace(email.text));
    if (text.empty()) text = NormalizeSubject(email.subject);
    truncated = text.size() > max_text_bytes;
    m.set_text(Utf8Prefix(text, max_text_bytes));
    *m.mutable_received_at() = events::ToTimestamp(received_at);
    auto* customer = m.mutable_customer();
    customer->set_id(email.from_address);
    customer->set_display_name(email.from_name);
    customer->set_language(email.language);
    for (const auto& a : email.attachments) {
        auto* att = m.add_attachments();
        att->set_kind(a.kind);
        att->set_file_id(a.file_id);
        att->set_mime_type(a.mime_type);
        att->set_file_name(a.file_name);
        att->set_size_bytes(a.size_bytes);
    }
    auto& meta = *m.mutable_channel_metadata();
    meta["subject"] = email.subject;
    meta["from"] = email.from_address;
    if (!email.from_name.empty()) meta["from_name"] = email.from_name;
    meta["message_id"] = email.message_id;
    if (!email.in_reply_to.empty()) meta["in_reply_to"] = email.in_reply_to;
    if (!mail.recipients.empty()) meta["to"] = mail.recipients.front();
    if (email.reply_to != email.from_address) meta["reply_to"] = email.reply_to;
    if (truncated) meta["text_truncated"] = "true";
    return m;
}

EmailInbound::EmailInbound(ThreadStore& threads, channel::InboundPublisher& publisher,
                           channel::ChannelProbe& channel_probe, EmailProbe& probe, const Clock& clock,
                           InboundOptions options)
    : threads_(threads),
      publisher_(publisher),
      channel_probe_(channel_probe),
      probe_(probe),
      clock_(clock),
      options_(options) {}

void EmailInbound::Deliver(ReceivedMail mail, Done done) {
    auto parsed = ParseEmail(mail.data);
    if (!parsed) {
        spdlog::warn("email from <{}>: refused, cannot parse ({} bytes): {}", mail.reverse_path, mail.data.size(),
                     parsed.error().message);
        probe_.OnMalformed();
        channel_probe_.OnRejected("malformed");
        done(MailOutcome::kMalformed, parsed.error().message);
        return;
    }
    const ParsedEmail& email = *parsed;
    if (options_.ignore_auto_replies && (mail.reverse_path.empty() || !email.auto_generated.empty())) {
        const std::string reason = mail.reverse_path.empty() ? "null_sender" : email.auto_generated;
        spdlog::info("email {} from {}: not processed ({})", email.message_id, email.from_address, reason);
        probe_.OnIgnored(reason);
        done(MailOutcome::kIgnored, reason);
        return;
    }
    auto thread = ResolveConversation(threads_, email);
    if (!thread) {
        spdlog::warn("email {}: cannot resolve its thread now: {}", email.message_id, thread.error().message);
        channel_probe_.OnUnavailable();
        done(MailOutcome::kRetryLater, "");
        return;
    }
    const std::string conversation = thread->conversation_id;
    ThreadState state;
    state.customer = email.from_address;
    state.customer_name = email.from_name;
    state.reply_to = email.reply_to;
    state.subject = NormalizeSubject(email.subject);
    state.last_message_id = email.message_id;
    state.references = email.references;
    // Recorded before publishing: the assistant may answer within milliseconds, and the answer
    // needs the thread. A failed publish leaves a harmless mapping the MTA's retry reuses.
    if (auto recorded = threads_.RecordInbound(conversation, email.message_id, state); !recorded) {
        spdlog::warn("email {}: cannot record its thread now: {}", email.message_id, recorded.error().message);
        channel_probe_.OnUnavailable();
        done(MailOutcome::kRetryLater, "");
        return;
    }
    bool truncated = false;
    auto message = BuildInbound(email, mail, clock_.Now(), options_.max_text_bytes, truncated);
    if (truncated) probe_.OnTruncated();
    const std::string channel_message_id = email.message_id;
    const bool new_thread = thread->new_thread;
    publisher_.Publish(conversation, channel_message_id, std::move(message),
                       [done = std::move(done), conversation, channel_message_id, new_thread,
                        message_id = publisher_.MessageId(channel_message_id)](channel::InboundOutcome outcome) {
                           switch (outcome) {
                               case channel::InboundOutcome::kAccepted:
                                   spdlog::info("email {}: accepted as {} in conversation {}{}", channel_message_id,
                                                message_id, conversation, new_thread ? " (new thread)" : "");
                                   done(MailOutcome::kAccepted, "queued as " + message_id);
                                   return;
                               case channel::InboundOutcome::kDuplicate:
                                   spdlog::info("email {}: duplicate, dropped", channel_message_id);
                                   done(MailOutcome::kDuplicate, "");
                                   return;
                               case channel::InboundOutcome::kRetryLater:
                                   done(MailOutcome::kRetryLater, "");
                                   return;
                           }
                           done(MailOutcome::kRetryLater, "");
                       });
}

}  // namespace switchboard::gateway_email
