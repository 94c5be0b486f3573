#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::gateway_web {

// Which sites may embed the widget: the value of `cors.allow-origins` ("*", or a comma-separated
// list of origins such as "https://shop.example,https://www.shop.example"). Immutable after
// construction; thread-safe.
class OriginPolicy {
public:
    explicit OriginPolicy(std::string_view allow_origins);

    // The Access-Control-Allow-Origin value for a request from `origin` (empty: no Origin
    // header), or std::nullopt if the origin is not allowed.
    std::optional<std::string> AllowOriginHeader(std::string_view origin) const;
    // Whether a WebSocket upgrade from `origin` to `host` (the Host header) may open: no Origin
    // (not a browser), the gateway's own pages (same host), or an allowed origin. Browsers do not
    // apply CORS to WebSockets, so this check is the only one.
    bool AllowsSocketFrom(std::string_view origin, std::string_view host) const;
    bool any() const { return any_; }

private:
    bool any_ = false;
    std::vector<std::string> origins_;
};

}  // namespace switchboard::gateway_web
