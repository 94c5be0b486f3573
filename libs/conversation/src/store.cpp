#include "switchboard/conversation/store.hpp"

#include <charconv>
#include <string_view>
#include <utility>

namespace switchboard::conversation {

namespace {

using redis::Reply;
using redis::Script;

// Conversation keys expire after 30 days without change: longer than any reopen window.
constexpr const char* kConvTtlSeconds = "2592000";

// Lua shared by the scripts: comma-separated lists, per-channel caps ("web=2,email=1"), and the
// two moves every script that frees an operator makes.
constexpr const char* kPrelude = R"lua(
local function has(csv, item)
  if not csv or csv == '' then return false end
  for x in string.gmatch(csv, '[^,]+') do if x == item then return true end end
  return false
end
local function add(csv, item)
  if not csv or csv == '' then return item end
  if has(csv, item) then return csv end
  return csv .. ',' .. item
end
local function capof(caps, ch)
  if not caps or caps == '' then return nil end
  for k, v in string.gmatch(caps, '([^,=]+)=(%d+)') do if k == ch then return tonumber(v) end end
  return nil
end
local function release(P, op, ch, conv)
  local okey = P .. 'op:' .. op
  if tonumber(redis.call('HGET', okey, 'load') or '0') > 0 then redis.call('HINCRBY', okey, 'load', -1) end
  if ch and ch ~= '' and tonumber(redis.call('HGET', okey, 'load:' .. ch) or '0') > 0 then
    redis.call('HINCRBY', okey, 'load:' .. ch, -1)
  end
  redis.call('SREM', okey .. ':offers', conv)
  redis.call('SREM', okey .. ':held', conv)
end
-- Exclusions: "op=until_ms,…"; an exclusion lapses at its time.
local function excluded_now(csv, op, now)
  if not csv or csv == '' then return false end
  for k, v in string.gmatch(csv, '([^,=]+)=(%d+)') do
    if k == op and tonumber(v) > tonumber(now) then return true end
  end
  return false
end
-- `csv` without lapsed entries and without `op`, plus op=until if until is in the future.
local function exclude(csv, op, untilms, now)
  local out = {}
  if csv and csv ~= '' then
    for k, v in string.gmatch(csv, '([^,=]+)=(%d+)') do
      if k ~= op and tonumber(v) > tonumber(now) then table.insert(out, k .. '=' .. v) end
    end
  end
  if op ~= '' and tonumber(untilms) > tonumber(now) then table.insert(out, op .. '=' .. untilms) end
  return table.concat(out, ',')
end
-- An offer of `conv` to `op` ends: queued again at its old place, `op` excluded until `untilms`
-- (0: not excluded). The channel, or false if it was not offered to `op`.
local function end_offer(P, conv, op, now, untilms)
  local ckey = P .. 'conv:' .. conv
  local f = redis.call('HMGET', ckey, 'state', 'operator_id', 'channel', 'queued_at', 'excluded', 'score')
  if f[1] ~= 'offered' or f[2] ~= op then return false end
  redis.call('HSET', ckey, 'state', 'queued', 'operator_id', '', 'operator_name', '', 'offer_deadline', '0',
             'excluded', exclude(f[5], op, untilms, now), 'updated_at', now)
  redis.call('ZADD', P .. 'queue', f[6] or f[4] or now, conv)
  redis.call('ZREM', P .. 'offers', conv)
  release(P, op, f[3], conv)
  return f[3] or ''
end
)lua";

Script WithPrelude(const char* body) { return Script(std::string(kPrelude) + body); }

// KEYS: conv. ARGV: channel, now, ttl, reopen window ms.
const Script& BeginBotTurnScript() {
    static const Script s(R"lua(
local f = redis.call('HMGET', KEYS[1], 'state', 'resolved_at', 'resolved_by')
if f[1] == false or f[1] == 'resolved' then
  redis.call('DEL', KEYS[1])
  local reopened = f[1] == 'resolved' and (tonumber(ARGV[2]) - (tonumber(f[2]) or 0)) <= tonumber(ARGV[4])
  redis.call('HSET', KEYS[1], 'state', 'bot', 'channel', ARGV[1], 'updated_at', ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  if reopened then
    redis.call('HSET', KEYS[1], 'reopened', '1')
    return {'bot', '1', f[3] or '', f[2] or '0'}
  end
  return {'bot', '0', '', '0'}
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {f[1], '0', '', '0'}
)lua");
    return s;
}

// KEYS: conv. ARGV: channel, now, ttl.
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

// KEYS: conv. ARGV: now.
const Script& ResolveByBotScript() {
    static const Script s(R"lua(
if redis.call('HGET', KEYS[1], 'state') ~= 'bot' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'resolved', 'resolved_by', 'bot', 'resolved_at', ARGV[1], 'updated_at', ARGV[1])
return 1
)lua");
    return s;
}

// KEYS: conv, queue, seen marker of the event, transcript. ARGV: conv id, channel, now, ttl, language,
// topics, priority, reason, queue score, transcript lines to keep, then transcript lines.
// 2: the event was applied before (a redelivery); 0: a human has it; 1: queued.
const Script& EnqueueScript() {
    static const Script s(R"lua(
if redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
redis.call('SET', KEYS[3], '1', 'EX', 86400)
local f = redis.call('HMGET', KEYS[1], 'state', 'queued_at', 'score')
local s = f[1]
if s == 'assigned' or s == 'offered' then return 0 end
local q, sc = f[2], f[3]
if s ~= 'queued' or not q or q == '' then
  q, sc = ARGV[3], ARGV[9]
  redis.call('HDEL', KEYS[1], 'excluded', 'target_operator', 'required_topics', 'operator_id', 'operator_name',
             'offer_deadline', 'reopened', 'resolved_by', 'resolved_at')
end
if not sc or sc == '' then sc = ARGV[9] end
redis.call('HSET', KEYS[1], 'state', 'queued', 'channel', ARGV[2], 'updated_at', ARGV[3], 'language', ARGV[5],
           'topics', ARGV[6], 'priority', ARGV[7], 'reason', ARGV[8], 'queued_at', q, 'score', sc)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], 'NX', sc, ARGV[1])
if #ARGV > 10 then
  for i = 11, #ARGV do redis.call('RPUSH', KEYS[4], ARGV[i]) end
  redis.call('LTRIM', KEYS[4], -tonumber(ARGV[10]), -1)
  redis.call('EXPIRE', KEYS[4], ARGV[4])
end
return 1
)lua");
    return s;
}

