#include "suggestion_store.hpp"

#include <charconv>

#include "kb_catalog.hpp"
#include "switchboard/core/ids.hpp"

namespace switchboard::assistant {

namespace {

std::int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::int64_t ToInt(const std::string& s) {
    std::int64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

// KEYS: hash, pending set. ARGV: id, now, field, value, field, value, …
const redis::Script& AddScript() {
    static const redis::Script s(R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[1])
return 'ok'
)lua");
    return s;
}

// KEYS: hash. ARGV: now, hold until, token.
const redis::Script& ClaimScript() {
    static const redis::Script s(R"lua(
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status == 'reviewing' then
  local until_ms = tonumber(redis.call('HGET', KEYS[1], 'claim_until') or '0')
  if until_ms >= tonumber(ARGV[1]) then return 'reviewing' end
elseif status ~= 'pending' then
  return status
end
redis.call('HSET', KEYS[1], 'status', 'reviewing', 'claim', ARGV[3], 'claim_until', ARGV[2])
return 'ok'
)lua");
    return s;
}

// KEYS: hash, pending set, target set. ARGV: token, id, new status, reviewer, now, reason.
const redis::Script& FinishScript() {
    static const redis::Script s(R"lua(
if redis.call('HGET', KEYS[1], 'status') ~= 'reviewing' or redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] then
  return 'lost'
end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'reviewed_by', ARGV[4], 'reviewed_at', ARGV[5], 'reason', ARGV[6])
redis.call('HDEL', KEYS[1], 'claim', 'claim_until')
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], tonumber(ARGV[5]), ARGV[2])
return 'ok'
)lua");
    return s;
}

// KEYS: hash. ARGV: token.
const redis::Script& AbandonScript() {
    static const redis::Script s(R"lua(
if redis.call('HGET', KEYS[1], 'status') == 'reviewing' and redis.call('HGET', KEYS[1], 'claim') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'status', 'pending')
  redis.call('HDEL', KEYS[1], 'claim', 'claim_until')
end
return 'ok'
)lua");
    return s;
}

std::string Text(const redis::Reply& r) {
    if (r.is_string()) return r.string();
    if (const auto* st = std::get_if<redis::Reply::Status>(&r.value)) return st->text;
    return "";
}

}  // namespace

SuggestionStore::SuggestionStore(redis::Client& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)) {}

const char* SuggestionStore::StateName(Suggestion::State state) {
    switch (state) {
        case Suggestion::State::kApproved:
            return "approved";
        case Suggestion::State::kRejected:
            return "rejected";
        case Suggestion::State::kPending:
            break;
    }
    return "pending";
}

std::string SuggestionStore::HashKey(const std::string& id) const { return prefix_ + "kb:suggestion:" + id; }
std::string SuggestionStore::SetKey(Suggestion::State state) const {
    return prefix_ + "kb:suggestions:" + StateName(state);
}

Result<std::string> SuggestionStore::Add(const std::string& kind, std::vector<std::string> fields) {
    const std::string id = "s-" + NewUuid();
    const std::int64_t now = NowMs();
    std::vector<std::string> args{id, std::to_string(now), "kind", kind, "status", "pending", "proposed_at",
                                  std::to_string(now)};
    for (auto& f : fields) args.push_back(std::move(f));
    auto r = redis_.Eval(AddScript(), {HashKey(id), SetKey(Suggestion::State::kPending)}, args);
    if (!r) return r.error();
    if (Text(*r) != "ok") return Error::Fatal("suggestion id collision: " + id);
    return id;
}

Result<std::string> SuggestionStore::ProposeArticle(const kb::Article& article, const std::string& proposed_by,
                                                    const std::string& note) {
    return Add("article", {"article", ToProto(article).SerializeAsString(), "article_id", article.id.str(),
                           "proposed_by", proposed_by, "note", note});
}

Result<std::string> SuggestionStore::ProposeQuestion(const std::string& article_id, const std::string& question,
                                                     const std::string& proposed_by, const std::string& note) {
    return Add("question",
               {"article_id", article_id, "question", question, "proposed_by", proposed_by, "note", note});
}

