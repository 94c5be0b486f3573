// Integration: the Router's flows against the real Redis and Kafka of the local stack (tools/stack
// start). Time is a ManualClock, so offer and heartbeat timeouts are crossed by advancing it, not by
// sleeping. What the router publishes is read back from Kafka (RecordCollector); what it tells
// operators' inboxes is recorded by a fake InboxNotifier.
#include "router.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "routing_probe.hpp"
#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/core/ids.hpp"
#include "switchboard/kafka/admin.hpp"
#include "switchboard/redis/client.hpp"
#include "switchboard/testing/environment.hpp"
#include "switchboard/testing/records.hpp"

namespace switchboard::conversation {
// Readable gtest failures ("queued", not "4-byte object <02-00 00-00>").
void PrintTo(State state, std::ostream* os) { *os << StateName(state); }
void PrintTo(OperatorStatus status, std::ostream* os) { *os << StatusName(status); }
}  // namespace switchboard::conversation

namespace switchboard::routing {
namespace {

using namespace std::chrono_literals;
namespace chat = switchboard::chat::v1;
namespace common = switchboard::common::v1;
using conversation::OperatorStatus;
using conversation::State;
using Kind = chat::ConversationEvent::KindCase;

// Records every notification; thread-safe.
class RecordingInbox final : public InboxNotifier {
public:
    void Notify(const OperatorId& op, const v1::InboxEvent& event) override {
        std::lock_guard lock(mu_);
        notes_.emplace_back(op.str(), event);
    }
    // The kinds `op` was told about `conv`, in order.
    std::vector<v1::InboxEvent::Kind> KindsFor(const std::string& op, const std::string& conv) const {
        std::lock_guard lock(mu_);
        std::vector<v1::InboxEvent::Kind> out;
        for (const auto& [o, e] : notes_) {
            if (o == op && e.conversation_id() == conv) out.push_back(e.kind());
        }
        return out;
    }
    std::optional<v1::InboxEvent> Last(const std::string& op, const std::string& conv) const {
        std::lock_guard lock(mu_);
        for (auto it = notes_.rbegin(); it != notes_.rend(); ++it) {
            if (it->first == op && it->second.conversation_id() == conv) return it->second;
        }
        return std::nullopt;
    }

private:
    mutable std::mutex mu_;
    std::vector<std::pair<std::string, v1::InboxEvent>> notes_;
};

// One Kafka namespace (topics created once) for the suite; each test has its own Redis key prefix
// and its own ids (`tag_`), so tests never see each other's state or records.
class RouterTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        ns_ = new std::string(testing::UniqueNamespace());
        naming_ = new events::Naming(*ns_);
        ASSERT_TRUE(kafka::EnsureTopics(testing::KafkaBrokers(), naming_->AllTopics(1)).ok())
            << "Kafka not reachable; start it with tools/stack start";
        events_ = new testing::RecordCollector(testing::KafkaBrokers(), naming_->Events());
        outbound_ =
            new testing::RecordCollector(testing::KafkaBrokers(), naming_->Outbound(common::CHANNEL_WEB));
    }
    static void TearDownTestSuite() {
        delete outbound_;
        delete events_;
        delete naming_;
        delete ns_;
    }

    void SetUp() override {
        redis::ClientConfig cfg;
        cfg.host = testing::RedisHost();
        cfg.port = testing::RedisPort();
        redis_ = redis::MakeClient(cfg);
        ASSERT_TRUE(redis_->Healthy()) << "Redis not reachable; start it with tools/stack start";
        tag_ = testing::UniqueNamespace();
        conversation::Store::Options so;
        so.heartbeat_timeout = 30s;
        so.exclusion_window = 60s;
        store_ = std::make_unique<conversation::Store>(*redis_, naming_->RedisPrefix() + tag_ + ":", so);
        producer_ = kafka::MakeProducer({testing::KafkaBrokers(), "router-test", {}});
        probe_ = std::make_unique<RoutingProbe>(registry_);
        options_.offer_timeout = 10s;
        MakeRouter();
    }

    void MakeRouter() {
        router_ = std::make_unique<Router>(*store_, *producer_, *naming_, clock_, *probe_, inbox_, options_);
    }

    std::string Conv(const std::string& name) const { return tag_ + "-c-" + name; }
    std::string Op(const std::string& name) const { return tag_ + "-op-" + name; }