// KEYS: online set, queue, presence. ARGV: prefix, max queue, offset, then (optional) conversation ids:
// with ids, those conversations (if still queued) instead of a page of the queue; then an offset of
// "noops" leaves the operators out.
const Script& SnapshotScript() {
    static const Script s(R"lua(
local ops = {}
local members = {}
if ARGV[3] ~= 'noops' then members = redis.call('SMEMBERS', KEYS[1]) end
for _, op in ipairs(members) do
  local h = redis.call('HGETALL', ARGV[1] .. 'op:' .. op)
  table.insert(h, 'id'); table.insert(h, op)
  table.insert(h, 'presence'); table.insert(h, redis.call('ZSCORE', KEYS[3], op) or '0')
  table.insert(ops, h)
end
local ids
if #ARGV > 3 then
  ids = {}
  for i = 4, #ARGV do table.insert(ids, ARGV[i]) end
else
  local first = tonumber(ARGV[3])
  ids = redis.call('ZRANGE', KEYS[2], first, first + tonumber(ARGV[2]) - 1)
end
local q = {}
for _, c in ipairs(ids) do
  local h = redis.call('HGETALL', ARGV[1] .. 'conv:' .. c)
  local queued = false
  for i = 1, #h, 2 do if h[i] == 'state' and h[i + 1] == 'queued' then queued = true end end
  if queued then
    table.insert(h, 'id'); table.insert(h, c)
    table.insert(q, h)
  elseif #ARGV <= 3 then
    redis.call('ZREM', KEYS[2], c)
  end
end
return {ops, q}
)lua");
    return s;
}

// ARGV: prefix, now, offer deadline, then conv id / op id pairs. For each pair: outcome ("offered",
// "assigned", "gone", "unavailable"), operator name, channel. Every rule is checked again here.
const Script& OfferManyScript() {
    static const Script s = WithPrelude(R"lua(
local P, now, deadline = ARGV[1], ARGV[2], ARGV[3]
local function offer(conv, op)
  local ckey, okey = P .. 'conv:' .. conv, P .. 'op:' .. op
  local c = redis.call('HMGET', ckey, 'state', 'channel', 'excluded', 'target_operator')
  if c[1] ~= 'queued' then return {'gone', '', ''} end
  local o = redis.call('HMGET', okey, 'status', 'capacity', 'load', 'caps', 'auto_accept', 'name')
  if o[1] ~= 'online' then return {'unavailable', '', ''} end
  if tonumber(redis.call('ZSCORE', P .. 'presence', op) or '0') <= tonumber(now) then return {'unavailable', '', ''} end
  if (tonumber(o[3]) or 0) >= (tonumber(o[2]) or 0) then return {'unavailable', '', ''} end
  local ch = c[2] or ''
  local chcap = capof(o[4], ch)
  if chcap ~= nil and (tonumber(redis.call('HGET', okey, 'load:' .. ch) or '0')) >= chcap then
    return {'unavailable', '', ''}
  end
  if excluded_now(c[3], op, now) then return {'unavailable', '', ''} end
  if c[4] and c[4] ~= '' and c[4] ~= op then return {'unavailable', '', ''} end
  redis.call('HINCRBY', okey, 'load', 1)
  if ch ~= '' then redis.call('HINCRBY', okey, 'load:' .. ch, 1) end
  redis.call('HSET', okey, 'idle_since', now)
  local name = o[6] or op
  redis.call('ZREM', P .. 'queue', conv)
  if o[5] ~= '0' then
    redis.call('HSET', ckey, 'state', 'assigned', 'operator_id', op, 'operator_name', name, 'updated_at', now)
    redis.call('SADD', okey .. ':held', conv)
    return {'assigned', name, ch}
  end
  redis.call('HSET', ckey, 'state', 'offered', 'operator_id', op, 'operator_name', name, 'offer_deadline',
             deadline, 'updated_at', now)
  redis.call('ZADD', P .. 'offers', deadline, conv)
  redis.call('SADD', okey .. ':offers', conv)
  return {'offered', name, ch}
end
local out = {}
for i = 4, #ARGV - 1, 2 do
  local r = offer(ARGV[i], ARGV[i + 1])
  table.insert(out, r[1]); table.insert(out, r[2]); table.insert(out, r[3])
end
return out
)lua");
    return s;
}

