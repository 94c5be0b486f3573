#include "transcript_store.hpp"

#include <algorithm>

namespace switchboard::gateway_web {

namespace {
constexpr const char* kTtlSeconds = "2592000";  // 30 days
constexpr const char* kKeepEntries = "-500";

// Appends ARGV[1] (a JSON object) to the list `list_key` under the conversation's next sequence
// number (INCR `seq_key`), written into the entry as its first field "seq", so list order and
// numbers agree by construction. ARGV[2] ttl, ARGV[3] keep (negative index). Leaves `seq` set.
constexpr const char* kAppendWithSeq = R"lua(
local seq = redis.call('INCR', seq_key)
redis.call('EXPIRE', seq_key, ARGV[2])
local body = string.sub(ARGV[1], 2)
local entry = '{"seq":' .. seq .. (body == '}' and '' or ',') .. body
redis.call('RPUSH', list_key, entry)
redis.call('LTRIM', list_key, tonumber(ARGV[3]), -1)
redis.call('EXPIRE', list_key, ARGV[2])
)lua";

// KEYS: transcript, sequence. ARGV: entry, ttl, keep. Returns the entry's sequence number.
const redis::Script& AppendScript() {
    static const redis::Script s(std::string("local list_key, seq_key = KEYS[1], KEYS[2]") + kAppendWithSeq +
                                 "return seq\n");
    return s;
}

// KEYS: delivered marker, transcript, sequence. ARGV: entry, ttl, keep.
// Returns {'new', seq}, or {<marker value>, 0} if the reply id was delivered before.
const redis::Script& DeliverOnceScript() {
    static const redis::Script s(std::string(R"lua(local list_key, seq_key = KEYS[2], KEYS[3]
local v = redis.call('GET', KEYS[1])
if v then return {v, 0} end
redis.call('SET', KEYS[1], 'delivered', 'EX', ARGV[2]))lua") +
                                 kAppendWithSeq + "return {'new', seq}\n");
    return s;
}
}  // namespace

TranscriptStore::TranscriptStore(redis::Client& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)), message_ids_(redis_, prefix_, "web") {}

std::string TranscriptStore::TranscriptKey(const std::string& conversation_id) const {
    return prefix_ + "web:transcript:" + conversation_id;
}

std::string TranscriptStore::SequenceKey(const std::string& conversation_id) const {
    return prefix_ + "web:seq:" + conversation_id;
}

Result<std::uint64_t> TranscriptStore::Append(const std::string& conversation_id, const std::string& entry_json) {
    auto r = redis_.Eval(AppendScript(), {TranscriptKey(conversation_id), SequenceKey(conversation_id)},
                         {entry_json, kTtlSeconds, kKeepEntries});
    if (!r) return r.error();
    if (!r->is_integer() || r->integer() <= 0) return Error::Fatal("unexpected reply from the append script");
    return static_cast<std::uint64_t>(r->integer());
}

Result<std::vector<std::string>> TranscriptStore::List(const std::string& conversation_id) {
    auto r = redis_.Command({"LRANGE", TranscriptKey(conversation_id), "0", "-1"});
    if (!r) return r.error();
    std::vector<std::string> out;
    if (!r->is_array()) return out;
    for (const auto& e : r->array()) {
        if (e.is_string()) out.push_back(e.string());
    }
    return out;
}

Result<TranscriptStore::DeliverOutcome> TranscriptStore::DeliverOnce(const std::string& conversation_id,
                                                                     const std::string& reply_id,
                                                                     const std::string& entry_json) {
    auto r = redis_.Eval(DeliverOnceScript(),
                         {prefix_ + "web:delivered:" + reply_id, TranscriptKey(conversation_id),
                          SequenceKey(conversation_id)},
                         {entry_json, kTtlSeconds, kKeepEntries});
    if (!r) return r.error();
    if (!r->is_array() || r->array().size() != 2 || !r->array()[0].is_string() || !r->array()[1].is_integer()) {
        return Error::Fatal("unexpected reply from the deliver script");
    }
    const std::string& state = r->array()[0].string();
    const auto seq = static_cast<std::uint64_t>(std::max<std::int64_t>(0, r->array()[1].integer()));
    if (state == "new") return DeliverOutcome{Delivery::kNew, seq};
    if (state == "reported") return DeliverOutcome{Delivery::kReported, 0};
    return DeliverOutcome{Delivery::kDeliveredNotReported, 0};
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