    struct OpSpec {
        int capacity = 3;
        bool auto_accept = true;
        std::vector<std::string> channels{}, languages{}, topics{};
        std::vector<std::pair<std::string, int>> caps{};
    };
    void Online(const std::string& op, const OpSpec& spec) { SetStatus(op, spec, OperatorStatus::kOnline); }
    void SetStatus(const std::string& op, const OpSpec& spec, OperatorStatus status) {
        conversation::OperatorProfile p;
        p.id = OperatorId(op);
        p.name = "Name " + op;
        p.capacity = spec.capacity;
        p.auto_accept = spec.auto_accept;
        p.channels = spec.channels;
        p.languages = spec.languages;
        p.topics = spec.topics;
        p.channel_capacity = spec.caps;
        ASSERT_TRUE(router_->SetStatus(p, status).ok());
    }

    struct HandoffSpec {
        common::Channel channel = common::CHANNEL_WEB;
        std::string language = "en";
        std::vector<std::string> topics{};
        int priority = 0;
        std::string text = "I need a human";
    };
    kafka::Record HandoffRecord(const std::string& conv, const HandoffSpec& spec) {
        chat::ConversationEvent ev;
        events::FillEnvelope(ev.mutable_envelope(), NewUuid(), conv, spec.channel, "assistant", "",
                             clock_.Now());
        auto* h = ev.mutable_handoff_requested();
        h->set_reason(chat::HANDOFF_REASON_CUSTOMER_REQUEST);
        h->set_language(spec.language);
        h->set_text(spec.text);
        for (const auto& t : spec.topics) h->add_topics(t);
        h->set_priority(spec.priority);
        auto* line = h->add_transcript();
        line->set_author(chat::RESPONDER_UNSPECIFIED);
        line->set_text(spec.text);
        *line->mutable_at() = events::ToTimestamp(clock_.Now());
        return {naming_->Events(), 0, 0, conv, ev.SerializeAsString(), false, 0};
    }
    void Handoff(const std::string& conv, const HandoffSpec& spec) {
        ASSERT_TRUE(router_->HandleRecord(HandoffRecord(conv, spec)).ok());
    }
    void Handoff(const std::string& conv) { Handoff(conv, HandoffSpec{}); }

    kafka::Record InboundRecord(const std::string& conv, const std::string& text,
                                const std::string& event_id) {
        chat::InboundMessage in;
        events::FillEnvelope(in.mutable_envelope(), event_id, conv, common::CHANNEL_WEB, "gateway-web", "",
                             clock_.Now());
        in.set_message_id(event_id);
        in.set_text(text);
        *in.mutable_received_at() = events::ToTimestamp(clock_.Now());
        return {naming_->Inbound(), 0, 0, conv, in.SerializeAsString(), false, 0};
    }

    conversation::ConversationInfo Info(const std::string& conv) {
        return store_->Get(ConversationId(conv)).value();
    }
    conversation::OperatorRecord Operator(const std::string& op) {
        return store_->GetOperator(OperatorId(op)).value().value();
    }

    // Waits for an event of `kind` about `key` (a conversation id or "operator:<id>") matching `pred`.
    std::optional<chat::ConversationEvent> WaitEvent(
        const std::string& key, Kind kind,
        const std::function<bool(const chat::ConversationEvent&)>& pred = [](const chat::ConversationEvent&) {
            return true;
        }) {
        std::optional<chat::ConversationEvent> found;
        events_->WaitFor([&](const std::vector<kafka::Record>& records) {
            for (const auto& r : records) {
                if (r.key != key) continue;
                chat::ConversationEvent ev;
                if (ev.ParseFromString(r.value) && ev.kind_case() == kind && pred(ev)) {
                    found = ev;
                    return true;
                }
            }
            return false;
        });
        return found;
    }
    // Every event about `key` so far, in order (call after a WaitEvent on a later event).
    std::vector<chat::ConversationEvent> EventsAbout(const std::string& key) {
        std::vector<chat::ConversationEvent> out;
        for (const auto& r : events_->Records()) {
            if (r.key != key) continue;
            chat::ConversationEvent ev;
            if (ev.ParseFromString(r.value)) out.push_back(ev);
        }
        return out;
    }
    static auto By(const std::string& op) {
        return [op](const chat::ConversationEvent& ev) {
            switch (ev.kind_case()) {
                case Kind::kOperatorAssigned:
                    return ev.operator_assigned().operator_id() == op;
                case Kind::kConversationOffered:
                    return ev.conversation_offered().operator_id() == op;
                case Kind::kOfferEnded:
                    return ev.offer_ended().operator_id() == op;
                case Kind::kOperatorStatusChanged:
                    return ev.operator_status_changed().operator_id() == op;
                default:
                    return false;
            }
        };
    }

    static inline std::string* ns_ = nullptr;
    static inline events::Naming* naming_ = nullptr;
    static inline testing::RecordCollector* events_ = nullptr;
    static inline testing::RecordCollector* outbound_ = nullptr;