Result<std::optional<Suggestion>> SuggestionStore::Get(const std::string& id) {
    auto r = redis_.Command({"HGETALL", HashKey(id)});
    if (!r) return r.error();
    if (!r->is_array() || r->array().empty()) return std::optional<Suggestion>{};
    Suggestion s;
    s.id = id;
    const auto& items = r->array();
    for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
        const std::string field = Text(items[i]);
        const std::string value = Text(items[i + 1]);
        if (field == "kind") {
            s.kind = value == "question" ? Suggestion::Kind::kQuestion : Suggestion::Kind::kArticle;
        } else if (field == "status") {
            s.state = value == "approved"   ? Suggestion::State::kApproved
                      : value == "rejected" ? Suggestion::State::kRejected
                                            : Suggestion::State::kPending;
        } else if (field == "article") {
            kb::v1::Article proto;
            if (!proto.ParseFromString(value)) return Error::Fatal("suggestion " + id + ": undecodable article");
            s.article = FromProto(proto);
        } else if (field == "article_id") {
            s.article_id = value;
        } else if (field == "question") {
            s.question = value;
        } else if (field == "proposed_by") {
            s.proposed_by = value;
        } else if (field == "note") {
            s.note = value;
        } else if (field == "proposed_at") {
            s.proposed_at_ms = ToInt(value);
        } else if (field == "reviewed_by") {
            s.reviewed_by = value;
        } else if (field == "reviewed_at") {
            s.reviewed_at_ms = ToInt(value);
        } else if (field == "reason") {
            s.reason = value;
        }
    }
    return std::optional<Suggestion>(std::move(s));
}

Result<SuggestionStore::Page> SuggestionStore::List(Suggestion::State state, std::int64_t offset,
                                                    std::int64_t limit) {
    const std::string key = SetKey(state);
    auto total = redis_.Command({"ZCARD", key});
    if (!total) return total.error();
    Page page;
    page.total = total->is_integer() ? total->integer() : 0;
    if (limit <= 0 || offset >= page.total) return page;
    auto ids = redis_.Command({"ZRANGE", key, std::to_string(offset), std::to_string(offset + limit - 1)});
    if (!ids) return ids.error();
    if (ids->is_array()) {
        for (const auto& item : ids->array()) {
            auto s = Get(Text(item));
            if (!s) return s.error();
            if (*s) page.suggestions.push_back(std::move(**s));
        }
    }
    if (offset + limit < page.total) page.next_offset = offset + limit;
    return page;
}

Result<SuggestionStore::Claim> SuggestionStore::BeginReview(const std::string& id, std::chrono::milliseconds hold) {
    Claim claim;
    const std::string token = NewUuid();
    const std::int64_t now = NowMs();
    auto r = redis_.Eval(ClaimScript(), {HashKey(id)},
                         {std::to_string(now), std::to_string(now + hold.count()), token});
    if (!r) return r.error();
    const std::string outcome = Text(*r);
    if (outcome == "ok") {
        claim.outcome = ClaimOutcome::kClaimed;
        claim.token = token;
    } else if (outcome == "missing") {
        claim.outcome = ClaimOutcome::kNotFound;
    } else if (outcome == "reviewing") {
        claim.outcome = ClaimOutcome::kInReview;
    } else {
        claim.outcome = ClaimOutcome::kAlreadyReviewed;
    }
    return claim;
}

Result<bool> SuggestionStore::FinishReview(const std::string& id, const std::string& token,
                                           Suggestion::State decision, const std::string& reviewer,
                                           const std::string& reason) {
    auto r = redis_.Eval(FinishScript(),
                         {HashKey(id), SetKey(Suggestion::State::kPending), SetKey(decision)},
                         {token, id, StateName(decision), reviewer, std::to_string(NowMs()), reason});
    if (!r) return r.error();
    return Text(*r) == "ok";
}

Status SuggestionStore::AbandonReview(const std::string& id, const std::string& token) {
    auto r = redis_.Eval(AbandonScript(), {HashKey(id)}, {token});
    if (!r) return r.error();
    return Status::Ok();
}

}  // namespace switchboard::assistant
