#include "conversation_memory.hpp"

namespace switchboard::assistant {

namespace {
// KEYS: list. ARGV: keep, ttl, entries…
const redis::Script& AppendScript() {
    static const redis::Script s(R"lua(
for i = 3, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
)lua");
    return s;
}
}  // namespace

ConversationMemory::ConversationMemory(redis::Client& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)) {}

Result<std::vector<chat::v1::TranscriptEntry>> ConversationMemory::Recent(const ConversationId& id) {
    auto r = redis_.Command({"LRANGE", prefix_ + "asst:transcript:" + id.str(), "0", "-1"});
    if (!r) return r.error();
    std::vector<chat::v1::TranscriptEntry> out;
    if (!r->is_array()) return out;
    for (const auto& item : r->array()) {
        chat::v1::TranscriptEntry e;
        if (item.is_string() && e.ParseFromString(item.string())) out.push_back(std::move(e));
    }
    return out;
}

Status ConversationMemory::Append(const ConversationId& id, const std::vector<chat::v1::TranscriptEntry>& entries) {
    std::vector<std::string> args{std::to_string(kKeep), "86400"};
    for (const auto& e : entries) args.push_back(e.SerializeAsString());
    auto r = redis_.Eval(AppendScript(), {prefix_ + "asst:transcript:" + id.str()}, args);
    if (!r) return r.error();
    return Status::Ok();
}

}  // namespace switchboard::assistant
