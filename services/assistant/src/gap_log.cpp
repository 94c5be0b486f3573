#include "gap_log.hpp"

namespace switchboard::assistant {

namespace {
const redis::Script& RecordScript() {
    static const redis::Script s(R"lua(
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
return 1
)lua");
    return s;
}
}  // namespace

GapLog::GapLog(redis::Client& redis, std::string prefix) : redis_(redis), key_(std::move(prefix) + "asst:gaps") {}

Status GapLog::Record(const std::string& lang, const std::string& text) {
    auto r = redis_.Eval(RecordScript(), {key_}, {lang + "\t" + text, std::to_string(kKeep)});
    if (!r) return r.error();
    return Status::Ok();
}

Result<std::vector<GapLog::Question>> GapLog::Recent(const std::string& lang_filter) {
    auto r = redis_.Command({"LRANGE", key_, "0", "-1"});
    if (!r) return r.error();
    std::vector<Question> out;
    if (!r->is_array()) return out;
    for (const auto& item : r->array()) {
        if (!item.is_string()) continue;
        const auto& s = item.string();
        const auto tab = s.find('\t');
        if (tab == std::string::npos) continue;
        Question q{s.substr(0, tab), s.substr(tab + 1)};
        if (lang_filter.empty() || q.lang == lang_filter) out.push_back(std::move(q));
    }
    return out;
}

}  // namespace switchboard::assistant
