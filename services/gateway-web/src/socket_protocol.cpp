#include "socket_protocol.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace switchboard::gateway_web {

namespace {
SocketInput Invalid(const char* reason) { return {SocketInputKind::kInvalid, reason}; }
}  // namespace

SocketInput ParseSocketInput(std::string_view text) {
    if (text.size() > kMaxSocketInputBytes) return Invalid("too_large");
    const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return Invalid("invalid_json");
    const auto type = j.find("type");
    if (type == j.end() || !type->is_string()) return Invalid("unknown_type");
    const auto& t = type->get_ref<const std::string&>();
    if (t == "typing") return {SocketInputKind::kTyping, {}};
    if (t == "ping") return {SocketInputKind::kPing, {}};
    return Invalid("unknown_type");
}

ResumeCursor ParseResumeCursor(const std::map<std::string, std::string>& query) {
    ResumeCursor c;
    const auto it = query.find("after");
    if (it == query.end()) return c;
    c.requested = true;
    const std::string& v = it->second;
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
        c.valid = false;
        return c;
    }
    c.after = n;
    return c;
}

}  // namespace switchboard::gateway_web