// KEYS: conv, op, offers. ARGV: op id, now, conv id.
const Script& AcceptScript() {
    static const Script s(R"lua(
local f = redis.call('HMGET', KEYS[1], 'state', 'operator_id', 'offer_deadline')
if f[2] ~= ARGV[1] then return 'not_offered' end
if f[1] == 'assigned' then return 'assigned' end
if f[1] ~= 'offered' then return 'not_offered' end
if (tonumber(f[3]) or 0) <= tonumber(ARGV[2]) then return 'expired' end  -- as ExpireOffers
redis.call('HSET', KEYS[1], 'state', 'assigned', 'offer_deadline', '0', 'updated_at', ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[3])
redis.call('SREM', KEYS[2] .. ':offers', ARGV[3])
redis.call('SADD', KEYS[2] .. ':held', ARGV[3])
return 'assigned'
)lua");
    return s;
}

// ARGV: prefix, conv id, op id, now, excluded until.
const Script& DeclineScript() {
    static const Script s = WithPrelude(R"lua(
if end_offer(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]) then return 1 end
return 0
)lua");
    return s;
}

// KEYS: offers. ARGV: prefix, now, max, excluded until. Returns conv, op, channel triples.
const Script& ExpireOffersScript() {
    static const Script s = WithPrelude(R"lua(
local out = {}
for _, conv in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))) do
  local op = redis.call('HGET', ARGV[1] .. 'conv:' .. conv, 'operator_id') or ''
  local ch = end_offer(ARGV[1], conv, op, ARGV[2], ARGV[4])
  redis.call('ZREM', KEYS[1], conv)
  if ch then
    table.insert(out, conv); table.insert(out, op); table.insert(out, ch)
  end
end
return out
)lua");
    return s;
}

// KEYS: op, online, presence. ARGV: prefix, op id, status, now, presence deadline, then field/value pairs.
// Returns conv, channel pairs of the offers that ended.
const Script& SetOperatorScript() {
    static const Script s = WithPrelude(R"lua(
local P, op, st, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local okey = KEYS[1]
for i = 6, #ARGV, 2 do redis.call('HSET', okey, ARGV[i], ARGV[i + 1]) end
redis.call('HSETNX', okey, 'capacity', '3')
redis.call('HSETNX', okey, 'load', '0')
redis.call('HSETNX', okey, 'name', op)
redis.call('SADD', P .. 'ops:all', op)
local prev = redis.call('HGET', okey, 'status')
redis.call('HSET', okey, 'status', st, 'status_reason', 'set')
local out = {}
if st == 'online' then
  if prev ~= 'online' then redis.call('HSET', okey, 'idle_since', now) end
  redis.call('SADD', KEYS[2], op)
  redis.call('ZADD', KEYS[3], ARGV[5], op)
else
  redis.call('SREM', KEYS[2], op)
  redis.call('ZREM', KEYS[3], op)
  for _, conv in ipairs(redis.call('SMEMBERS', okey .. ':offers')) do
    local ch = end_offer(P, conv, op, now, '0')
    if ch then table.insert(out, conv); table.insert(out, ch) end
  end
  redis.call('DEL', okey .. ':offers')
end
return out
)lua");
    return s;
}

// KEYS: op, online, presence. ARGV: op id, now, deadline.
const Script& HeartbeatScript() {
    static const Script s(R"lua(
local f = redis.call('HMGET', KEYS[1], 'status', 'status_reason')
if f[1] == 'offline' and f[2] == 'heartbeat' then
  redis.call('HSET', KEYS[1], 'status', 'online', 'status_reason', 'set', 'idle_since', ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[1])
elseif f[1] ~= 'online' then
  return 0
end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return 1
)lua");
    return s;
}

// KEYS: presence, online. ARGV: prefix, now, max. Returns {op, {conv, channel, …}} pairs.
const Script& ExpirePresenceScript() {
    static const Script s = WithPrelude(R"lua(
local out = {}
for _, op in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))) do
  redis.call('ZREM', KEYS[1], op)
  redis.call('SREM', KEYS[2], op)
  local okey = ARGV[1] .. 'op:' .. op
  redis.call('HSET', okey, 'status', 'offline', 'status_reason', 'heartbeat')
  local ended = {}
  for _, conv in ipairs(redis.call('SMEMBERS', okey .. ':offers')) do
    local ch = end_offer(ARGV[1], conv, op, ARGV[2], '0')
    if ch then table.insert(ended, conv); table.insert(ended, ch) end
  end
  redis.call('DEL', okey .. ':offers')
  table.insert(out, op)
  table.insert(out, ended)
end
return out
)lua");
    return s;
}

// ARGV: prefix, conv id, op id, now. 0 resolved, 1 not assigned, 2 another operator's.
const Script& ResolveByOperatorScript() {
    static const Script s = WithPrelude(R"lua(
local ckey = ARGV[1] .. 'conv:' .. ARGV[2]
local f = redis.call('HMGET', ckey, 'state', 'operator_id', 'channel')
if f[1] ~= 'assigned' then return 1 end
if f[2] ~= ARGV[3] then return 2 end
redis.call('HSET', ckey, 'state', 'resolved', 'resolved_by', 'operator', 'resolved_at', ARGV[4], 'updated_at', ARGV[4])
release(ARGV[1], ARGV[3], f[3], ARGV[2])
return 0
)lua");
    return s;
}

