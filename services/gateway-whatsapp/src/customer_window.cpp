#include "customer_window.hpp"

#include <charconv>

namespace switchboard::gateway_whatsapp {

namespace {

constexpr std::chrono::hours kRemember{48};

// Keeps the latest time: webhooks may arrive out of order, and a retried old one must not
// shorten the window.
const redis::Script& RecordScript() {
    static const redis::Script script(R"lua(
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = tonumber(ARGV[1])
if at > cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
)lua");
    return script;
}

std::int64_t UnixMillis(Clock::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

bool WindowOpen(std::optional<Clock::TimePoint> last_inbound, Clock::TimePoint now,
                std::chrono::seconds margin) {
    if (!last_inbound) return false;
    return now < *last_inbound + kCustomerServiceWindow - margin;
}

RedisCustomerWindow::RedisCustomerWindow(redis::Client& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)) {}

Status RedisCustomerWindow::RecordInbound(const std::string& conversation_id, Clock::TimePoint at) {
    const std::int64_t at_ms = UnixMillis(at);
    const std::int64_t ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kRemember).count();
    auto r =
        redis_.Eval(RecordScript(), {Key(conversation_id)}, {std::to_string(at_ms), std::to_string(ttl_ms)});
    if (!r) return r.error();
    return Status::Ok();
}

Result<std::optional<Clock::TimePoint>> RedisCustomerWindow::LastInbound(const std::string& conversation_id) {
    auto r = redis_.Command({"GET", Key(conversation_id)});
    if (!r) return r.error();
    if (r->is_nil()) return std::optional<Clock::TimePoint>{};
    if (!r->is_string()) return Error::Fatal("unexpected reply type for " + Key(conversation_id));
    const std::string& s = r->string();
    std::int64_t ms = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), ms);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::optional<Clock::TimePoint>{};
    return std::optional<Clock::TimePoint>(Clock::TimePoint(std::chrono::milliseconds(ms)));
}

}  // namespace switchboard::gateway_whatsapp
