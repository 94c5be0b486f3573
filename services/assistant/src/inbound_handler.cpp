#include "inbound_handler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/core/ids.hpp"
#include "switchboard/events/labels.hpp"
#include "switchboard/events/publish.hpp"

namespace switchboard::assistant {

namespace chat = switchboard::chat::v1;

InboundHandler::InboundHandler(const Responder& responder, conversation::Store& store, ConversationMemory& memory,
                               GapLog& gaps, kafka::Producer& producer, const events::Naming& naming,
                               const Clock& clock, AssistantProbe& probe)
    : responder_(responder),
      store_(store),
      memory_(memory),
      gaps_(gaps),
      producer_(producer),
      naming_(naming),
      clock_(clock),
      probe_(probe) {}

namespace {

// The assistant's last knowledge-base answer in `recent`, and how long ago it was given.
ConversationContext ContextFrom(const std::vector<chat::TranscriptEntry>& recent, Clock::TimePoint now) {
    ConversationContext ctx;
    for (auto it = recent.rbegin(); it != recent.rend(); ++it) {
        if (it->author() == chat::RESPONDER_BOT && !it->article_id().empty()) {
            ctx.last_article = ArticleId(it->article_id());
            ctx.since_last_answer =
                std::chrono::duration_cast<std::chrono::seconds>(now - events::FromTimestamp(it->at()));
            const auto asked = std::find_if(std::next(it), recent.rend(), [](const chat::TranscriptEntry& e) {
                return e.author() == chat::RESPONDER_UNSPECIFIED;
            });
            if (asked != recent.rend()) ctx.answered_question = asked->text();
            break;
        }
    }
    return ctx;
}

chat::TranscriptEntry Entry(chat::Responder author, const std::string& text, Clock::TimePoint at,
                            const std::string& article_id = {}) {
    chat::TranscriptEntry e;
    e.set_author(author);
    e.set_text(text);
    *e.mutable_at() = events::ToTimestamp(at);
    e.set_article_id(article_id);
    return e;
}

// "text [photo: cat.jpg] [voice]": the message as an operator reads it in a transcript.
std::string Describe(const chat::InboundMessage& in) {
    std::string out = in.text();
    for (const auto& a : in.attachments()) {
        if (!out.empty()) out += ' ';
        out += "[" + (a.kind().empty() ? std::string("attachment") : a.kind());
        if (!a.file_name().empty()) out += ": " + a.file_name();
        out += "]";
    }
    return out;
}

}  // namespace

Status InboundHandler::Handle(const kafka::Record& record) {
    const auto started = std::chrono::steady_clock::now();
    chat::InboundMessage in;
    if (!in.ParseFromString(record.value)) {
        probe_.OnInvalidRecord();
        return Error::Fatal("undecodable InboundMessage");
    }
    const auto& env = in.envelope();
    const auto channel = env.channel();
    if (!IsValidExternalId(env.conversation_id()) || in.message_id().empty() ||
        (in.text().empty() && in.attachments().empty()) || events::ChannelName(channel).empty()) {
        probe_.OnInvalidRecord();
        return Error::Fatal(
            "invalid InboundMessage (conversation id, message id, channel and text or an attachment are required)");
    }
    const ConversationId conv(env.conversation_id());
    const std::string channel_name(events::ChannelName(channel));
    const auto now = clock_.Now();

    auto turn = store_.BeginBotTurn(conv, channel_name, now);
    if (!turn) return turn.error();
    if (turn->state != conversation::State::kBot) {
        probe_.OnSilent();
        spdlog::debug("conversation {} is {}: assistant stays silent", conv.str(), conversation::StateName(turn->state));
        return Status::Ok();
    }
    std::vector<events::Outgoing> records;
    if (turn->reopened) {
        chat::ConversationEvent reopened;
        events::FillEnvelope(reopened.mutable_envelope(), DerivedId("e-", "reopened:" + in.message_id()), conv.str(),
                             channel, "assistant", env.trace_id(), now);
        reopened.mutable_conversation_reopened()->set_previously_resolved_by(
            turn->previously_resolved_by == "operator" ? chat::RESPONDER_OPERATOR : chat::RESPONDER_BOT);
        *reopened.mutable_conversation_reopened()->mutable_resolved_at() =
            events::ToTimestamp(Clock::TimePoint(std::chrono::milliseconds(turn->resolved_at)));
        records.push_back(events::Encode(naming_.Events(), conv.str(), reopened));
        spdlog::info("conversation {} reopened (resolved by {} before)", conv.str(), turn->previously_resolved_by);
    }

    auto recent = memory_.Recent(conv);
    if (!recent) return recent.error();
    const bool non_text = !in.attachments().empty();
    ConversationContext context = ContextFrom(*recent, now);
    context.channel = channel_name;
    const Decision d = non_text ? responder_.DecideNonText(in.text(), in.customer().language())
                                : responder_.Decide(in.text(), in.customer().language(), context);
    // What the transcript shows of the message: its text, and what was attached.
    const std::string said = Describe(in);
    const bool handoff = d.kind == Decision::Kind::kHandoff;

    chat::OutboundMessage out;
    const std::string reply_id = DerivedId(handoff ? "n-" : "r-", in.message_id());
    events::FillEnvelope(out.mutable_envelope(), DerivedId("e-", reply_id), conv.str(), channel, "assistant",
                         env.trace_id(), now);
    out.set_reply_id(reply_id);
    out.set_in_reply_to(in.message_id());
    out.set_text(d.text);
    out.set_responder(chat::RESPONDER_BOT);
    out.set_kind(handoff ? chat::OUTBOUND_KIND_NOTICE : chat::OUTBOUND_KIND_REPLY);

    chat::ConversationEvent ev;
    events::FillEnvelope(ev.mutable_envelope(), DerivedId("e-", "decision:" + in.message_id()), conv.str(), channel,
                         "assistant", env.trace_id(), now);
    if (handoff) {
        auto* h = ev.mutable_handoff_requested();
        h->set_message_id(in.message_id());
        h->set_reason(d.reason);
        h->set_text(said);
        h->set_language(d.lang);
        for (const auto& c : d.candidates) {
            auto* cand = h->add_candidates();
            cand->set_article_id(c.article->id.str());
            cand->set_score(c.score);
        }
        for (const auto& t : d.topics) h->add_topics(t);
        // At most ConversationMemory::kKeep lines, this message included.
        const std::size_t skip =
            recent->size() >= ConversationMemory::kKeep ? recent->size() - ConversationMemory::kKeep + 1 : 0;
        for (std::size_t i = skip; i < recent->size(); ++i) *h->add_transcript() = (*recent)[i];
        *h->add_transcript() =
            Entry(chat::RESPONDER_UNSPECIFIED, said, events::FromTimestamp(in.received_at()));
    } else {
        auto* b = ev.mutable_bot_answered();
        b->set_message_id(in.message_id());
        b->set_reply_id(reply_id);
        b->set_article_id(d.article.str());
        b->set_score(d.score);
    }

    // The event first, then the reply: routing learns of a handoff no later than the customer.
    records.push_back(events::Encode(naming_.Events(), conv.str(), ev));
    records.push_back(events::Encode(naming_.Outbound(channel), conv.str(), out));
    if (Status s = events::PublishAll(producer_, records); !s.ok()) return s;
    if (d.confirms_answer) {
        // "Thanks" right after an answer: the customer confirmed it; the bot resolved this one.
        auto resolved = store_.ResolveByBot(conv, now);
        if (!resolved) return resolved.error();
        if (*resolved) {
            chat::ConversationEvent done;
            events::FillEnvelope(done.mutable_envelope(), DerivedId("e-", "confirmed:" + in.message_id()), conv.str(),
                                 channel, "assistant", env.trace_id(), now);
            done.mutable_conversation_resolved()->set_resolved_by(chat::RESPONDER_BOT);
            done.mutable_conversation_resolved()->set_how("confirmed");
            if (Status s = events::PublishAll(producer_, {events::Encode(naming_.Events(), conv.str(), done)}); !s.ok()) {
                return s;
            }
            spdlog::info("conversation {} resolved by the assistant (the customer confirmed)", conv.str());
        }
    }
    // Remembering is best effort: losing it only weakens repeat detection and the next transcript.
    // Small talk from the knowledge base is not an answer thanks could confirm or a complaint be about.
    const std::string answered = d.kind == Decision::Kind::kAnswer ? d.article.str() : std::string();
    if (Status m = memory_.Append(conv, {Entry(chat::RESPONDER_UNSPECIFIED, said, events::FromTimestamp(in.received_at())),
                                         Entry(chat::RESPONDER_BOT, d.text, now, answered)});
        !m.ok()) {
        spdlog::warn("conversation {}: could not remember the exchange: {}", conv.str(), m.error().message);
    }
    if (handoff && d.reason != chat::HANDOFF_REASON_CUSTOMER_REQUEST && !non_text) {
        // After "that didn't help" the gap is the question the answer failed on, not the complaint
        // (nor the greeting or thanks that may have come between).
        const std::string question = d.reason == chat::HANDOFF_REASON_BOT_FAILED && !context.answered_question.empty()
                                         ? context.answered_question
                                         : in.text();
        const std::string lang = LanguageOf(question, in.customer().language());
        if (Status g = gaps_.Record(lang, question); !g.ok()) {
            spdlog::warn("conversation {}: could not record the unanswered question: {}", conv.str(), g.error().message);
        }
    }
    if (handoff) {
        auto marked = store_.MarkHandoff(conv, channel_name, now);
        if (!marked) return marked.error();
    }

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    switch (d.kind) {
        case Decision::Kind::kAnswer:
            probe_.OnAnswer(seconds);
            spdlog::info("conversation {}: answered message {} with article {} (score {:.3f})", conv.str(),
                         in.message_id(), d.article.str(), d.score);
            break;
        case Decision::Kind::kSmallTalk:
            probe_.OnSmallTalk(seconds);
            break;
        case Decision::Kind::kHandoff:
            probe_.OnHandoff(events::HandoffReasonLabel(d.reason), seconds);
            spdlog::info("conversation {}: handoff ({}) for message {} (best score {:.3f})", conv.str(),
                         events::HandoffReasonLabel(d.reason), in.message_id(), d.score);
            break;
    }
    return Status::Ok();
}

}  // namespace switchboard::assistant
