#include "transcript_store.hpp"

namespace switchboard::gateway_web {

namespace {
constexpr const char* kTtlSeconds = "2592000";  // 30 days
constexpr const char* kKeepEntries = "-500";

// KEYS: transcript. ARGV: entry, ttl, keep (negative index).
const redis::Script& AppendScript() {
    static const redis::Script s(R"lua(
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], tonumber(ARGV[3]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
)lua");
    return s;
}

// KEYS: delivered marker, transcript. ARGV: entry, ttl, keep.
const redis::Script& DeliverOnceScript() {
    static const redis::Script s(R"lua(
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], 'delivered', 'EX', ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], tonumber(ARGV[3]), -1)
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 'new'
)lua");
    return s;
}
}  // namespace

TranscriptStore::TranscriptStore(redis::Client& redis, std::string prefix) : redis_(redis), prefix_(std::move(prefix)) {}

Result<bool> TranscriptStore::ClaimMessageId(const std::string& conversation_id, const std::string& client_message_id) {
    auto r = redis_.Command(
        {"SET", prefix_ + "web:dedup:" + conversation_id + ":" + client_message_id, "1", "NX", "EX", "86400"});
    if (!r) return r.error();
    return !r->is_nil();
}

Status TranscriptStore::ReleaseMessageId(const std::string& conversation_id, const std::string& client_message_id) {
    auto r = redis_.Command({"DEL", prefix_ + "web:dedup:" + conversation_id + ":" + client_message_id});
    if (!r) return r.error();
    return Status::Ok();
}

Status TranscriptStore::Append(const std::string& conversation_id, const std::string& entry_json) {
    auto r = redis_.Eval(AppendScript(), {prefix_ + "web:transcript:" + conversation_id},
                         {entry_json, kTtlSeconds, kKeepEntries});
    if (!r) return r.error();
    return Status::Ok();
}

Result<std::vector<std::string>> TranscriptStore::List(const std::string& conversation_id) {
    auto r = redis_.Command({"LRANGE", prefix_ + "web:transcript:" + conversation_id, "0", "-1"});
    if (!r) return r.error();
    std::vector<std::string> out;
    if (!r->is_array()) return out;
    for (const auto& e : r->array()) {
        if (e.is_string()) out.push_back(e.string());
    }
    return out;
}

Result<TranscriptStore::Delivery> TranscriptStore::DeliverOnce(const std::string& conversation_id,
                                                               const std::string& reply_id,
                                                               const std::string& entry_json) {
    auto r = redis_.Eval(DeliverOnceScript(),
                         {prefix_ + "web:delivered:" + reply_id, prefix_ + "web:transcript:" + conversation_id},
                         {entry_json, kTtlSeconds, kKeepEntries});
    if (!r) return r.error();
    if (!r->is_string()) return Error::Fatal("unexpected reply from the deliver script");
    if (r->string() == "new") return Delivery::kNew;
    if (r->string() == "reported") return Delivery::kReported;
    return Delivery::kDeliveredNotReported;
}

Status TranscriptStore::MarkReported(const std::string& reply_id) {
    auto r = redis_.Command({"SET", prefix_ + "web:delivered:" + reply_id, "reported", "KEEPTTL"});
    if (!r) return r.error();
    return Status::Ok();
}

Status TranscriptStore::PublishLive(const std::string& conversation_id, const std::string& payload) {
    auto r = redis_.Command({"PUBLISH", LiveChannel(), conversation_id + "\n" + payload});
    if (!r) return r.error();
    return Status::Ok();
}

bool TranscriptStore::ParseLive(const std::string& message, std::string& conversation_id, std::string& payload) {
    const auto nl = message.find('\n');
    if (nl == std::string::npos || nl == 0) return false;
    conversation_id = message.substr(0, nl);
    payload = message.substr(nl + 1);
    return true;
}

}  // namespace switchboard::gateway_web
