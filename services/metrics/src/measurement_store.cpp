#include "measurement_store.hpp"

namespace switchboard::metrics {

namespace {

constexpr const char* kTtlSeconds = "2592000";  // 30 days

// KEYS: the cycle hash. ARGV: mark field, ms, ttl. Returns name, from, to triples.
// On a cycle marked ended, a mark it already has belongs to the next cycle: the old one is
// dropped and a new one starts with it.
const redis::Script& RecordScript() {
    static const redis::Script s(R"lua(
local INTERVALS = {
  {'first_response_any', 'in', 'any'}, {'first_response_bot', 'in', 'bot'},
  {'first_response_operator', 'in', 'op'}, {'queue_wait', 'handoff', 'assigned'},
  {'operator_response', 'assigned', 'op'}}
local h, field, at = KEYS[1], ARGV[1], ARGV[2]
local ended = redis.call('HGET', h, 'ended')
if ended and redis.call('HEXISTS', h, field) == 1 then
  redis.call('DEL', h)
  ended = false
end
redis.call('HSETNX', h, field, at)
if (field == 'bot' or field == 'op') and not redis.call('HGET', h, 'obs:first_response_any') then
  local any = tonumber(redis.call('HGET', h, 'any') or '')
  if not any or tonumber(at) < any then redis.call('HSET', h, 'any', at) end
end
if ended then redis.call('EXPIRE', h, 3600) else redis.call('EXPIRE', h, ARGV[3]) end
local out = {}
for _, iv in ipairs(INTERVALS) do
  if not redis.call('HGET', h, 'obs:' .. iv[1]) then
    local a, b = redis.call('HGET', h, iv[2]), redis.call('HGET', h, iv[3])
    if a and b then
      redis.call('HSET', h, 'obs:' .. iv[1], '1')
      table.insert(out, iv[1]); table.insert(out, a); table.insert(out, b)
    end
  end
end
return out
)lua");
    return s;
}

// KEYS: the cycle hash.
const redis::Script& EndCycleScript() {
    static const redis::Script s(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'ended', '1')
redis.call('EXPIRE', KEYS[1], 3600)
return 1
)lua");
    return s;
}

const char* Field(Mark m) {
    switch (m) {
        case Mark::kCustomerMessage: return "in";
        case Mark::kBotReply: return "bot";
        case Mark::kOperatorReply: return "op";
        case Mark::kHandoff: return "handoff";
        case Mark::kAssigned: return "assigned";
    }
    return "in";
}

}  // namespace

MeasurementStore::MeasurementStore(redis::Client& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)) {}

Result<bool> MeasurementStore::FirstSight(const std::string& event_id) {
    auto r = redis_.Command({"SET", prefix_ + "m:seen:" + event_id, "1", "NX", "EX", "604800"});
    if (!r) return r.error();
    return !r->is_nil();
}

Result<std::vector<Measurement>> MeasurementStore::Record(const ConversationId& id, Mark mark, std::int64_t at_ms) {
    auto r = redis_.Eval(RecordScript(), {prefix_ + "m:conv:" + id.str()},
                         {Field(mark), std::to_string(at_ms), kTtlSeconds});
    if (!r) return r.error();
    if (!r->is_array() || r->array().size() % 3 != 0) return Error::Fatal("unexpected reply from the record script");
    std::vector<Measurement> out;
    const auto& a = r->array();
    for (std::size_t i = 0; i + 2 < a.size(); i += 3) {
        out.push_back({a[i].string(), std::stoll(a[i + 1].string()), std::stoll(a[i + 2].string())});
    }
    return out;
}

Status MeasurementStore::EndCycle(const ConversationId& id) {
    auto r = redis_.Eval(EndCycleScript(), {prefix_ + "m:conv:" + id.str()}, {});
    if (!r) return r.error();
    return Status::Ok();
}

}  // namespace switchboard::metrics
