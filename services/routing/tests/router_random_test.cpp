// Integration, randomized: two or three Router "replicas" (each its own Redis client, Store and
// producer) share one Redis and Kafka and are driven through a few hundred random operator and
// customer actions: handoffs, presence changes, missed heartbeats, accepts/declines, resolutions,
// transfers, replicas killed and replaced, and bursts of two threads dispatching and accepting at
// once. After every step the whole routing state is read back from Redis (one Lua script, so a
// consistent view) and the invariants are checked:
//   - an operator's load is the number of conversations offered to or held by them, never above
//     their capacity; the same per channel, never above a per-channel cap;
//   - no conversation is offered to or held by two operators, and the operator sets agree with
//     the conversation's own state and operator_id; the offers zset holds exactly the offered ones;
//   - every handed-off conversation is queued (and in the queue zset), offered or assigned, or
//     resolved by an operator through Resolve;
//   - online status and the ops:online set agree;
//   - nothing is offered or assigned to an operator who is not online and heartbeating at that
//     moment (checked inside the InboxNotifier, i.e. when the router announces it).
// Reproduce a run with SWITCHBOARD_ROUTER_SEED=<seed> (printed); SWITCHBOARD_ROUTER_STEPS sets the
// number of steps (default 300). The bursts are concurrent, so their interleaving is not replayed.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "router.hpp"
#include "routing_probe.hpp"
#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/core/ids.hpp"
#include "switchboard/kafka/admin.hpp"
#include "switchboard/redis/client.hpp"
#include "switchboard/testing/environment.hpp"