    ManualClock clock_{std::chrono::system_clock::time_point(std::chrono::milliseconds(1'760'000'000'000))};
    prometheus::Registry registry_;
    std::unique_ptr<redis::Client> redis_;
    std::string tag_;
    std::unique_ptr<conversation::Store> store_;
    std::unique_ptr<kafka::Producer> producer_;
    std::unique_ptr<RoutingProbe> probe_;
    RecordingInbox inbox_;
    Router::Options options_;
    std::unique_ptr<Router> router_;
};

TEST_F(RouterTest, AHandoffWaitsInTheQueueThenGoesToAnAutoAcceptingOperator) {
    const std::string c = Conv("1"), a = Op("a");
    Handoff(c, {.text = "where is my refund?"});
    EXPECT_EQ(Info(c).state, State::kQueued);
    auto queue = router_->ListQueue(10).value();
    ASSERT_EQ(queue.size(), 1u);
    EXPECT_EQ(queue[0].id.str(), c);

    clock_.Advance(2s);
    Online(a, {.capacity = 2, .auto_accept = true});
    auto assigned = WaitEvent(c, Kind::kOperatorAssigned);
    ASSERT_TRUE(assigned.has_value());
    EXPECT_EQ(assigned->operator_assigned().operator_id(), a);
    EXPECT_EQ(assigned->operator_assigned().operator_name(), "Name " + a);
    EXPECT_EQ(inbox_.KindsFor(a, c), std::vector{v1::InboxEvent::KIND_ASSIGNED});
    const auto info = Info(c);
    EXPECT_EQ(info.state, State::kAssigned);
    EXPECT_EQ(info.operator_id.str(), a);
    EXPECT_EQ(Operator(a).load, 1);
    EXPECT_TRUE(router_->ListQueue(10).value().empty());
    // The handoff's transcript is what the operator starts with.
    auto transcript = router_->Transcript(ConversationId(c)).value();
    ASSERT_EQ(transcript.size(), 1u);
    EXPECT_EQ(transcript[0].text(), "where is my refund?");
    EXPECT_EQ(transcript[0].author(), "customer");
}

TEST_F(RouterTest, AManualOperatorIsOfferedTheConversationAndAcceptsIt) {
    const std::string c = Conv("1"), m = Op("m");
    Online(m, {.auto_accept = false});
    Handoff(c);
    auto offered = WaitEvent(c, Kind::kConversationOffered, By(m));
    ASSERT_TRUE(offered.has_value());
    EXPECT_EQ(events::ToUnixMillis(offered->conversation_offered().deadline()),
              std::chrono::duration_cast<std::chrono::milliseconds>((clock_.Now() + 10s).time_since_epoch())
                  .count());
    ASSERT_EQ(inbox_.KindsFor(m, c), std::vector{v1::InboxEvent::KIND_OFFERED});
    EXPECT_TRUE(inbox_.Last(m, c)->has_offer_deadline());
    EXPECT_EQ(Info(c).state, State::kOffered);
    EXPECT_EQ(Operator(m).load, 1);  // an offer holds a slot

    // Only the operator it is offered to may accept.
    EXPECT_EQ(router_->Accept(OperatorId(Op("other")), ConversationId(c)).error,
              Router::ActionError::kNotOffered);
    clock_.Advance(3s);
    EXPECT_EQ(router_->Accept(OperatorId(m), ConversationId(c)).error, Router::ActionError::kNone);
    ASSERT_TRUE(WaitEvent(c, Kind::kOperatorAssigned, By(m)).has_value());
    EXPECT_EQ(Info(c).state, State::kAssigned);
    EXPECT_EQ(Operator(m).load, 1);
    auto inbox = router_->Inbox(OperatorId(m)).value();
    EXPECT_TRUE(inbox.offered.empty());
    ASSERT_EQ(inbox.held.size(), 1u);
}

TEST_F(RouterTest, ADeclinedOfferGoesToTheNextOperator) {
    const std::string c = Conv("1"), a = Op("a"), b = Op("b");
    Online(a, {.auto_accept = false});
    clock_.Advance(1s);  // a has been idle longer: a is asked first
    Online(b, {.auto_accept = false});
    Handoff(c);
    ASSERT_TRUE(WaitEvent(c, Kind::kConversationOffered, By(a)).has_value());

    EXPECT_EQ(router_->Decline(OperatorId(a), ConversationId(c)).error, Router::ActionError::kNone);
    auto ended = WaitEvent(c, Kind::kOfferEnded, By(a));
    ASSERT_TRUE(ended.has_value());
    EXPECT_EQ(ended->offer_ended().reason(), "declined");
    ASSERT_TRUE(WaitEvent(c, Kind::kConversationOffered, By(b)).has_value());
    EXPECT_EQ(Info(c).operator_id.str(), b);
    EXPECT_EQ(Operator(a).load, 0);
    EXPECT_EQ(Operator(b).load, 1);
    // Declining again, or declining what is not yours, is refused.
    EXPECT_EQ(router_->Decline(OperatorId(a), ConversationId(c)).error, Router::ActionError::kNotOffered);
}

