#include "measurement_store.hpp"

namespace switchboard::metrics {

namespace {

constexpr const char* kTtlSeconds = "2592000";  // 30 days

// KEYS: conversation hash. ARGV: field ("first_in" | "first_reply"), ms, responder, ttl.
// A hash marked "ended" belongs to a resolved cycle whose pair was not complete when the
// resolution was read (the two topics have no order between them): its missing half completes
// it; a customer message on an ended hash that already has its message starts a new cycle.
const redis::Script& RecordScript() {
    static const redis::Script s(R"lua(
local ended = redis.call('HGET', KEYS[1], 'ended')
if ended and ARGV[1] == 'first_in' and redis.call('HEXISTS', KEYS[1], 'first_in') == 1 then
  redis.call('DEL', KEYS[1])
  ended = false
end
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 and ARGV[1] == 'first_reply' then
  redis.call('HSET', KEYS[1], 'responder', ARGV[3])
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
local f = redis.call('HMGET', KEYS[1], 'first_in', 'first_reply', 'responder', 'observed')
if f[1] and f[2] and not f[4] then
  if ended then
    redis.call('DEL', KEYS[1])
  else
    redis.call('HSET', KEYS[1], 'observed', '1')
  end
  return {f[1], f[2], f[3]}
end
return false
)lua");
    return s;
}

// KEYS: conversation hash. A measured (or empty) cycle is forgotten; an incomplete one is kept,
// marked ended, for an hour, for its late half.
const redis::Script& EndCycleScript() {
    static const redis::Script s(R"lua(
if redis.call('HGET', KEYS[1], 'observed') or redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('HSET', KEYS[1], 'ended', '1')
redis.call('EXPIRE', KEYS[1], 3600)
return 0
)lua");
    return s;
}

}  // namespace

MeasurementStore::MeasurementStore(redis::Client& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)) {}

Result<bool> MeasurementStore::FirstSight(const std::string& event_id) {
    auto r = redis_.Command({"SET", prefix_ + "m:seen:" + event_id, "1", "NX", "EX", "604800"});
    if (!r) return r.error();
    return !r->is_nil();
}

Result<std::optional<FirstResponse>> MeasurementStore::Record(const ConversationId& id, const char* field,
                                                              std::int64_t at_ms, const std::string& responder) {
    auto r = redis_.Eval(RecordScript(), {prefix_ + "m:conv:" + id.str()},
                         {field, std::to_string(at_ms), responder, kTtlSeconds});
    if (!r) return r.error();
    if (r->is_nil()) return std::optional<FirstResponse>();
    if (!r->is_array() || r->array().size() != 3) return Error::Fatal("unexpected reply from the record script");
    const auto& a = r->array();
    FirstResponse fr;
    fr.first_message_ms = std::stoll(a[0].string());
    fr.first_reply_ms = std::stoll(a[1].string());
    fr.responder = a[2].is_string() ? a[2].string() : "";
    return std::optional<FirstResponse>(fr);
}

Result<std::optional<FirstResponse>> MeasurementStore::RecordCustomerMessage(const ConversationId& id,
                                                                             std::int64_t at_ms) {
    return Record(id, "first_in", at_ms, "");
}

Result<std::optional<FirstResponse>> MeasurementStore::RecordReply(const ConversationId& id, std::int64_t at_ms,
                                                                   const std::string& responder) {
    return Record(id, "first_reply", at_ms, responder);
}

Status MeasurementStore::EndCycle(const ConversationId& id) {
    auto r = redis_.Eval(EndCycleScript(), {prefix_ + "m:conv:" + id.str()}, {});
    if (!r) return r.error();
    return Status::Ok();
}

}  // namespace switchboard::metrics
