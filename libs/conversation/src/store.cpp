#include "switchboard/conversation/store.hpp"

#include <utility>

namespace switchboard::conversation {

namespace {

using redis::Reply;
using redis::Script;

// Conversation keys expire after 30 days without change: long enough for any reopen window.
constexpr const char* kConvTtlSeconds = "2592000";

std::string Millis(Store::TimePoint t) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

State ParseState(const std::string& s) {
    if (s == "bot") return State::kBot;
    if (s == "queued") return State::kQueued;
    if (s == "assigned") return State::kAssigned;
    if (s == "resolved") return State::kResolved;
    return State::kNone;
}

const Script& BeginBotTurnScript() {
    static const Script s(R"lua(
local s = redis.call('HGET', KEYS[1], 'state')
if s == false or s == 'resolved' then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'state', 'bot', 'channel', ARGV[1], 'updated_at', ARGV[2])
  s = 'bot'
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return s
)lua");
    return s;
}

const Script& MarkHandoffScript() {
    static const Script s(R"lua(
local s = redis.call('HGET', KEYS[1], 'state')
if s == false or s == 'bot' or s == 'resolved' then
  redis.call('HSET', KEYS[1], 'state', 'queued', 'channel', ARGV[1], 'updated_at', ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
)lua");
    return s;
}

const Script& EnqueueScript() {
    static const Script s(R"lua(
local s = redis.call('HGET', KEYS[1], 'state')
if s == 'assigned' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'queued', 'channel', ARGV[2], 'updated_at', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
return 1
)lua");
    return s;
}

// KEYS: queue, online set. ARGV: prefix, max, now.
const Script& AssignQueuedScript() {
    static const Script s(R"lua(
local out = {}
local queued = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
for _, conv in ipairs(queued) do
  local ckey = ARGV[1] .. 'conv:' .. conv
  if redis.call('HGET', ckey, 'state') ~= 'queued' then
    redis.call('ZREM', KEYS[1], conv)
  else
    local best, best_ratio, best_last = nil, nil, nil
    for _, op in ipairs(redis.call('SMEMBERS', KEYS[2])) do
      local f = redis.call('HMGET', ARGV[1] .. 'op:' .. op, 'capacity', 'load', 'last_assigned_at')
      local cap = tonumber(f[1]) or 0
      local load = tonumber(f[2]) or 0
      local last = tonumber(f[3]) or 0
      if load < cap then
        local ratio = load / cap
        if best == nil or ratio < best_ratio or (ratio == best_ratio and last < best_last) then
          best, best_ratio, best_last = op, ratio, last
        end
      end
    end
    if best == nil then break end
    local okey = ARGV[1] .. 'op:' .. best
    redis.call('HINCRBY', okey, 'load', 1)
    redis.call('HSET', okey, 'last_assigned_at', ARGV[3])
    local name = redis.call('HGET', okey, 'name') or best
    redis.call('HSET', ckey, 'state', 'assigned', 'operator_id', best, 'operator_name', name,
               'updated_at', ARGV[3])
    redis.call('ZREM', KEYS[1], conv)
    table.insert(out, conv)
    table.insert(out, best)
    table.insert(out, name)
    table.insert(out, redis.call('HGET', ckey, 'channel') or '')
  end
end
return out
)lua");
    return s;
}

// KEYS: op hash, online set. ARGV: op id, name, status, capacity.
const Script& SetStatusScript() {
    static const Script s(R"lua(
redis.call('HSET', KEYS[1], 'name', ARGV[2], 'status', ARGV[3])
if tonumber(ARGV[4]) > 0 then
  redis.call('HSET', KEYS[1], 'capacity', ARGV[4])
else
  redis.call('HSETNX', KEYS[1], 'capacity', 3)
end
redis.call('HSETNX', KEYS[1], 'load', 0)
if ARGV[3] == 'online' then
  redis.call('SADD', KEYS[2], ARGV[1])
else
  redis.call('SREM', KEYS[2], ARGV[1])
end
return 1
)lua");
    return s;
}

// KEYS: conv hash, op hash. ARGV: op id, now.
const Script& ResolveByOperatorScript() {
    static const Script s(R"lua(
local f = redis.call('HMGET', KEYS[1], 'state', 'operator_id')
if f[1] ~= 'assigned' then return 1 end
if f[2] ~= ARGV[1] then return 2 end
redis.call('HSET', KEYS[1], 'state', 'resolved', 'resolved_by', 'operator', 'updated_at', ARGV[2])
if tonumber(redis.call('HGET', KEYS[2], 'load') or '0') > 0 then
  redis.call('HINCRBY', KEYS[2], 'load', -1)
end
return 0
)lua");
    return s;
}

// KEYS: bot_idle zset. ARGV: prefix, now, max.
const Script& ResolveIdleBotsScript() {
    static const Script s(R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, conv in ipairs(due) do
  redis.call('ZREM', KEYS[1], conv)
  local ckey = ARGV[1] .. 'conv:' .. conv
  if redis.call('HGET', ckey, 'state') == 'bot' then
    redis.call('HSET', ckey, 'state', 'resolved', 'resolved_by', 'bot', 'updated_at', ARGV[2])
    table.insert(out, conv)
    table.insert(out, redis.call('HGET', ckey, 'channel') or '')
  end
end
return out
)lua");
    return s;
}

Error Unexpected(const char* what) { return Error::Fatal(std::string("unexpected Redis reply to ") + what); }

}  // namespace

std::string_view StateName(State state) {
    switch (state) {
        case State::kNone: return "none";
        case State::kBot: return "bot";
        case State::kQueued: return "queued";
        case State::kAssigned: return "assigned";
        case State::kResolved: return "resolved";
    }
    return "none";
}

Store::Store(redis::Client& redis, std::string key_prefix) : redis_(redis), prefix_(std::move(key_prefix)) {}

Result<ConversationInfo> Store::Get(const ConversationId& id) {
    auto r = redis_.Command({"HMGET", Key("conv:", id.str()), "state", "channel", "operator_id", "operator_name"});
    if (!r) return r.error();
    if (!r->is_array() || r->array().size() != 4) return Unexpected("HMGET");
    const auto& a = r->array();
    auto str = [](const Reply& x) { return x.is_string() ? x.string() : std::string(); };
    ConversationInfo info;
    info.state = ParseState(str(a[0]));
    info.channel = str(a[1]);
    info.operator_id = OperatorId(str(a[2]));
    info.operator_name = str(a[3]);
    return info;
}

Result<State> Store::BeginBotTurn(const ConversationId& id, const std::string& channel, TimePoint now) {
    auto r = redis_.Eval(BeginBotTurnScript(), {Key("conv:", id.str())}, {channel, Millis(now), kConvTtlSeconds});
    if (!r) return r.error();
    if (!r->is_string()) return Unexpected("BeginBotTurn");
    return ParseState(r->string());
}

Result<bool> Store::MarkHandoff(const ConversationId& id, const std::string& channel, TimePoint now) {
    auto r = redis_.Eval(MarkHandoffScript(), {Key("conv:", id.str())}, {channel, Millis(now), kConvTtlSeconds});
    if (!r) return r.error();
    if (!r->is_integer()) return Unexpected("MarkHandoff");
    return r->integer() == 1;
}

Result<bool> Store::Enqueue(const ConversationId& id, const std::string& channel, TimePoint now) {
    auto r = redis_.Eval(EnqueueScript(), {Key("conv:", id.str()), prefix_ + "queue"},
                         {id.str(), channel, Millis(now), kConvTtlSeconds});
    if (!r) return r.error();
    if (!r->is_integer()) return Unexpected("Enqueue");
    return r->integer() == 1;
}

Result<std::vector<Assignment>> Store::AssignQueued(TimePoint now, int max) {
    auto r = redis_.Eval(AssignQueuedScript(), {prefix_ + "queue", prefix_ + "ops:online"},
                         {prefix_, std::to_string(max), Millis(now)});
    if (!r) return r.error();
    if (!r->is_array() || r->array().size() % 4 != 0) return Unexpected("AssignQueued");
    std::vector<Assignment> out;
    const auto& a = r->array();
    for (size_t i = 0; i + 3 < a.size(); i += 4) {
        out.push_back({ConversationId(a[i].string()), OperatorId(a[i + 1].string()), a[i + 2].string(),
                       a[i + 3].string()});
    }
    return out;
}

Status Store::SetOperatorStatus(const OperatorId& op, const std::string& display_name, OperatorStatus status,
                                int capacity) {
    const char* s = status == OperatorStatus::kOnline ? "online" : status == OperatorStatus::kAway ? "away" : "offline";
    auto r = redis_.Eval(SetStatusScript(), {Key("op:", op.str()), prefix_ + "ops:online"},
                         {op.str(), display_name, s, std::to_string(capacity)});
    if (!r) return r.error();
    return Status::Ok();
}

Result<ResolveOutcome> Store::ResolveByOperator(const ConversationId& id, const OperatorId& op, TimePoint now) {
    auto r = redis_.Eval(ResolveByOperatorScript(), {Key("conv:", id.str()), Key("op:", op.str())},
                         {op.str(), Millis(now)});
    if (!r) return r.error();
    if (!r->is_integer()) return Unexpected("ResolveByOperator");
    switch (r->integer()) {
        case 0: return ResolveOutcome::kResolved;
        case 1: return ResolveOutcome::kNotAssigned;
        default: return ResolveOutcome::kOtherOperator;
    }
}

Status Store::ScheduleBotResolution(const ConversationId& id, TimePoint due) {
    auto r = redis_.Command({"ZADD", prefix_ + "bot_idle", Millis(due), id.str()});
    if (!r) return r.error();
    return Status::Ok();
}

Result<std::vector<BotResolution>> Store::ResolveIdleBots(TimePoint now, int max) {
    auto r = redis_.Eval(ResolveIdleBotsScript(), {prefix_ + "bot_idle"}, {prefix_, Millis(now), std::to_string(max)});
    if (!r) return r.error();
    if (!r->is_array() || r->array().size() % 2 != 0) return Unexpected("ResolveIdleBots");
    std::vector<BotResolution> out;
    const auto& a = r->array();
    for (size_t i = 0; i + 1 < a.size(); i += 2) {
        out.push_back({ConversationId(a[i].string()), a[i + 1].string()});
    }
    return out;
}

}  // namespace switchboard::conversation