TEST_F(RouterTest, AnUnansweredOfferExpiresAndGoesToTheNextOperator) {
    const std::string c = Conv("1"), a = Op("a"), b = Op("b");
    Online(a, {.auto_accept = false});
    clock_.Advance(1s);
    Online(b, {.auto_accept = false});
    Handoff(c);
    ASSERT_TRUE(WaitEvent(c, Kind::kConversationOffered, By(a)).has_value());

    clock_.Advance(9s);  // not yet
    ASSERT_TRUE(router_->Sweep().ok());
    EXPECT_EQ(Info(c).operator_id.str(), a);
    clock_.Advance(2s);  // past the 10 s offer timeout (heartbeats last 30 s)
    ASSERT_TRUE(router_->Sweep().ok());
    auto ended = WaitEvent(c, Kind::kOfferEnded, By(a));
    ASSERT_TRUE(ended.has_value());
    EXPECT_EQ(ended->offer_ended().reason(), "expired");
    EXPECT_EQ(inbox_.KindsFor(a, c),
              (std::vector{v1::InboxEvent::KIND_OFFERED, v1::InboxEvent::KIND_OFFER_ENDED}));
    ASSERT_TRUE(WaitEvent(c, Kind::kConversationOffered, By(b)).has_value());
    EXPECT_EQ(Info(c).operator_id.str(), b);
    // Too late for a.
    EXPECT_EQ(router_->Accept(OperatorId(a), ConversationId(c)).error, Router::ActionError::kNotOffered);
    EXPECT_EQ(Operator(a).load, 0);
}

TEST_F(RouterTest, AnOperatorWhoStopsHeartbeatingGoesOfflineAndTheirOffersMoveOn) {
    options_.offer_timeout = 10min;  // only presence ends the offer here
    MakeRouter();
    const std::string c = Conv("1"), a = Op("a"), b = Op("b");
    Online(a, {.auto_accept = false});
    clock_.Advance(1s);
    Online(b, {.auto_accept = false});
    Handoff(c);
    ASSERT_TRUE(WaitEvent(c, Kind::kConversationOffered, By(a)).has_value());

    clock_.Advance(20s);
    ASSERT_TRUE(router_->Heartbeat(OperatorId(b)).value().has_value());  // b keeps heartbeating, a does not
    clock_.Advance(11s);                                                 // a's 30 s are over
    ASSERT_TRUE(router_->Sweep().ok());
    auto lost = WaitEvent("operator:" + a, Kind::kOperatorStatusChanged,
                          [](const auto& ev) { return ev.operator_status_changed().status() == "offline"; });
    ASSERT_TRUE(lost.has_value());
    EXPECT_EQ(lost->operator_status_changed().reason(), "heartbeat_timeout");
    auto ended = WaitEvent(c, Kind::kOfferEnded, By(a));
    ASSERT_TRUE(ended.has_value());
    EXPECT_EQ(ended->offer_ended().reason(), "operator_offline");
    ASSERT_TRUE(WaitEvent(c, Kind::kConversationOffered, By(b)).has_value());
    EXPECT_EQ(Operator(a).status, OperatorStatus::kOffline);
    EXPECT_EQ(Operator(a).load, 0);

    // A heartbeat brings a back (they did not choose to go offline).
    ASSERT_TRUE(router_->Heartbeat(OperatorId(a)).value().has_value());
    EXPECT_EQ(Operator(a).status, OperatorStatus::kOnline);
    // An operator who chose to be away is not brought back by a heartbeat.
    SetStatus(b, {.auto_accept = false}, OperatorStatus::kAway);
    EXPECT_FALSE(router_->Heartbeat(OperatorId(b)).value().has_value());
    EXPECT_EQ(Operator(b).status, OperatorStatus::kAway);
}