namespace switchboard::routing {
namespace {

using namespace std::chrono_literals;
namespace chat = switchboard::chat::v1;
namespace common = switchboard::common::v1;
using conversation::OperatorStatus;

constexpr auto kHeartbeatTimeout = 30s;
constexpr auto kOfferTimeout = 10s;
const std::vector<std::string> kChannels{"web", "telegram", "email"};
const std::vector<std::string> kLanguages{"en", "ru", "de"};
const std::vector<std::string> kTopics{"billing", "sales", "tech"};

std::uint64_t EnvOr(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

std::int64_t Ms(Clock::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

redis::ClientConfig RedisConfig() {
    redis::ClientConfig cfg;
    cfg.host = testing::RedisHost();
    cfg.port = testing::RedisPort();
    return cfg;
}

// The whole routing state of the given operators and conversations, read atomically.
// ARGV: prefix, number of operators, operator ids…, conversation ids…
const redis::Script& DumpScript() {
    static const redis::Script s(R"lua(
local P, nops = ARGV[1], tonumber(ARGV[2])
local ops = {}
for i = 3, 2 + nops do
  local op = ARGV[i]
  local okey = P .. 'op:' .. op
  table.insert(ops, {redis.call('HGETALL', okey), redis.call('SMEMBERS', okey .. ':offers'),
                     redis.call('SMEMBERS', okey .. ':held'), redis.call('ZSCORE', P .. 'presence', op) or '0',
                     redis.call('SISMEMBER', P .. 'ops:online', op)})
end
local convs = {}
for i = 3 + nops, #ARGV do
  local c = ARGV[i]
  local f = redis.call('HMGET', P .. 'conv:' .. c, 'state', 'operator_id', 'channel', 'resolved_by')
  table.insert(convs, {f[1] or '', f[2] or '', f[3] or '', f[4] or '',
                       redis.call('ZSCORE', P .. 'queue', c) or '', redis.call('ZSCORE', P .. 'offers', c) or ''})
end
return {ops, convs}
)lua");
    return s;
}

struct OpDump {
    std::map<std::string, std::string> fields;
    std::set<std::string> offers, held;
    std::int64_t presence = 0;
    bool in_online_set = false;
};
struct ConvDump {
    std::string state, op, channel, resolved_by;
    bool in_queue = false, in_offers = false;
};

struct OpSpec {
    std::string id;
    int capacity = 1;
    bool auto_accept = true;
    std::vector<std::string> channels, languages, topics;
    std::vector<std::pair<std::string, int>> caps;
};

// Checks each offer/assignment against the operator's state at the moment it is announced.
class CheckingInbox final : public InboxNotifier {
public:
    CheckingInbox(conversation::Store& store, const Clock& clock) : store_(store), clock_(clock) {}
    void Notify(const OperatorId& op, const v1::InboxEvent& event) override {
        if (event.kind() != v1::InboxEvent::KIND_OFFERED && event.kind() != v1::InboxEvent::KIND_ASSIGNED)
            return;
        auto rec = store_.GetOperator(op);
        std::string problem;
        if (!rec.ok()) {
            problem = "Redis error: " + rec.error().message;
        } else if (!rec->has_value()) {
            problem = "unknown operator";
        } else if ((*rec)->status != OperatorStatus::kOnline) {
            problem = "operator is " + std::string(conversation::StatusName((*rec)->status));
        } else if ((*rec)->presence_deadline <= Ms(clock_.Now())) {
            problem = "operator's heartbeat deadline passed";
        }
        std::lock_guard lock(mu_);
        ++announced_;
        if (!problem.empty()) {
            violations_.push_back(
                std::string(event.kind() == v1::InboxEvent::KIND_OFFERED ? "offered " : "assigned ") +
                event.conversation_id() + " to " + op.str() + ": " + problem);
        }
    }
    std::vector<std::string> TakeViolations() {
        std::lock_guard lock(mu_);
        return std::exchange(violations_, {});
    }
    std::size_t announced() const {
        std::lock_guard lock(mu_);
        return announced_;
    }

private:
    conversation::Store& store_;
    const Clock& clock_;
    mutable std::mutex mu_;
    std::vector<std::string> violations_;
    std::size_t announced_ = 0;
};

// One routing replica: its own connections, sharing Redis keys, topics and the clock.
struct Replica {
    Replica(const events::Naming& naming, const std::string& prefix, const Clock& clock, InboxNotifier& inbox,
            int generation)
        : redis(redis::MakeClient(RedisConfig())),
          store(*redis, prefix, StoreOptions()),
          producer(kafka::MakeProducer(
              {testing::KafkaBrokers(), "router-random-" + std::to_string(generation), {}})),
          probe(registry),
          router(store, *producer, naming, clock, probe, inbox, RouterOptions()) {}

    static conversation::Store::Options StoreOptions() {
        conversation::Store::Options o;
        o.heartbeat_timeout = kHeartbeatTimeout;
        return o;
    }
    static Router::Options RouterOptions() {
        Router::Options o;
        o.offer_timeout = kOfferTimeout;
        o.abandon_after = 0ms;  // every handed-off conversation must stay in play
        return o;
    }

    std::unique_ptr<redis::Client> redis;
    conversation::Store store;
    std::unique_ptr<kafka::Producer> producer;
    prometheus::Registry registry;
    RoutingProbe probe;
    Router router;
};

class RouterRandomTest : public ::testing::Test {
protected:
    void SetUp() override {
        seed_ = EnvOr("SWITCHBOARD_ROUTER_SEED", std::random_device{}());
        steps_ = EnvOr("SWITCHBOARD_ROUTER_STEPS", 300);
        std::cout << "router_random_test: seed " << seed_ << " (SWITCHBOARD_ROUTER_SEED=" << seed_
                  << " to repeat), " << steps_ << " steps" << std::endl;
        rng_.seed(seed_);
        naming_ = std::make_unique<events::Naming>(testing::UniqueNamespace());
        ASSERT_TRUE(kafka::EnsureTopics(testing::KafkaBrokers(), naming_->AllTopics(1)).ok())
            << "Kafka not reachable; start it with tools/stack start";
        checker_redis_ = redis::MakeClient(RedisConfig());
        ASSERT_TRUE(checker_redis_->Healthy()) << "Redis not reachable; start it with tools/stack start";
        prefix_ = naming_->RedisPrefix();
        checker_ = std::make_unique<conversation::Store>(*checker_redis_, prefix_, Replica::StoreOptions());
        inbox_ = std::make_unique<CheckingInbox>(*checker_, clock_);
        const int replicas = 2 + static_cast<int>(rng_() % 2);
        for (int i = 0; i < replicas; ++i) replicas_.push_back(NewReplica());
        Log("replicas: " + std::to_string(replicas));
    }

    std::unique_ptr<Replica> NewReplica() {
        return std::make_unique<Replica>(*naming_, prefix_, clock_, *inbox_, generation_++);
    }

    // ---- randomness ----
    int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
    template <typename T>
    const T& Pick(const std::vector<T>& v) {
        return v[static_cast<std::size_t>(Uniform(0, static_cast<int>(v.size()) - 1))];
    }
    std::vector<std::string> Subset(const std::vector<std::string>& from, double p) {
        std::vector<std::string> out;
        for (const auto& x : from) {
            if (Chance(p)) out.push_back(x);
        }
        return out;
    }
    std::size_t PickReplica() {
        return static_cast<std::size_t>(Uniform(0, static_cast<int>(replicas_.size()) - 1));
    }

    void Log(const std::string& line) {
        std::lock_guard lock(log_mu_);
        log_.push_back("#" + std::to_string(step_) + " t+" +
                       std::to_string((Ms(clock_.Now()) - Ms(start_)) / 1000) + "s " + line);
    }
    std::string LogText() {
        std::lock_guard lock(log_mu_);
        std::string out;
        for (const auto& l : log_) out += "  " + l + "\n";
        return out;
    }

    // ---- the world ----
    conversation::OperatorProfile Profile(const OpSpec& s) {
        conversation::OperatorProfile p;
        p.id = OperatorId(s.id);
        p.name = "Operator " + s.id;
        p.capacity = s.capacity;
        p.auto_accept = s.auto_accept;
        p.channels = s.channels;
        p.languages = s.languages;
        p.topics = s.topics;
        p.channel_capacity = s.caps;
        return p;
    }

    void MakeOperators(int n) {
        for (int i = 0; i < n; ++i) {
            OpSpec s;
            s.id = "op" + std::to_string(i);
            s.capacity = Uniform(1, 4);
            s.auto_accept = Chance(0.5);
            s.channels = Subset(kChannels, 0.6);
            s.languages = Chance(0.3) ? std::vector<std::string>{} : Subset(kLanguages, 0.5);
            s.topics = Subset(kTopics, 0.4);
            if (Chance(0.3)) s.caps = {{Pick(kChannels), Uniform(1, 2)}};
            std::ostringstream d;
            d << s.id << " cap " << s.capacity << (s.auto_accept ? " auto" : " manual") << " ch[";
            for (const auto& c : s.channels) d << c << ' ';
            d << "] lang[";
            for (const auto& l : s.languages) d << l << ' ';
            d << "] topics[";
            for (const auto& t : s.topics) d << t << ' ';
            d << "]";
            for (const auto& [ch, cap] : s.caps) d << " " << ch << "<=" << cap;
            Log("operator " + d.str());
            ops_.push_back(std::move(s));
        }
    }

    kafka::Record HandoffRecord(const std::string& conv, const std::string& channel) {
        chat::ConversationEvent ev;
        events::FillEnvelope(ev.mutable_envelope(), NewUuid(), conv, events::ParseChannel(channel).value(),
                             "assistant", "", clock_.Now());
        auto* h = ev.mutable_handoff_requested();
        h->set_reason(chat::HANDOFF_REASON_LOW_CONFIDENCE);
        h->set_language(Chance(0.2) ? "" : Pick(kLanguages));
        for (const auto& t : Subset(kTopics, 0.3)) h->add_topics(t);
        h->set_priority(Chance(0.2) ? 10 : 0);
        h->set_text("help");
        return {naming_->Events(), 0, 0, conv, ev.SerializeAsString(), false, 0};
    }

    // Conversations currently in `state` per Redis, and who has them (from the last dump).
    std::vector<std::pair<std::string, std::string>> InState(const std::string& state) {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& [id, c] : convs_now_) {
            if (c.state == state) out.emplace_back(id, c.op);
        }
        return out;
    }

    // ---- invariants ----
    void Dump() {
        std::vector<std::string> argv{prefix_, std::to_string(ops_.size())};
        for (const auto& o : ops_) argv.push_back(o.id);
        std::vector<std::string> convs;
        {
            std::lock_guard lock(model_mu_);
            convs.assign(handed_.begin(), handed_.end());
        }
        argv.insert(argv.end(), convs.begin(), convs.end());
        auto r = checker_redis_->Eval(DumpScript(), {}, argv);
        ASSERT_TRUE(r.ok()) << r.error().message;
        const auto& ops = r->array()[0].array();
        const auto& cs = r->array()[1].array();
        ops_now_.clear();
        for (std::size_t i = 0; i < ops.size(); ++i) {
            OpDump d;
            const auto& a = ops[i].array();
            const auto& h = a[0].array();
            for (std::size_t k = 0; k + 1 < h.size(); k += 2) d.fields[h[k].string()] = h[k + 1].string();
            for (const auto& x : a[1].array()) d.offers.insert(x.string());
            for (const auto& x : a[2].array()) d.held.insert(x.string());
            d.presence = std::stoll(a[3].string());
            d.in_online_set = a[4].integer() == 1;
            ops_now_[ops_[i].id] = std::move(d);
        }
        convs_now_.clear();
        for (std::size_t i = 0; i < cs.size(); ++i) {
            const auto& a = cs[i].array();
            convs_now_[convs[i]] = {a[0].string(), a[1].string(),          a[2].string(),
                                    a[3].string(), !a[4].string().empty(), !a[5].string().empty()};
        }
    }

    std::vector<std::string> Violations() {
        std::vector<std::string> v = inbox_->TakeViolations();
        auto field = [](const OpDump& d, const std::string& k) {
            auto it = d.fields.find(k);
            return it == d.fields.end() ? 0 : std::stoi(it->second);
        };
        std::map<std::string, int> holders;  // conversation → how many operator sets list it
        for (const auto& spec : ops_) {
            const auto it = ops_now_.find(spec.id);
            if (it == ops_now_.end() || it->second.fields.empty()) continue;  // never set up yet
            const OpDump& d = it->second;
            const std::string& op = spec.id;
            const int load = field(d, "load");
            const int capacity = field(d, "capacity");
            const std::size_t sets = d.offers.size() + d.held.size();
            if (load != static_cast<int>(sets)) {
                v.push_back(op + ": load " + std::to_string(load) + " but " + std::to_string(sets) +
                            " offered+held");
            }
            if (load > capacity)
                v.push_back(op + ": load " + std::to_string(load) + " > capacity " +
                            std::to_string(capacity));
            std::map<std::string, int> per_channel;
            for (const auto* set : {&d.offers, &d.held}) {
                for (const auto& c : *set) {
                    ++holders[c];
                    const auto cit = convs_now_.find(c);
                    if (cit == convs_now_.end()) {
                        v.push_back(op + " lists unknown conversation " + c);
                        continue;
                    }
                    ++per_channel[cit->second.channel];
                    const std::string want = set == &d.offers ? "offered" : "assigned";
                    if (cit->second.state != want || cit->second.op != op) {
                        v.push_back(op + " lists " + c + " as " + want + " but it is " + cit->second.state +
                                    " by '" + cit->second.op + "'");
                    }
                }
            }
            for (const auto& ch : kChannels) {
                const int recorded = field(d, "load:" + ch);
                if (recorded != per_channel[ch]) {
                    v.push_back(op + ": load:" + ch + " " + std::to_string(recorded) + " but " +
                                std::to_string(per_channel[ch]) + " conversations");
                }
            }
            for (const auto& [ch, cap] : spec.caps) {
                if (per_channel[ch] > cap) {
                    v.push_back(op + ": " + std::to_string(per_channel[ch]) + " " + ch +
                                " conversations > cap " + std::to_string(cap));
                }
            }
            const bool online = d.fields.count("status") && d.fields.at("status") == "online";
            if (online != d.in_online_set) v.push_back(op + ": status and ops:online disagree");
        }
        std::set<std::string> resolved_ok;
        {
            std::lock_guard lock(model_mu_);
            resolved_ok = resolved_;
        }
        for (const auto& [c, d] : convs_now_) {
            const int n = holders.count(c) ? holders[c] : 0;
            if (n > 1) v.push_back(c + " is offered to or held by " + std::to_string(n) + " operators");
            if (d.state == "queued") {
                if (!d.in_queue) v.push_back(c + " is queued but not in the queue zset");
                if (n != 0) v.push_back(c + " is queued but an operator lists it");
            } else if (d.state == "offered" || d.state == "assigned") {
                if (n != 1)
                    v.push_back(c + " is " + d.state + " to '" + d.op + "' but listed by " +
                                std::to_string(n));
                if (d.in_queue) v.push_back(c + " is " + d.state + " but still in the queue zset");
            } else if (d.state == "resolved") {
                if (d.resolved_by != "operator" || !resolved_ok.count(c)) {
                    v.push_back(c + " resolved (by '" + d.resolved_by +
                                "') without an operator resolving it");
                }
                if (n != 0) v.push_back(c + " is resolved but an operator lists it");
            } else {
                v.push_back(c + " was handed off but is '" + d.state + "'");
            }
            if (d.in_offers != (d.state == "offered"))
                v.push_back(c + ": offers zset and state '" + d.state + "' disagree");
        }
        return v;
    }

    void CheckInvariants() {
        Dump();
        if (HasFatalFailure()) return;
        const auto v = Violations();
        if (v.empty()) return;
        std::string msg = "invariants broken after step " + std::to_string(step_) + " (seed " +
                          std::to_string(seed_) + "):\n";
        for (const auto& x : v) msg += "  " + x + "\n";
        FAIL() << msg << "steps:\n" << LogText() << "reproduce: SWITCHBOARD_ROUTER_SEED=" << seed_;
    }

    // ---- actions ----
    // False (and the test failed) if a call failed for a reason other than the rules.
    bool Expect(const Status& s, const std::string& what) {
        if (s.ok()) return true;
        ADD_FAILURE() << what << ": " << s.error().message << " (seed " << seed_ << ")\n" << LogText();
        return false;
    }
    void ExpectOutcome(const Router::Outcome& o, const std::string& what) {
        if (o.error != Router::ActionError::kUnavailable) return;
        ADD_FAILURE() << what << ": " << o.message << " (seed " << seed_ << ")\n" << LogText();
    }
    static const char* ErrorName(Router::ActionError e) {
        switch (e) {
            case Router::ActionError::kNone:
                return "ok";
            case Router::ActionError::kInvalid:
                return "invalid";
            case Router::ActionError::kNotAssigned:
                return "not_assigned";
            case Router::ActionError::kOtherOperator:
                return "other_operator";
            case Router::ActionError::kNotOffered:
                return "not_offered";
            case Router::ActionError::kExpired:
                return "expired";
            case Router::ActionError::kUnavailable:
                return "unavailable";
        }
        return "?";
    }

    void DoHandoff(Router& r, std::size_t ri) {
        std::string conv;
        auto queued = InState("queued");
        if (!queued.empty() && Chance(0.15)) {
            conv = Pick(queued).first;  // a redelivered or repeated handoff of a waiting conversation
        } else {
            std::lock_guard lock(model_mu_);
            conv = "c" + std::to_string(next_conv_++);
        }
        const std::string channel = Pick(kChannels);
        auto record = HandoffRecord(conv, channel);
        {
            std::lock_guard lock(model_mu_);
            handed_.insert(conv);
        }
        Log("r" + std::to_string(ri) + " handoff " + conv + " " + channel);
        Expect(r.HandleRecord(record), "handoff");
    }

    void DoSetStatus(Router& r, std::size_t ri) {
        const OpSpec& s = Pick(ops_);
        const int roll = Uniform(0, 9);
        const auto status = roll < 6   ? OperatorStatus::kOnline
                            : roll < 8 ? OperatorStatus::kAway
                                       : OperatorStatus::kOffline;
        auto ended = r.SetStatus(Profile(s), status);
        if (!Expect(ended.ok() ? Status::Ok() : Status(ended.error()), "SetStatus")) return;
        Log("r" + std::to_string(ri) + " " + s.id + " " + std::string(conversation::StatusName(status)) +
            " (" + std::to_string(ended->size()) + " offers ended)");
    }

    void DoHeartbeats(Router& r, std::size_t ri) {
        std::string who;
        for (const auto& s : ops_) {
            if (!Chance(0.7)) continue;  // some operators' inboxes stay silent
            auto hb = r.Heartbeat(OperatorId(s.id));
            if (!Expect(hb.ok() ? Status::Ok() : Status(hb.error()), "Heartbeat")) return;
            if (hb->has_value()) who += " " + s.id;
        }
        Log("r" + std::to_string(ri) + " heartbeats:" + who);
    }

    void DoAdvanceAndSweep(Router& r, std::size_t ri) {
        const auto d = std::chrono::seconds(Uniform(1, 15));
        clock_.Advance(d);
        Log("r" + std::to_string(ri) + " clock +" + std::to_string(d.count()) + "s, sweep");
        Expect(r.Sweep(), "Sweep");
    }

    void DoAccept(Router& r, std::size_t ri) {
        auto offered = InState("offered");
        if (offered.empty()) return DoDispatch(r, ri);
        auto [conv, op] = Pick(offered);
        if (Chance(0.1)) op = Pick(ops_).id;  // sometimes the wrong operator
        const auto o = r.Accept(OperatorId(op), ConversationId(conv));
        Log("r" + std::to_string(ri) + " " + op + " accepts " + conv + ": " + ErrorName(o.error));
        ExpectOutcome(o, "Accept");
    }

    void DoDecline(Router& r, std::size_t ri) {
        auto offered = InState("offered");
        if (offered.empty()) return DoDispatch(r, ri);
        const auto [conv, op] = Pick(offered);
        const auto o = r.Decline(OperatorId(op), ConversationId(conv));
        Log("r" + std::to_string(ri) + " " + op + " declines " + conv + ": " + ErrorName(o.error));
        ExpectOutcome(o, "Decline");
    }

    void DoResolve(Router& r, std::size_t ri) {
        auto held = InState("assigned");
        if (held.empty()) return DoDispatch(r, ri);
        auto [conv, op] = Pick(held);
        if (Chance(0.1)) op = Pick(ops_).id;
        const auto o = r.Resolve(OperatorId(op), ConversationId(conv));
        if (o.error == Router::ActionError::kNone) {
            std::lock_guard lock(model_mu_);
            resolved_.insert(conv);
        }
        Log("r" + std::to_string(ri) + " " + op + " resolves " + conv + ": " + ErrorName(o.error));
        ExpectOutcome(o, "Resolve");
    }

    void DoTransfer(Router& r, std::size_t ri) {
        auto held = InState("assigned");
        if (held.empty()) return DoDispatch(r, ri);
        const auto [conv, op] = Pick(held);
        conversation::Store::TransferTarget to;
        std::string what;
        if (Chance(0.5)) {
            to.to_operator = OperatorId(Pick(ops_).id);
            what = "operator " + to.to_operator.str();
        } else {
            to.to_topics = {Pick(kTopics)};
            what = "queue " + to.to_topics[0];
        }
        const auto o = r.Transfer(OperatorId(op), ConversationId(conv), to, "note");
        Log("r" + std::to_string(ri) + " " + op + " transfers " + conv + " to " + what + ": " +
            ErrorName(o.error));
        ExpectOutcome(o, "Transfer");
    }

    void DoReplyOrMessage(Router& r, std::size_t ri) {
        auto held = InState("assigned");
        if (held.empty()) return DoDispatch(r, ri);
        const auto [conv, op] = Pick(held);
        if (Chance(0.5)) {
            const auto o = r.Reply(OperatorId(op), ConversationId(conv), "reply");
            Log("r" + std::to_string(ri) + " " + op + " replies in " + conv + ": " + ErrorName(o.error));
            ExpectOutcome(o, "Reply");
            return;
        }
        chat::InboundMessage in;
        events::FillEnvelope(in.mutable_envelope(), NewUuid(), conv, common::CHANNEL_WEB, "gateway", "",
                             clock_.Now());
        in.set_text("customer says hi");
        *in.mutable_received_at() = events::ToTimestamp(clock_.Now());
        Log("r" + std::to_string(ri) + " customer writes in " + conv);
        Expect(r.HandleRecord({naming_->Inbound(), 0, 0, conv, in.SerializeAsString(), false, 0}), "inbound");
    }

    void DoDispatch(Router& r, std::size_t ri) {
        auto placed = r.Dispatch();
        if (!Expect(placed.ok() ? Status::Ok() : Status(placed.error()), "Dispatch")) return;
        Log("r" + std::to_string(ri) + " dispatch: " + std::to_string(*placed) + " placed");
    }

    void DoKill() {
        const std::size_t i = PickReplica();
        replicas_[i].reset();  // its router, store, Redis connection and producer go away
        replicas_[i] = NewReplica();
        Log("replica r" + std::to_string(i) + " killed and replaced");
    }

    // Two threads at once, each on a random replica: dispatches, accepts and declines of the offers
    // seen before the burst, new handoffs. Same conversations on purpose, so they race.
    void DoBurst() {
        auto offered = InState("offered");
        std::vector<std::string> fresh;
        {
            std::lock_guard lock(model_mu_);
            for (int i = 0; i < 4; ++i) fresh.push_back("c" + std::to_string(next_conv_++));
            handed_.insert(fresh.begin(), fresh.end());
        }
        std::vector<kafka::Record> records;
        for (const auto& c : fresh) records.push_back(HandoffRecord(c, Pick(kChannels)));
        Log("burst: 2 threads, " + std::to_string(offered.size()) + " offers in play, handoffs " + fresh[0] +
            ".." + fresh[3]);
        std::vector<std::string> errors;
        std::mutex errors_mu;
        auto worker = [&](int t, std::uint64_t seed) {
            std::mt19937_64 rng(seed);
            Router& r = replicas_[seed % replicas_.size()]->router;
            auto fail = [&](const std::string& e) {
                std::lock_guard lock(errors_mu);
                errors.push_back(e);
            };
            for (int i = 0; i < 6; ++i) {
                const int what = static_cast<int>(rng() % 3);
                if (i == 1 || i == 4) {  // each thread hands off two of the four
                    const auto& rec = records[static_cast<std::size_t>(t * 2 + (i == 4 ? 1 : 0))];
                    if (auto s = r.HandleRecord(rec); !s.ok()) fail("handoff: " + s.error().message);
                } else if (what == 0 || offered.empty()) {
                    if (auto p = r.Dispatch(); !p.ok()) fail("Dispatch: " + p.error().message);
                } else {
                    const auto& [conv, op] = offered[rng() % offered.size()];
                    const auto o = what == 1 ? r.Accept(OperatorId(op), ConversationId(conv))
                                             : r.Decline(OperatorId(op), ConversationId(conv));
                    if (o.error == Router::ActionError::kUnavailable) fail("accept/decline: " + o.message);
                }
            }
        };
        std::thread a(worker, 0, rng_());
        std::thread b(worker, 1, rng_());
        a.join();
        b.join();
        for (const auto& e : errors) ADD_FAILURE() << "burst: " << e << " (seed " << seed_ << ")";
    }

    void Step() {
        const std::size_t ri = PickReplica();
        Router& r = replicas_[ri]->router;
        const int roll = Uniform(0, 99);
        if (roll < 22)
            DoHandoff(r, ri);
        else if (roll < 32)
            DoSetStatus(r, ri);
        else if (roll < 42)
            DoHeartbeats(r, ri);
        else if (roll < 52)
            DoAdvanceAndSweep(r, ri);
        else if (roll < 62)
            DoAccept(r, ri);
        else if (roll < 67)
            DoDecline(r, ri);
        else if (roll < 77)
            DoResolve(r, ri);
        else if (roll < 82)
            DoTransfer(r, ri);
        else if (roll < 87)
            DoReplyOrMessage(r, ri);
        else if (roll < 93)
            DoDispatch(r, ri);
        else if (roll < 96)
            DoKill();
        else
            DoBurst();
    }

    std::uint64_t seed_ = 0;
    std::uint64_t steps_ = 0;
    std::mt19937_64 rng_;
    ManualClock clock_{std::chrono::system_clock::time_point(std::chrono::milliseconds(1'760'000'000'000))};
    const Clock::TimePoint start_ = clock_.Now();
    std::unique_ptr<events::Naming> naming_;
    std::string prefix_;
    std::unique_ptr<redis::Client> checker_redis_;
    std::unique_ptr<conversation::Store> checker_;
    std::unique_ptr<CheckingInbox> inbox_;
    std::vector<std::unique_ptr<Replica>> replicas_;
    int generation_ = 0;
    std::vector<OpSpec> ops_;

    std::mutex model_mu_;
    std::set<std::string> handed_;    // every conversation handed off
    std::set<std::string> resolved_;  // resolved through Router::Resolve
    int next_conv_ = 0;

    std::map<std::string, OpDump> ops_now_;
    std::map<std::string, ConvDump> convs_now_;

    std::mutex log_mu_;
    std::vector<std::string> log_;
    std::uint64_t step_ = 0;
};

TEST_F(RouterRandomTest, ReplicasKeepEveryInvariantUnderRandomActions) {
    MakeOperators(12);
    // Most operators start online so that work flows from the first steps.
    for (const auto& s : ops_) {
        if (!Chance(0.75)) continue;
        auto ended = replicas_[PickReplica()]->router.SetStatus(Profile(s), OperatorStatus::kOnline);
        ASSERT_TRUE(ended.ok());
        Log(s.id + " online");
    }
    CheckInvariants();
    for (step_ = 1; step_ <= steps_ && !HasFailure(); ++step_) {
        Step();
        if (HasFailure()) break;
        CheckInvariants();
    }
    // The run must have exercised the interesting paths, or it proves little.
    std::map<std::string, int> states;
    for (const auto& [c, d] : convs_now_) ++states[d.state];
    std::cout << "router_random_test: seed " << seed_ << ": " << handed_.size() << " conversations, "
              << inbox_->announced() << " offers/assignments announced; now";
    for (const auto& [s, n] : states) std::cout << " " << s << "=" << n;
    std::cout << std::endl;
    EXPECT_GT(inbox_->announced(), steps_ / 10) << "too little routing happened (seed " << seed_ << ")";
    if (HasFailure()) std::cout << "reproduce: SWITCHBOARD_ROUTER_SEED=" << seed_ << std::endl;
}

}  // namespace
}  // namespace switchboard::routing
