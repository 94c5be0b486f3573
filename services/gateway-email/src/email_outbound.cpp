#include "email_outbound.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "threading.hpp"

namespace switchboard::gateway_email {

namespace chat = switchboard::chat::v1;

OutgoingEmail ComposeReply(const chat::OutboundMessage& out, const ThreadState& thread,
                           const OutboundOptions& options, Clock::TimePoint now) {
    OutgoingEmail e;
    e.from_address = options.from_address;
    e.from_name = options.from_name;
    e.to_address = thread.reply_to.empty() ? thread.customer : thread.reply_to;
    e.to_name = thread.customer_name;
    e.subject = ReplySubject(thread.subject, options.default_subject);
    const std::string domain =
        options.message_id_domain.empty() ? DomainOf(options.from_address) : options.message_id_domain;
    e.message_id = ReplyMessageId(out.reply_id(), domain.empty() ? "gateway-email.invalid" : domain);
    e.in_reply_to = thread.last_message_id;
    e.references = ReplyReferences(thread.references, thread.last_message_id);
    e.date = now;
    const bool by_operator = out.responder() == chat::RESPONDER_OPERATOR;
    e.auto_submitted = !by_operator;
    e.body = out.text();
    if (by_operator && !out.operator_name().empty() && !options.operator_signature.empty()) {
        std::string signature = options.operator_signature;
        for (std::size_t pos; (pos = signature.find("{name}")) != std::string::npos;) {
            signature.replace(pos, 6, out.operator_name());
        }
        while (!e.body.empty() && (e.body.back() == '\n' || e.body.back() == ' ')) e.body.pop_back();
        e.body += "\n\n-- \n" + signature;
    }
    if (e.body.empty() || e.body.back() != '\n') e.body.push_back('\n');
    return e;
}

EmailOutbound::EmailOutbound(ThreadStore& threads, MailRelay& relay, channel::ChannelProbe& probe, const Clock& clock,
                             OutboundOptions options)
    : threads_(threads), relay_(relay), probe_(probe), clock_(clock), options_(std::move(options)) {}

channel::SendAttempt EmailOutbound::Send(const chat::OutboundMessage& out) {
    const std::string& conversation = out.envelope().conversation_id();
    auto thread = threads_.Get(conversation);
    if (!thread) return channel::SendAttempt::Retry("thread store: " + thread.error().message);
    if (!thread->has_value()) {
        return channel::SendAttempt::Failed("no_address", "no e-mail thread is known for conversation " + conversation);
    }
    const OutgoingEmail email = ComposeReply(out, **thread, options_, clock_.Now());
    if (Status s = threads_.RememberSent(conversation, email.message_id); !s.ok()) {
        return channel::SendAttempt::Retry("thread store: " + s.error().message);
    }
    const auto started = std::chrono::steady_clock::now();
    const RelayResult r = relay_.Send(email.from_address, email.to_address, RenderEmail(email));
    probe_.OnPlatformRequest(r.kind == RelayResult::Kind::kTemporary && r.code == 0 ? 0 : r.code,
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    switch (r.kind) {
        case RelayResult::Kind::kSent:
            spdlog::info("conversation {}: reply {} sent as <{}>", conversation, out.reply_id(), email.message_id);
            return channel::SendAttempt::Delivered(email.message_id);
        case RelayResult::Kind::kTemporary:
            spdlog::warn("conversation {}: reply {} not sent yet: {}", conversation, out.reply_id(), r.response);
            return channel::SendAttempt::Retry(r.response);
        case RelayResult::Kind::kPermanent:
            spdlog::warn("conversation {}: relay refused reply {}: {}", conversation, out.reply_id(), r.response);
            return channel::SendAttempt::Failed("rejected", r.response);
    }
    return channel::SendAttempt::Retry("unknown relay outcome");
}

}  // namespace switchboard::gateway_email