TEST_F(RouterTest, LanguageAndChannelAreRequiredTopicsArePreferred) {
    const std::string en = Op("en"), ru = Op("ru"), web_only = Op("web"), billing = Op("billing");
    Online(en, {.capacity = 5, .languages = {"en"}, .topics = {"sales"}});
    Online(ru, {.capacity = 5, .languages = {"ru"}});
    // Language: required.
    const std::string c_ru = Conv("ru");
    Handoff(c_ru, {.language = "ru-RU"});
    EXPECT_EQ(Info(c_ru).operator_id.str(), ru);

    // Channel: required. Only `ru` handles any channel among language matches... make it explicit:
    SetStatus(ru, {.capacity = 5, .channels = {"web"}, .languages = {"ru"}}, OperatorStatus::kOnline);
    const std::string c_tg = Conv("tg");
    Handoff(c_tg, {.channel = common::CHANNEL_TELEGRAM, .language = "ru"});
    EXPECT_EQ(Info(c_tg).state, State::kQueued) << "the only Russian speaker does not do Telegram";
    Online(web_only, {.capacity = 5, .channels = {"telegram"}, .languages = {"ru", "en"}});
    EXPECT_EQ(Info(c_tg).operator_id.str(), web_only);

    // Topics: preferred. `billing` is busier and was idle less long, yet matches the topic.
    Online(billing, {.capacity = 5, .languages = {"en"}, .topics = {"billing"}});
    for (int i = 0; i < 2; ++i) Handoff(Conv("warm" + std::to_string(i)), {.topics = {"billing"}});
    EXPECT_EQ(Operator(billing).load, 2);
    const std::string c_bill = Conv("bill");
    Handoff(c_bill, {.topics = {"billing"}});
    EXPECT_EQ(Info(c_bill).operator_id.str(), billing);
    // Without a matching specialist free, the conversation still goes to someone who speaks English.
    SetStatus(billing, {.capacity = 3, .languages = {"en"}, .topics = {"billing"}}, OperatorStatus::kOnline);
    const std::string c_bill2 = Conv("bill2");
    Handoff(c_bill2, {.topics = {"billing"}});
    EXPECT_EQ(Info(c_bill2).state, State::kAssigned);
    EXPECT_NE(Info(c_bill2).operator_id.str(), billing);
    EXPECT_NE(Info(c_bill2).operator_id.str(), ru);
}

TEST_F(RouterTest, ResolvingFreesCapacityForTheNextQueuedConversation) {
    const std::string a = Op("a"), c1 = Conv("1"), c2 = Conv("2");
    Online(a, {.capacity = 1});
    Handoff(c1);
    clock_.Advance(1s);
    Handoff(c2);
    EXPECT_EQ(Info(c1).state, State::kAssigned);
    EXPECT_EQ(Info(c2).state, State::kQueued);
    // Only the holder resolves.
    EXPECT_EQ(router_->Resolve(OperatorId(Op("x")), ConversationId(c1)).error,
              Router::ActionError::kOtherOperator);
    EXPECT_EQ(router_->Resolve(OperatorId(a), ConversationId(c2)).error, Router::ActionError::kNotAssigned);

    EXPECT_EQ(router_->Resolve(OperatorId(a), ConversationId(c1)).error, Router::ActionError::kNone);
    auto resolved = WaitEvent(c1, Kind::kConversationResolved);
    ASSERT_TRUE(resolved.has_value());
    EXPECT_EQ(resolved->conversation_resolved().resolved_by(), chat::RESPONDER_OPERATOR);
    EXPECT_EQ(Info(c1).state, State::kResolved);
    ASSERT_TRUE(WaitEvent(c2, Kind::kOperatorAssigned, By(a)).has_value());
    EXPECT_EQ(Info(c2).state, State::kAssigned);
    EXPECT_EQ(Operator(a).load, 1);
}

TEST_F(RouterTest, PerChannelCapacityIsRespected) {
    const std::string a = Op("a");
    Online(a, {.capacity = 3, .caps = {{"whatsapp", 1}}});
    Handoff(Conv("w1"), {.channel = common::CHANNEL_WHATSAPP});
    Handoff(Conv("w2"), {.channel = common::CHANNEL_WHATSAPP});
    Handoff(Conv("web"), {});
    EXPECT_EQ(Info(Conv("w1")).state, State::kAssigned);
    EXPECT_EQ(Info(Conv("w2")).state, State::kQueued);
    EXPECT_EQ(Info(Conv("web")).state, State::kAssigned);
    EXPECT_EQ(Operator(a).load, 2);
}