// ARGV: prefix, conv id, op id, now, to operator, to topics, queue score, excluded until.
// 0 transferred, 1, 2 as above. The target operator is no longer excluded.
const Script& TransferScript() {
    static const Script s = WithPrelude(R"lua(
local ckey = ARGV[1] .. 'conv:' .. ARGV[2]
local f = redis.call('HMGET', ckey, 'state', 'operator_id', 'channel', 'excluded')
if f[1] ~= 'assigned' then return 1 end
if f[2] ~= ARGV[3] then return 2 end
release(ARGV[1], ARGV[3], f[3], ARGV[2])
local ex = exclude(f[4], ARGV[3], ARGV[8], ARGV[4])
ex = exclude(ex, ARGV[5], '0', ARGV[4])
redis.call('HSET', ckey, 'state', 'queued', 'operator_id', '', 'operator_name', '', 'queued_at', ARGV[4],
           'score', ARGV[7], 'updated_at', ARGV[4], 'excluded', ex, 'target_operator', ARGV[5],
           'required_topics', ARGV[6])
redis.call('ZADD', ARGV[1] .. 'queue', ARGV[7], ARGV[2])
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
    redis.call('HSET', ckey, 'state', 'resolved', 'resolved_by', 'bot', 'resolved_at', ARGV[2], 'updated_at', ARGV[2])
    table.insert(out, conv)
    table.insert(out, redis.call('HGET', ckey, 'channel') or '')
  end
end
return out
)lua");
    return s;
}

// KEYS: queue. ARGV: prefix, now, queued before, max. Returns conv, channel pairs.
const Script& ResolveAbandonedScript() {
    static const Script s(R"lua(
local out = {}
for _, conv in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'LIMIT', 0, tonumber(ARGV[4]))) do
  -- Scores put priority first (score <= queued_at), so the hash's queued_at decides.
  local ckey = ARGV[1] .. 'conv:' .. conv
  local f = redis.call('HMGET', ckey, 'state', 'queued_at', 'channel')
  if f[1] ~= 'queued' then
    redis.call('ZREM', KEYS[1], conv)
  elseif (tonumber(f[2]) or 0) <= tonumber(ARGV[3]) then
    redis.call('ZREM', KEYS[1], conv)
    redis.call('HSET', ckey, 'state', 'resolved', 'resolved_by', 'abandoned', 'resolved_at', ARGV[2],
               'updated_at', ARGV[2])
    table.insert(out, conv)
    table.insert(out, f[3] or '')
  end
end
return out
)lua");
    return s;
}

// KEYS: all operators, online, queue. ARGV: prefix. Returns online, away, offline, capacity and
// load of the online ones, queue length, oldest queued_at (or -1).
const Script& CensusScript() {
    static const Script s(R"lua(
local online, away, offline, cap, load = 0, 0, 0, 0, 0
for _, op in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local f = redis.call('HMGET', ARGV[1] .. 'op:' .. op, 'status', 'capacity', 'load')
  if f[1] == 'online' then
    online = online + 1
    cap = cap + (tonumber(f[2]) or 0)
    load = load + (tonumber(f[3]) or 0)
  elseif f[1] == 'away' then
    away = away + 1
  else
    offline = offline + 1
  end
end
local oldest = -1
for _, conv in ipairs(redis.call('ZRANGE', KEYS[3], 0, 999)) do
  local q = tonumber(redis.call('HGET', ARGV[1] .. 'conv:' .. conv, 'queued_at') or '')
  if q and (oldest < 0 or q < oldest) then oldest = q end
end
return {online, away, offline, cap, load, redis.call('ZCARD', KEYS[3]), tostring(oldest)}
)lua");
    return s;
}

// KEYS: transcript list. ARGV: keep, ttl, lines…
const Script& AppendTranscriptScript() {
    static const Script s(R"lua(
for i = 3, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
)lua");
    return s;
}

Error Unexpected(const char* what) { return Error::Fatal(std::string("unexpected Redis reply to ") + what); }

