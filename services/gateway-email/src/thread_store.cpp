#include "thread_store.hpp"

namespace switchboard::gateway_email {

namespace {

// KEYS[1] msg key, KEYS[2] conv key; ARGV: conversation id, ttl seconds, then the hash fields.
// The state is written only when the Message-ID is new, so an old message redelivered by the
// MTA does not roll the conversation's "last message" back.
const redis::Script kRecordInbound(R"lua(
local known = redis.call('GET', KEYS[1])
if known then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('HSET', KEYS[2], 'customer', ARGV[3], 'name', ARGV[4], 'reply_to', ARGV[5],
           'subject', ARGV[6], 'last', ARGV[7], 'refs', ARGV[8])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
)lua");

std::string JoinIds(const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) {
        if (!out.empty()) out.push_back(' ');
        out.append(id);
    }
    return out;
}

std::vector<std::string> SplitIds(const std::string& s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        auto sp = s.find(' ', i);
        if (sp == std::string::npos) sp = s.size();
        if (sp > i) out.push_back(s.substr(i, sp - i));
        i = sp + 1;
    }
    return out;
}

}  // namespace

RedisThreadStore::RedisThreadStore(redis::Client& redis, std::string prefix, std::chrono::seconds ttl)
    : redis_(redis), prefix_(std::move(prefix)), ttl_(ttl) {}

Result<std::optional<std::string>> RedisThreadStore::FindConversation(const std::vector<std::string>& message_ids) {
    if (message_ids.empty()) return std::optional<std::string>{};
    std::vector<std::string> argv{"MGET"};
    for (const auto& id : message_ids) argv.push_back(MessageKey(id));
    auto reply = redis_.Command(argv);
    if (!reply) return reply.error();
    if (!reply->is_array()) return Error::Fatal("MGET: unexpected reply");
    for (const auto& r : reply->array()) {
        if (r.is_string() && !r.string().empty()) return std::optional<std::string>(r.string());
    }
    return std::optional<std::string>{};
}

Result<std::optional<ThreadState>> RedisThreadStore::Get(const std::string& conversation_id) {
    auto reply = redis_.Command({"HGETALL", ConversationKey(conversation_id)});
    if (!reply) return reply.error();
    if (!reply->is_array()) return Error::Fatal("HGETALL: unexpected reply");
    const auto& a = reply->array();
    if (a.empty()) return std::optional<ThreadState>{};
    ThreadState s;
    for (std::size_t i = 0; i + 1 < a.size(); i += 2) {
        if (!a[i].is_string() || !a[i + 1].is_string()) continue;
        const std::string& k = a[i].string();
        const std::string& v = a[i + 1].string();
        if (k == "customer") s.customer = v;
        else if (k == "name") s.customer_name = v;
        else if (k == "reply_to") s.reply_to = v;
        else if (k == "subject") s.subject = v;
        else if (k == "last") s.last_message_id = v;
        else if (k == "refs") s.references = SplitIds(v);
    }
    return std::optional<ThreadState>(std::move(s));
}

Result<bool> RedisThreadStore::RecordInbound(const std::string& conversation_id, const std::string& message_id,
                                             const ThreadState& state) {
    auto reply = redis_.Eval(kRecordInbound, {MessageKey(message_id), ConversationKey(conversation_id)},
                             {conversation_id, std::to_string(ttl_.count()), state.customer, state.customer_name,
                              state.reply_to, state.subject, state.last_message_id, JoinIds(state.references)});
    if (!reply) return reply.error();
    if (!reply->is_integer()) return Error::Fatal("record script: unexpected reply");
    return reply->integer() == 1;
}

Status RedisThreadStore::RememberSent(const std::string& conversation_id, const std::string& message_id) {
    auto reply = redis_.Command({"SET", MessageKey(message_id), conversation_id, "EX", std::to_string(ttl_.count())});
    if (!reply) return reply.error();
    // Keep the conversation's state alive as long as the ids that point at it.
    auto touch = redis_.Command({"EXPIRE", ConversationKey(conversation_id), std::to_string(ttl_.count())});
    if (!touch) return touch.error();
    return Status::Ok();
}

}  // namespace switchboard::gateway_email