TEST_F(RouterTest, TransferToAnOperatorAndToASkillQueue) {
    const std::string a = Op("a"), b = Op("b"), bill = Op("bill"), sales = Op("sales"), c = Conv("1");
    Online(a, {.capacity = 1});
    Handoff(c);
    ASSERT_EQ(Info(c).operator_id.str(), a);
    Online(b, {.capacity = 2, .topics = {"sales"}});
    Online(bill, {.capacity = 2, .topics = {"billing"}});
    Online(sales, {.capacity = 2, .topics = {"sales"}});

    // Only the holder transfers, and not to themselves.
    EXPECT_EQ(router_->Transfer(OperatorId(b), ConversationId(c), {OperatorId(bill), {}}, "").error,
              Router::ActionError::kOtherOperator);
    EXPECT_EQ(router_->Transfer(OperatorId(a), ConversationId(c), {OperatorId(a), {}}, "").error,
              Router::ActionError::kInvalid);

    // To one operator: only them, even though others are less loaded.
    SetStatus(b, {.capacity = 2, .topics = {"sales"}}, OperatorStatus::kOnline);
    ASSERT_EQ(router_->Transfer(OperatorId(a), ConversationId(c), {OperatorId(b), {}}, "VIP, be nice").error,
              Router::ActionError::kNone);
    auto moved = WaitEvent(c, Kind::kConversationTransferred);
    ASSERT_TRUE(moved.has_value());
    EXPECT_EQ(moved->conversation_transferred().from_operator_id(), a);
    EXPECT_EQ(moved->conversation_transferred().to_operator_id(), b);
    EXPECT_EQ(moved->conversation_transferred().note(), "VIP, be nice");
    EXPECT_EQ(inbox_.Last(a, c)->kind(), v1::InboxEvent::KIND_TRANSFERRED_AWAY);
    ASSERT_TRUE(WaitEvent(c, Kind::kOperatorAssigned, By(b)).has_value());
    EXPECT_EQ(Info(c).operator_id.str(), b);
    EXPECT_EQ(Operator(a).load, 0);
    EXPECT_EQ(Operator(b).load, 1);
    auto transcript = router_->Transcript(ConversationId(c)).value();
    ASSERT_FALSE(transcript.empty());
    EXPECT_EQ(transcript.back().text(), "(transfer note) VIP, be nice");
    EXPECT_EQ(transcript.back().operator_id(), a);

    // To a skill queue: the topic is required (sales people are idle longer, and a is free, but
    // only `bill` knows billing).
    ASSERT_EQ(router_->Transfer(OperatorId(b), ConversationId(c), {OperatorId(), {"billing"}}, "").error,
              Router::ActionError::kNone);
    ASSERT_TRUE(WaitEvent(c, Kind::kOperatorAssigned, By(bill)).has_value());
    EXPECT_EQ(Info(c).operator_id.str(), bill);
    EXPECT_EQ(Operator(b).load, 0);
}

TEST_F(RouterTest, OnlyTheHolderRepliesAndTheReplyGoesToTheChannelAndTheTranscript) {
    const std::string a = Op("a"), c = Conv("1"), queued = Conv("q");
    Online(a, {.capacity = 1});
    Handoff(c);
    Handoff(queued);
    ASSERT_EQ(Info(c).operator_id.str(), a);

    EXPECT_EQ(router_->Reply(OperatorId(Op("x")), ConversationId(c), "not mine").error,
              Router::ActionError::kOtherOperator);
    EXPECT_EQ(router_->Reply(OperatorId(a), ConversationId(queued), "not assigned").error,
              Router::ActionError::kNotAssigned);
    clock_.Advance(5s);
    auto reply = router_->Reply(OperatorId(a), ConversationId(c), "Hello, I am on it");
    ASSERT_EQ(reply.error, Router::ActionError::kNone);
    ASSERT_FALSE(reply.reply_id.empty());

    std::optional<chat::OutboundMessage> out;
    std::vector<std::string> texts;  // every outbound text of this test, in order
    ASSERT_TRUE(outbound_->WaitFor([&](const std::vector<kafka::Record>& records) {
        texts.clear();
        for (const auto& r : records) {
            if (r.key != c && r.key != queued) continue;
            chat::OutboundMessage m;
            if (!m.ParseFromString(r.value)) continue;
            texts.push_back(m.text());
            if (m.reply_id() == reply.reply_id) out = m;
        }
        return out.has_value();
    }));
    // The refused replies (produced before it, same partition) never went out.
    EXPECT_EQ(texts, std::vector<std::string>{"Hello, I am on it"});
    EXPECT_EQ(out->responder(), chat::RESPONDER_OPERATOR);
    EXPECT_EQ(out->operator_id(), a);
    EXPECT_EQ(out->operator_name(), "Name " + a);
    EXPECT_EQ(out->envelope().conversation_id(), c);
    auto replied = WaitEvent(c, Kind::kOperatorReplied);
    ASSERT_TRUE(replied.has_value());
    EXPECT_EQ(replied->operator_replied().reply_id(), reply.reply_id);
    auto transcript = router_->Transcript(ConversationId(c)).value();
    ASSERT_EQ(transcript.size(), 2u);  // the handoff's line, then the reply
    EXPECT_EQ(transcript[1].author(), "operator");
    EXPECT_EQ(transcript[1].operator_id(), a);
    EXPECT_EQ(transcript[1].text(), "Hello, I am on it");
}