Millis ToMillis(Store::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
std::string Ms(Store::TimePoint t) { return std::to_string(ToMillis(t)); }

std::int64_t ToInt(std::string_view s) {
    // Scores may come back as "1.7641e+12"-free integers or with a ".0"; read the integer part.
    std::int64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

std::vector<std::string> SplitCsv(std::string_view s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
        const std::size_t comma = s.find(',', start);
        const std::size_t end = comma == std::string_view::npos ? s.size() : comma;
        if (end > start) out.emplace_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string JoinCsv(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) {
        if (!out.empty()) out += ',';
        out += i;
    }
    return out;
}

std::vector<std::pair<std::string, int>> ParseCaps(std::string_view s) {
    std::vector<std::pair<std::string, int>> out;
    for (const auto& item : SplitCsv(s)) {
        const auto eq = item.find('=');
        if (eq == std::string::npos) continue;
        out.emplace_back(item.substr(0, eq), static_cast<int>(ToInt(std::string_view(item).substr(eq + 1))));
    }
    return out;
}

State ParseState(const std::string& s) {
    if (s == "bot") return State::kBot;
    if (s == "queued") return State::kQueued;
    if (s == "offered") return State::kOffered;
    if (s == "assigned") return State::kAssigned;
    if (s == "resolved") return State::kResolved;
    return State::kNone;
}

OperatorStatus ParseStatus(const std::string& s) {
    if (s == "online") return OperatorStatus::kOnline;
    if (s == "away") return OperatorStatus::kAway;
    return OperatorStatus::kOffline;
}

// Applies HGETALL-style field/value pairs.
template <typename F>
bool ForEachField(const Reply& r, F&& f) {
    if (!r.is_array() || r.array().size() % 2 != 0) return false;
    const auto& a = r.array();
    for (std::size_t i = 0; i + 1 < a.size(); i += 2) {
        if (!a[i].is_string() || !a[i + 1].is_string()) return false;
        f(a[i].string(), a[i + 1].string());
    }
    return true;
}

void ApplyConvField(ConversationInfo& c, const std::string& k, const std::string& v) {
    if (k == "state") c.state = ParseState(v);
    else if (k == "channel") c.channel = v;
    else if (k == "operator_id") c.operator_id = OperatorId(v);
    else if (k == "operator_name") c.operator_name = v;
    else if (k == "language") c.language = v;
    else if (k == "topics") c.topics = SplitCsv(v);
    else if (k == "priority") c.priority = static_cast<int>(ToInt(v));
    else if (k == "queued_at") c.queued_at = ToInt(v);
    else if (k == "offer_deadline") c.offer_deadline = ToInt(v);
    else if (k == "reason") c.handoff_reason = v;
    else if (k == "excluded") {
        for (const auto& item : SplitCsv(v)) {
            const auto eq = item.find('=');
            c.excluded.push_back(item.substr(0, eq));
            c.excluded_until.push_back(eq == std::string::npos ? 0 : ToInt(std::string_view(item).substr(eq + 1)));
        }
    }
    else if (k == "target_operator") c.target_operator = v;
    else if (k == "required_topics") c.required_topics = SplitCsv(v);
    else if (k == "reopened") c.reopened = v == "1";
    else if (k == "resolved_by") c.resolved_by = v;
    else if (k == "resolved_at") c.resolved_at = ToInt(v);
}

void ApplyOperatorField(OperatorRecord& o, const std::string& k, const std::string& v) {
    if (k == "id") o.id = OperatorId(v);
    else if (k == "name") o.name = v;
    else if (k == "status") o.status = ParseStatus(v);
    else if (k == "capacity") o.capacity = static_cast<int>(ToInt(v));
    else if (k == "load") o.load = static_cast<int>(ToInt(v));
    else if (k == "caps") o.channel_capacity = ParseCaps(v);
    else if (k == "channels") o.channels = SplitCsv(v);
    else if (k == "languages") o.languages = SplitCsv(v);
    else if (k == "topics") o.topics = SplitCsv(v);
    else if (k == "auto_accept") o.auto_accept = v != "0";
    else if (k == "idle_since") o.idle_since = ToInt(v);
    else if (k == "presence") o.presence_deadline = ToInt(v);
    else if (k.rfind("load:", 0) == 0) o.channel_load.emplace_back(k.substr(5), static_cast<int>(ToInt(v)));
}

Result<std::vector<EndedOffer>> ParseEnded(const Reply& r, const OperatorId& op, OfferEnd why) {
    if (!r.is_array() || r.array().size() % 2 != 0) return Unexpected("ended offers");
    std::vector<EndedOffer> out;
    const auto& a = r.array();
    for (std::size_t i = 0; i + 1 < a.size(); i += 2) {
        out.push_back({ConversationId(a[i].string()), op, a[i + 1].string(), why});
    }
    return out;
}

Result<Store::HolderCheck> ParseHolder(const Result<Reply>& r, const char* what) {
    if (!r) return r.error();
    if (!r->is_integer()) return Unexpected(what);
    switch (r->integer()) {
        case 0: return Store::HolderCheck::kOk;
        case 1: return Store::HolderCheck::kNotAssigned;
        default: return Store::HolderCheck::kOtherOperator;
    }
}

}  // namespace

std::string_view StateName(State state) {
    switch (state) {
        case State::kNone: return "none";
        case State::kBot: return "bot";
        case State::kQueued: return "queued";
        case State::kOffered: return "offered";
        case State::kAssigned: return "assigned";
        case State::kResolved: return "resolved";
    }
    return "none";
}

std::string_view StatusName(OperatorStatus status) {
    switch (status) {
        case OperatorStatus::kOnline: return "online";
        case OperatorStatus::kAway: return "away";
        case OperatorStatus::kOffline: return "offline";
    }
    return "offline";
}

std::string_view OfferEndName(OfferEnd end) {
    switch (end) {
        case OfferEnd::kDeclined: return "declined";
        case OfferEnd::kExpired: return "expired";
        case OfferEnd::kOperatorOffline: return "operator_offline";
    }
    return "expired";
}

Store::Store(redis::Client& redis, std::string key_prefix, Options options)
    : redis_(redis), prefix_(std::move(key_prefix)), options_(options) {}

Result<ConversationInfo> Store::Get(const ConversationId& id) {
    auto r = redis_.Command({"HGETALL", Key("conv:", id.str())});
    if (!r) return r.error();
    ConversationInfo info;
    if (!ForEachField(*r, [&](const std::string& k, const std::string& v) { ApplyConvField(info, k, v); })) {
        return Unexpected("HGETALL conv");
    }
    return info;
}

Result<BotTurn> Store::BeginBotTurn(const ConversationId& id, const std::string& channel, TimePoint now) {
    auto r = redis_.Eval(BeginBotTurnScript(), {Key("conv:", id.str())},
                         {channel, Ms(now), kConvTtlSeconds, std::to_string(options_.reopen_window.count())});
    if (!r) return r.error();
    if (!r->is_array() || r->array().size() != 4) return Unexpected("BeginBotTurn");
    const auto& a = r->array();
    BotTurn t;
    t.state = ParseState(a[0].string());
    t.reopened = a[1].string() == "1";
    t.previously_resolved_by = a[2].string();
    t.resolved_at = ToInt(a[3].string());
    return t;
}

Result<bool> Store::MarkHandoff(const ConversationId& id, const std::string& channel, TimePoint now) {
    auto r = redis_.Eval(MarkHandoffScript(), {Key("conv:", id.str())}, {channel, Ms(now), kConvTtlSeconds});
    if (!r) return r.error();
    if (!r->is_integer()) return Unexpected("MarkHandoff");
    return r->integer() == 1;
}

Result<bool> Store::ResolveByBot(const ConversationId& id, TimePoint now) {
    auto r = redis_.Eval(ResolveByBotScript(), {Key("conv:", id.str())}, {Ms(now)});
    if (!r) return r.error();
    if (!r->is_integer()) return Unexpected("ResolveByBot");
    return r->integer() == 1;
}

Result<Store::EnqueueOutcome> Store::Enqueue(const ConversationId& id, const Handoff& h, TimePoint now) {
    const Millis score = h.queue_score != 0 ? h.queue_score : ToMillis(now);
    const std::string event = h.event_id.empty() ? "enqueue:" + id.str() + ":" + Ms(now) : h.event_id;
    std::vector<std::string> argv{id.str(), h.channel, Ms(now), kConvTtlSeconds, h.language, JoinCsv(h.topics),
                                  std::to_string(h.priority), h.reason, std::to_string(score),
                                  std::to_string(options_.transcript_lines)};
    argv.insert(argv.end(), h.transcript.begin(), h.transcript.end());
    auto r = redis_.Eval(EnqueueScript(),
                         {Key("conv:", id.str()), prefix_ + "queue", Key("seen:", event), Key("transcript:", id.str())},
                         argv);
    if (!r) return r.error();
    if (!r->is_integer()) return Unexpected("Enqueue");
    switch (r->integer()) {
        case 1: return EnqueueOutcome::kQueued;
        case 2: return EnqueueOutcome::kDuplicate;
        default: return EnqueueOutcome::kHeld;
    }
}

namespace {
Result<Store::Snapshot> ParseSnapshot(const Result<Reply>& r) {
    if (!r) return r.error();
    if (!r->is_array() || r->array().size() != 2 || !r->array()[0].is_array() || !r->array()[1].is_array()) {
        return Unexpected("Snapshot");
    }
    Store::Snapshot snap;
    for (const auto& h : r->array()[0].array()) {
        OperatorRecord o;
        if (!ForEachField(h, [&](const std::string& k, const std::string& v) { ApplyOperatorField(o, k, v); })) {
            return Unexpected("Snapshot operator");
        }
        snap.operators.push_back(std::move(o));
    }
    for (const auto& h : r->array()[1].array()) {
        QueuedRecord q;
        std::string id;
        if (!ForEachField(h, [&](const std::string& k, const std::string& v) {
                if (k == "id") id = v;
                ApplyConvField(q.info, k, v);
            })) {
            return Unexpected("Snapshot conversation");
        }
        q.id = ConversationId(id);
        snap.queue.push_back(std::move(q));
    }
    return snap;
}
}  // namespace

Result<Store::Snapshot> Store::TakeSnapshotFor(const std::vector<ConversationId>& ids, bool with_operators) {
    std::vector<std::string> argv{prefix_, "0", with_operators ? "0" : "noops"};
    for (const auto& id : ids) argv.push_back(id.str());
    if (ids.empty()) argv.push_back("");  // no conversation: operators only
    return ParseSnapshot(
        redis_.Eval(SnapshotScript(), {prefix_ + "ops:online", prefix_ + "queue", prefix_ + "presence"}, argv));
}

Result<Store::Snapshot> Store::TakeSnapshot(std::size_t max_queue, std::size_t offset) {
    return ParseSnapshot(redis_.Eval(SnapshotScript(),
                                     {prefix_ + "ops:online", prefix_ + "queue", prefix_ + "presence"},
                                     {prefix_, std::to_string(max_queue), std::to_string(offset)}));
}

Result<Store::OfferResult> Store::Offer(const ConversationId& id, const OperatorId& op, TimePoint now,
                                        std::chrono::milliseconds offer_timeout) {
    auto r = OfferMany({{id, op}}, now, offer_timeout);
    if (!r) return r.error();
    return r->front();
}

Result<std::vector<Store::OfferResult>> Store::OfferMany(
    const std::vector<std::pair<ConversationId, OperatorId>>& offers, TimePoint now,
    std::chrono::milliseconds offer_timeout) {
    if (offers.empty()) return std::vector<OfferResult>{};
    const Millis deadline = ToMillis(now) + offer_timeout.count();
    std::vector<std::string> argv{prefix_, Ms(now), std::to_string(deadline)};
    for (const auto& [conv, op] : offers) {
        argv.push_back(conv.str());
        argv.push_back(op.str());
    }
    auto r = redis_.Eval(OfferManyScript(), {}, argv);
    if (!r) return r.error();
    if (!r->is_array() || r->array().size() != offers.size() * 3) return Unexpected("OfferMany");
    const auto& a = r->array();
    std::vector<OfferResult> out;
    out.reserve(offers.size());
    for (std::size_t i = 0; i + 2 < a.size(); i += 3) {
        OfferResult o;
        const std::string& what = a[i].string();
        if (what == "assigned") o.outcome = OfferOutcome::kAssigned;
        else if (what == "offered") o.outcome = OfferOutcome::kOffered;
        else if (what == "unavailable") o.outcome = OfferOutcome::kUnavailable;
        else o.outcome = OfferOutcome::kGone;
        o.operator_name = a[i + 1].string();
        o.channel = a[i + 2].string();
        o.deadline = o.outcome == OfferOutcome::kOffered ? deadline : 0;
        out.push_back(std::move(o));
    }
    return out;
}

Result<Store::AcceptOutcome> Store::Accept(const ConversationId& id, const OperatorId& op, TimePoint now) {
    auto r = redis_.Eval(AcceptScript(), {Key("conv:", id.str()), Key("op:", op.str()), prefix_ + "offers"},
                         {op.str(), Ms(now), id.str()});
    if (!r) return r.error();
    if (!r->is_string()) return Unexpected("Accept");
    if (r->string() == "assigned") return AcceptOutcome::kAssigned;
    if (r->string() == "expired") return AcceptOutcome::kExpired;
    return AcceptOutcome::kNotOffered;
}

Result<bool> Store::Decline(const ConversationId& id, const OperatorId& op, TimePoint now) {
    auto r = redis_.Eval(DeclineScript(), {},
                         {prefix_, id.str(), op.str(), Ms(now),
                          std::to_string(ToMillis(now) + options_.exclusion_window.count())});
    if (!r) return r.error();
    if (!r->is_integer()) return Unexpected("Decline");
    return r->integer() == 1;
}

Result<std::vector<EndedOffer>> Store::ExpireOffers(TimePoint now, std::size_t max) {
    auto r = redis_.Eval(ExpireOffersScript(), {prefix_ + "offers"},
                         {prefix_, Ms(now), std::to_string(max),
                          std::to_string(ToMillis(now) + options_.exclusion_window.count())});
    if (!r) return r.error();
    if (!r->is_array() || r->array().size() % 3 != 0) return Unexpected("ExpireOffers");
    std::vector<EndedOffer> out;
    const auto& a = r->array();
    for (std::size_t i = 0; i + 2 < a.size(); i += 3) {
        out.push_back({ConversationId(a[i].string()), OperatorId(a[i + 1].string()), a[i + 2].string(),
                       OfferEnd::kExpired});
    }
    return out;
}

Result<std::vector<EndedOffer>> Store::SetOperator(const OperatorProfile& p, OperatorStatus status, TimePoint now) {
    std::vector<std::string> argv{prefix_, p.id.str(), std::string(StatusName(status)), Ms(now),
                                  std::to_string(ToMillis(now) + options_.heartbeat_timeout.count())};
    auto field = [&argv](std::string k, std::string v) {
        argv.push_back(std::move(k));
        argv.push_back(std::move(v));
    };
    if (!p.name.empty()) field("name", p.name);
    if (p.capacity > 0) field("capacity", std::to_string(p.capacity));
    if (p.channels) field("channels", JoinCsv(*p.channels));
    if (p.languages) field("languages", JoinCsv(*p.languages));
    if (p.topics) field("topics", JoinCsv(*p.topics));
    if (p.auto_accept) field("auto_accept", *p.auto_accept ? "1" : "0");
    if (!p.channel_capacity.empty()) {
        std::vector<std::string> caps;
        for (const auto& [ch, cap] : p.channel_capacity) caps.push_back(ch + "=" + std::to_string(cap));
        field("caps", JoinCsv(caps));
    }
    auto r = redis_.Eval(SetOperatorScript(),
                         {Key("op:", p.id.str()), prefix_ + "ops:online", prefix_ + "presence"}, argv);
    if (!r) return r.error();
    return ParseEnded(*r, p.id, OfferEnd::kOperatorOffline);
}

Result<std::optional<Millis>> Store::Heartbeat(const OperatorId& op, TimePoint now) {
    const Millis deadline = ToMillis(now) + options_.heartbeat_timeout.count();
    auto r = redis_.Eval(HeartbeatScript(), {Key("op:", op.str()), prefix_ + "ops:online", prefix_ + "presence"},
                         {op.str(), Ms(now), std::to_string(deadline)});
    if (!r) return r.error();
    if (!r->is_integer()) return Unexpected("Heartbeat");
    if (r->integer() != 1) return std::optional<Millis>();
    return std::optional<Millis>(deadline);
}

Result<std::vector<Store::LostOperator>> Store::ExpirePresence(TimePoint now, std::size_t max) {
    auto r = redis_.Eval(ExpirePresenceScript(), {prefix_ + "presence", prefix_ + "ops:online"},
                         {prefix_, Ms(now), std::to_string(max)});
    if (!r) return r.error();
    if (!r->is_array() || r->array().size() % 2 != 0) return Unexpected("ExpirePresence");
    std::vector<LostOperator> out;
    const auto& a = r->array();
    for (std::size_t i = 0; i + 1 < a.size(); i += 2) {
        LostOperator lost;
        lost.op = OperatorId(a[i].string());
        auto ended = ParseEnded(a[i + 1], lost.op, OfferEnd::kOperatorOffline);
        if (!ended) return ended.error();
        lost.offers = std::move(*ended);
        out.push_back(std::move(lost));
    }
    return out;
}

Result<std::optional<OperatorRecord>> Store::GetOperator(const OperatorId& op) {
    auto r = redis_.Command({"HGETALL", Key("op:", op.str())});
    if (!r) return r.error();
    OperatorRecord o;
    o.id = op;
    if (!ForEachField(*r, [&](const std::string& k, const std::string& v) { ApplyOperatorField(o, k, v); })) {
        return Unexpected("HGETALL op");
    }
    if (r->array().empty()) return std::optional<OperatorRecord>();
    auto score = redis_.Command({"ZSCORE", prefix_ + "presence", op.str()});
    if (!score) return score.error();
    if (score->is_string()) o.presence_deadline = ToInt(score->string());
    return std::optional<OperatorRecord>(std::move(o));
}

Result<Store::Inbox> Store::OperatorInbox(const OperatorId& op) {
    Inbox inbox;
    for (auto [kind, out] : {std::pair{":offers", &inbox.offered}, std::pair{":held", &inbox.held}}) {
        auto r = redis_.Command({"SMEMBERS", Key("op:", op.str()) + kind});
        if (!r) return r.error();
        if (!r->is_array()) return Unexpected("SMEMBERS");
        for (const auto& x : r->array()) out->push_back(ConversationId(x.string()));
    }
    return inbox;
}

Result<Store::HolderCheck> Store::ResolveByOperator(const ConversationId& id, const OperatorId& op, TimePoint now) {
    return ParseHolder(redis_.Eval(ResolveByOperatorScript(), {}, {prefix_, id.str(), op.str(), Ms(now)}),
                       "ResolveByOperator");
}

Result<Store::HolderCheck> Store::CheckHolder(const ConversationId& id, const OperatorId& op) {
    auto r = redis_.Command({"HMGET", Key("conv:", id.str()), "state", "operator_id"});
    if (!r) return r.error();
    if (!r->is_array() || r->array().size() != 2) return Unexpected("HMGET");
    const auto& a = r->array();
    if (!a[0].is_string() || a[0].string() != "assigned") return HolderCheck::kNotAssigned;
    if (!a[1].is_string() || a[1].string() != op.str()) return HolderCheck::kOtherOperator;
    return HolderCheck::kOk;
}

Result<Store::HolderCheck> Store::Transfer(const ConversationId& id, const OperatorId& op,
                                           const TransferTarget& target, TimePoint now, Millis queue_score) {
    return ParseHolder(redis_.Eval(TransferScript(), {},
                                   {prefix_, id.str(), op.str(), Ms(now), target.to_operator.str(),
                                    JoinCsv(target.to_topics),
                                    std::to_string(queue_score != 0 ? queue_score : ToMillis(now)),
                                    std::to_string(ToMillis(now) + options_.exclusion_window.count())}),
                       "Transfer");
}

Status Store::ScheduleBotResolution(const ConversationId& id, TimePoint due) {
    auto r = redis_.Command({"ZADD", prefix_ + "bot_idle", Ms(due), id.str()});
    if (!r) return r.error();
    return Status::Ok();
}

Result<std::vector<BotResolution>> Store::ResolveIdleBots(TimePoint now, std::size_t max) {
    auto r = redis_.Eval(ResolveIdleBotsScript(), {prefix_ + "bot_idle"}, {prefix_, Ms(now), std::to_string(max)});
    if (!r) return r.error();
    if (!r->is_array() || r->array().size() % 2 != 0) return Unexpected("ResolveIdleBots");
    std::vector<BotResolution> out;
    const auto& a = r->array();
    for (std::size_t i = 0; i + 1 < a.size(); i += 2) {
        out.push_back({ConversationId(a[i].string()), a[i + 1].string()});
    }
    return out;
}

Result<std::vector<BotResolution>> Store::ResolveAbandoned(TimePoint now, std::chrono::milliseconds waited,
                                                          std::size_t max) {
    auto r = redis_.Eval(ResolveAbandonedScript(), {prefix_ + "queue"},
                         {prefix_, Ms(now), std::to_string(ToMillis(now) - waited.count()), std::to_string(max)});
    if (!r) return r.error();
    if (!r->is_array() || r->array().size() % 2 != 0) return Unexpected("ResolveAbandoned");
    std::vector<BotResolution> out;
    const auto& a = r->array();
    for (std::size_t i = 0; i + 1 < a.size(); i += 2) out.push_back({ConversationId(a[i].string()), a[i + 1].string()});
    return out;
}

Result<long long> Store::QueueLength() {
    auto r = redis_.Command({"ZCARD", prefix_ + "queue"});
    if (!r) return r.error();
    if (!r->is_integer()) return Unexpected("QueueLength");
    return r->integer();
}

Result<Census> Store::TakeCensus() {
    auto r = redis_.Eval(CensusScript(), {prefix_ + "ops:all", prefix_ + "ops:online", prefix_ + "queue"}, {prefix_});
    if (!r) return r.error();
    if (!r->is_array() || r->array().size() != 7) return Unexpected("Census");
    const auto& a = r->array();
    auto num = [](const Reply& x) -> std::int64_t { return x.is_integer() ? x.integer() : ToInt(x.string()); };
    Census c;
    c.online = num(a[0]);
    c.away = num(a[1]);
    c.offline = num(a[2]);
    c.online_capacity = num(a[3]);
    c.online_load = num(a[4]);
    c.queue_length = num(a[5]);
    c.oldest_queued_at = num(a[6]);
    return c;
}

Result<bool> Store::FirstTime(const std::string& event_id) {
    auto r = redis_.Command({"SET", Key("seen:", event_id), "1", "NX", "EX", "86400"});
    if (!r) return r.error();
    return !r->is_nil();
}

Status Store::AppendTranscript(const ConversationId& id, const std::vector<std::string>& lines) {
    if (lines.empty()) return Status::Ok();
    std::vector<std::string> argv{std::to_string(options_.transcript_lines), kConvTtlSeconds};
    argv.insert(argv.end(), lines.begin(), lines.end());
    auto r = redis_.Eval(AppendTranscriptScript(), {Key("transcript:", id.str())}, argv);
    if (!r) return r.error();
    return Status::Ok();
}

Result<std::vector<std::string>> Store::Transcript(const ConversationId& id) {
    auto r = redis_.Command({"LRANGE", Key("transcript:", id.str()), "0", "-1"});
    if (!r) return r.error();
    if (!r->is_array()) return Unexpected("LRANGE");
    std::vector<std::string> out;
    for (const auto& x : r->array()) out.push_back(x.is_string() ? x.string() : std::string());
    return out;
}

}  // namespace switchboard::conversation
