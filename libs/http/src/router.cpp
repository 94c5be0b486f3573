#include "router.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace switchboard::http::detail {
namespace {

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::vector<std::string_view> SplitRaw(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t pos = s.find(sep, start);
        if (pos == std::string_view::npos) {
            parts.push_back(s.substr(start));
            return parts;
        }
        parts.push_back(s.substr(start, pos - start));
        start = pos + 1;
    }
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view s, bool plus_as_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = HexValue(s[i + 1]);
            const int lo = HexValue(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_as_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view query) {
    std::map<std::string, std::string> result;
    if (query.empty()) return result;
    for (std::string_view pair : SplitRaw(query, '&')) {
        if (pair.empty()) continue;
        const std::size_t eq = pair.find('=');
        auto key = PercentDecode(pair.substr(0, eq), true);
        auto value = eq == std::string_view::npos ? std::optional<std::string>(std::string())
                                                  : PercentDecode(pair.substr(eq + 1), true);
        if (!key || !value) return std::nullopt;
        result.emplace(std::move(*key), std::move(*value));
    }
    return result;
}

std::optional<std::vector<std::string>> SplitPath(std::string_view raw_path) {
    if (raw_path.empty() || raw_path.front() != '/') return std::nullopt;
    std::vector<std::string> segments;
    for (std::string_view raw : SplitRaw(raw_path.substr(1), '/')) {
        auto decoded = PercentDecode(raw, false);
        if (!decoded) return std::nullopt;
        segments.push_back(std::move(*decoded));
    }
    return segments;
}

std::string JsonEscape(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size() + 8);
    for (const char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default: {
                const auto u = static_cast<unsigned char>(c);
                if (u < 0x20) {
                    out += "\\u00";
                    out.push_back(kHex[u >> 4]);
                    out.push_back(kHex[u & 0xF]);
                } else {
                    out.push_back(c);
                }
            }
        }
    }
    return out;
}

Router::Pattern Router::Parse(std::string_view pattern) {
    if (pattern.empty() || pattern.front() != '/') {
        throw std::invalid_argument("http route pattern must start with '/': \"" + std::string(pattern) +
                                    "\"");
    }
    Pattern parsed;
    for (std::string_view raw : SplitRaw(pattern.substr(1), '/')) {
        Segment segment;
        if (!raw.empty() && raw.front() == '{') {
            if (raw.size() < 3 || raw.back() != '}' ||
                raw.substr(1, raw.size() - 2).find_first_of("{}") != std::string_view::npos) {
                throw std::invalid_argument("http route pattern has a malformed \"{name}\" segment: \"" +
                                            std::string(pattern) + "\"");
            }
            segment.text = std::string(raw.substr(1, raw.size() - 2));
            segment.is_param = true;
            ++parsed.param_count;
        } else {
            if (raw.find_first_of("{}") != std::string_view::npos) {
                throw std::invalid_argument("http route pattern: \"{name}\" must be a whole segment: \"" +
                                            std::string(pattern) + "\"");
            }
            segment.text = std::string(raw);
        }
        parsed.segments.push_back(std::move(segment));
    }
    return parsed;
}

bool Router::Matches(const Pattern& pattern, const std::vector<std::string>& segments,
                     std::map<std::string, std::string>* params) {
    if (pattern.segments.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const Segment& expected = pattern.segments[i];
        if (expected.is_param) {
            if (segments[i].empty()) return false;
        } else if (expected.text != segments[i]) {
            return false;
        }
    }
    if (params != nullptr) {
        params->clear();
        for (std::size_t i = 0; i < segments.size(); ++i) {
            if (pattern.segments[i].is_param) (*params)[pattern.segments[i].text] = segments[i];
        }
    }
    return true;
}

void Router::Add(std::string method, std::string_view pattern, Handler handler) {
    if (method.empty()) throw std::invalid_argument("http route method must not be empty");
    if (!handler) throw std::invalid_argument("http route handler must not be empty");
    for (const HttpRoute& route : http_) {
        if (route.method == method && route.pattern_text == pattern) {
            throw std::invalid_argument("http route registered twice: " + method + " " +
                                        std::string(pattern));
        }
    }
    http_.push_back(HttpRoute{std::move(method), std::string(pattern), Parse(pattern), std::move(handler)});
}

void Router::AddWebSocket(std::string_view pattern, WebSocketHandlers handlers) {
    for (const WsRoute& route : ws_) {
        if (route.pattern_text == pattern) {
            throw std::invalid_argument("websocket route registered twice: " + std::string(pattern));
        }
    }
    ws_.push_back(WsRoute{std::string(pattern), Parse(pattern), std::move(handlers)});
}

Router::Match Router::Find(std::string_view method, const std::vector<std::string>& segments,
                           bool is_upgrade) const {
    Match match;
    // Among matching routes the one with the fewest parameters wins ("/x/new" over "/x/{id}"),
    // then the one registered first.
    if (is_upgrade) {
        const WsRoute* best = nullptr;
        for (const WsRoute& route : ws_) {
            if (Matches(route.pattern, segments, nullptr) &&
                (best == nullptr || route.pattern.param_count < best->pattern.param_count)) {
                best = &route;
            }
        }
        if (best != nullptr) {
            match.kind = Match::Kind::kWebSocket;
            match.websocket = &best->handlers;
            Matches(best->pattern, segments, &match.params);
            return match;
        }
    }

    const HttpRoute* best = nullptr;
    std::vector<std::string_view> allowed;
    for (const HttpRoute& route : http_) {
        if (!Matches(route.pattern, segments, nullptr)) continue;
        if (route.method == method) {
            if (best == nullptr || route.pattern.param_count < best->pattern.param_count) best = &route;
        } else if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
            allowed.push_back(route.method);
        }
    }
    if (best != nullptr) {
        match.kind = Match::Kind::kHandler;
        match.handler = &best->handler;
        match.pattern = &best->pattern_text;
        Matches(best->pattern, segments, &match.params);
        return match;
    }
    if (!allowed.empty()) {
        match.kind = Match::Kind::kMethodNotAllowed;
        for (std::string_view m : allowed) {
            if (!match.allow.empty()) match.allow += ", ";
            match.allow += m;
        }
        return match;
    }
    for (const WsRoute& route : ws_) {
        if (Matches(route.pattern, segments, nullptr)) {
            match.kind = Match::Kind::kUpgradeRequired;
            return match;
        }
    }
    return match;
}

}  // namespace switchboard::http::detail