TEST_F(RouterTest, ACustomerMessageInAnAssignedConversationReachesTheTranscriptAndTheInbox) {
    const std::string a = Op("a"), c = Conv("1"), bot = Conv("bot");
    Online(a, {});
    Handoff(c);
    ASSERT_EQ(Info(c).state, State::kAssigned);
    clock_.Advance(1s);
    const auto rec = InboundRecord(c, "any news?", NewUuid());
    ASSERT_TRUE(router_->HandleRecord(rec).ok());
    ASSERT_TRUE(router_->HandleRecord(rec).ok());  // redelivered: counted once
    auto transcript = router_->Transcript(ConversationId(c)).value();
    ASSERT_EQ(transcript.size(), 2u);
    EXPECT_EQ(transcript[1].author(), "customer");
    EXPECT_EQ(transcript[1].text(), "any news?");
    EXPECT_EQ(inbox_.KindsFor(a, c),
              (std::vector{v1::InboxEvent::KIND_ASSIGNED, v1::InboxEvent::KIND_CUSTOMER_MESSAGE}));
    EXPECT_EQ(inbox_.Last(a, c)->text(), "any news?");

    // A message in a conversation the bot still handles is not routing's business.
    ASSERT_TRUE(router_->HandleRecord(InboundRecord(bot, "hi bot", NewUuid())).ok());
    EXPECT_TRUE(router_->Transcript(ConversationId(bot)).value().empty());
}

TEST_F(RouterTest, TheQueueIsServedByPriorityThenArrival) {
    Handoff(Conv("old"), {.priority = 0});
    clock_.Advance(1s);
    Handoff(Conv("vip"), {.priority = 10});
    clock_.Advance(1s);
    Handoff(Conv("mid"), {.priority = 5});
    clock_.Advance(1s);
    Handoff(Conv("new"), {.priority = 0});
    auto queue = router_->ListQueue(10).value();
    std::vector<std::string> ids;
    for (const auto& q : queue) ids.push_back(q.id.str());
    EXPECT_EQ(ids, (std::vector{Conv("vip"), Conv("mid"), Conv("old"), Conv("new")}));

    // And the operator gets them in that order.
    Online(Op("a"), {.capacity = 1});
    EXPECT_EQ(Info(Conv("vip")).state, State::kAssigned);
    EXPECT_EQ(Info(Conv("mid")).state, State::kQueued);
    ASSERT_EQ(router_->Resolve(OperatorId(Op("a")), ConversationId(Conv("vip"))).error,
              Router::ActionError::kNone);
    EXPECT_EQ(Info(Conv("mid")).state, State::kAssigned);
}

TEST_F(RouterTest, TwoRoutersNeverGiveOneConversationTwiceOrExceedCapacity) {
    // A second replica: its own Redis client and producer on the same Redis keys.
    redis::ClientConfig cfg;
    cfg.host = testing::RedisHost();
    cfg.port = testing::RedisPort();
    auto redis2 = redis::MakeClient(cfg);
    conversation::Store::Options so;
    so.heartbeat_timeout = 30s;
    conversation::Store store2(*redis2, naming_->RedisPrefix() + tag_ + ":", so);
    auto producer2 = kafka::MakeProducer({testing::KafkaBrokers(), "router-test-2", {}});
    Router second(store2, *producer2, *naming_, clock_, *probe_, inbox_, options_);

    for (int i = 0; i < 20; ++i) Handoff(Conv(std::to_string(i)));
    Online(Op("a"), {.capacity = 4});
    Online(Op("b"), {.capacity = 3});
    std::thread t([&] {
        for (int i = 0; i < 5; ++i) (void)second.Dispatch();
    });
    for (int i = 0; i < 5; ++i) (void)router_->Dispatch();
    t.join();
    int assigned = 0;
    for (int i = 0; i < 20; ++i) assigned += Info(Conv(std::to_string(i))).state == State::kAssigned ? 1 : 0;
    EXPECT_EQ(assigned, 7);
    EXPECT_EQ(Operator(Op("a")).load, 4);
    EXPECT_EQ(Operator(Op("b")).load, 3);
    EXPECT_EQ(router_->Inbox(OperatorId(Op("a"))).value().held.size(), 4u);
}

// ---- Regressions: each of these failed against the first version of the store/router. ----

