#include "cors.hpp"

#include <algorithm>

namespace switchboard::gateway_web {

namespace {
std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '/')) s.remove_suffix(1);
    return s;
}
}  // namespace

OriginPolicy::OriginPolicy(std::string_view allow_origins) {
    while (!allow_origins.empty()) {
        const auto comma = allow_origins.find(',');
        const std::string_view item = Trim(allow_origins.substr(0, comma));
        if (item == "*") {
            any_ = true;
        } else if (!item.empty()) {
            origins_.emplace_back(item);
        }
        if (comma == std::string_view::npos) break;
        allow_origins.remove_prefix(comma + 1);
    }
}

std::optional<std::string> OriginPolicy::AllowOriginHeader(std::string_view origin) const {
    if (any_) return std::string("*");
    if (std::find(origins_.begin(), origins_.end(), origin) != origins_.end()) return std::string(origin);
    return std::nullopt;
}

bool OriginPolicy::AllowsSocketFrom(std::string_view origin, std::string_view host) const {
    if (origin.empty() || any_) return true;
    if (std::find(origins_.begin(), origins_.end(), origin) != origins_.end()) return true;
    const auto scheme_end = origin.find("://");
    return scheme_end != std::string_view::npos && !host.empty() && origin.substr(scheme_end + 3) == host;
}

}  // namespace switchboard::gateway_web