// A redelivered HandoffRequested (at-least-once: the consumer crashed before committing) must not
// re-queue a conversation an operator already resolved (the event id is checked in Enqueue).
TEST_F(RouterTest, ARedeliveredHandoffDoesNotReopenAResolvedConversation) {
    const std::string a = Op("a"), c = Conv("1");
    Online(a, {});
    const auto rec = HandoffRecord(c, {});
    ASSERT_TRUE(router_->HandleRecord(rec).ok());
    ASSERT_EQ(router_->Resolve(OperatorId(a), ConversationId(c)).error, Router::ActionError::kNone);
    ASSERT_TRUE(router_->HandleRecord(rec).ok());  // the same record again
    EXPECT_EQ(Info(c).state, State::kResolved);
    EXPECT_EQ(Operator(a).load, 0);
}

// Exclusions lapse (exclusion window, 60 s here): the only operator who can take a conversation
// lets one offer expire, and gets it offered again later rather than the conversation waiting.
TEST_F(RouterTest, AnExpiredOfferDoesNotStrandTheConversationWithItsOnlyOperator) {
    const std::string a = Op("a"), c = Conv("1");
    Online(a, {.auto_accept = false});
    Handoff(c);
    ASSERT_EQ(Info(c).state, State::kOffered);
    clock_.Advance(11s);
    ASSERT_TRUE(router_->Heartbeat(OperatorId(a)).value().has_value());
    ASSERT_TRUE(router_->Sweep().ok());
    ASSERT_EQ(Info(c).state, State::kQueued);
    bool offered_again = false;
    for (int i = 0; i < 10 && !offered_again; ++i) {
        clock_.Advance(20s);
        ASSERT_TRUE(router_->Heartbeat(OperatorId(a)).value().has_value());
        ASSERT_TRUE(router_->Sweep().ok());
        offered_again = Info(c).state == State::kOffered;
    }
    EXPECT_TRUE(offered_again) << "waited 200 s with its only operator free";
    EXPECT_EQ(Info(c).operator_id.str(), a);
}

// A transfer to an operator who once declined (or let expire) the conversation is served: the
// transfer lifts the target's exclusion.
TEST_F(RouterTest, ATransferToAnOperatorWhoOnceDeclinedIsServed) {
    const std::string a = Op("a"), b = Op("b"), c = Conv("1");
    Online(a, {.auto_accept = false});
    clock_.Advance(1s);
    Online(b, {.auto_accept = true});
    SetStatus(b, {.auto_accept = true}, OperatorStatus::kAway);
    Handoff(c);
    ASSERT_EQ(Info(c).operator_id.str(), a);
    ASSERT_EQ(router_->Decline(OperatorId(a), ConversationId(c)).error, Router::ActionError::kNone);
    Online(b, {.auto_accept = true});
    ASSERT_EQ(Info(c).operator_id.str(), b);
    SetStatus(a, {.auto_accept = true}, OperatorStatus::kOnline);
    ASSERT_EQ(router_->Transfer(OperatorId(b), ConversationId(c), {OperatorId(a), {}}, "").error,
              Router::ActionError::kNone);
    EXPECT_EQ(Info(c).state, State::kAssigned) << "a is online, free and the explicit target";
}

// No head-of-line blocking: when the first `dispatch_batch` queued conversations cannot be served
// (here: Telegram, nobody online for it), Dispatch pages past them to ones that can.
TEST_F(RouterTest, UnservableConversationsAtTheHeadDoNotStarveTheRest) {
    options_.dispatch_batch = 3;
    MakeRouter();
    for (int i = 0; i < 3; ++i) {
        Handoff(Conv("tg" + std::to_string(i)), {.channel = common::CHANNEL_TELEGRAM});
        clock_.Advance(1s);
    }
    Handoff(Conv("web"), {.channel = common::CHANNEL_WEB});
    Online(Op("a"), {.capacity = 3, .channels = {"web"}});
    ASSERT_TRUE(router_->Sweep().ok());
    EXPECT_EQ(Info(Conv("web")).state, State::kAssigned);
}

// ListQueue(limit) shows the first `limit` to be served: a VIP who arrived later is first.
TEST_F(RouterTest, ListQueueWithALimitShowsTheFirstToBeServed) {
    Handoff(Conv("old1"));
    clock_.Advance(1s);
    Handoff(Conv("old2"));
    clock_.Advance(1s);
    Handoff(Conv("vip"), {.priority = 10});
    auto queue = router_->ListQueue(1).value();
    ASSERT_EQ(queue.size(), 1u);
    EXPECT_EQ(queue[0].id.str(), Conv("vip"));
}

}  // namespace
}  // namespace switchboard::routing
