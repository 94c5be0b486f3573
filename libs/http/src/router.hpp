#pragma once

// Beast-free pieces of the server: percent-decoding, query parsing, JSON escaping and route
// matching. Kept apart so they are unit-tested without sockets and compiled without Asio.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/http/server.hpp"

namespace switchboard::http::detail {

// Decodes %XX escapes (and '+' as space when `plus_as_space`). std::nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_as_space);

// "a=1&b=x%20y&flag" → {a:1, b:"x y", flag:""}; the first of repeated keys wins.
// std::nullopt on a malformed escape.
std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view query);

// Splits a raw (still encoded) path "/a/b%2Fc" into decoded segments {"a", "b/c"}.
// "/" is {""}; std::nullopt if the path does not start with '/' or has a malformed escape.
std::optional<std::vector<std::string>> SplitPath(std::string_view raw_path);

// `s` escaped for use inside a JSON string (no surrounding quotes).
std::string JsonEscape(std::string_view s);

// Routes registered before Start; immutable (and so shared between threads without locks) after.
class Router {
public:
    struct Match {
        enum class Kind { kHandler, kWebSocket, kNotFound, kMethodNotAllowed, kUpgradeRequired };
        Kind kind = Kind::kNotFound;
        const Handler* handler = nullptr;
        const WebSocketHandlers* websocket = nullptr;
        std::map<std::string, std::string> params;
        std::string allow;  // for kMethodNotAllowed: "GET, POST"
        const std::string* pattern = nullptr;  // kHandler: the route's pattern ("/v1/x/{id}")
    };

    // Throw std::invalid_argument on a malformed pattern or a duplicate registration.
    void Add(std::string method, std::string_view pattern, Handler handler);
    void AddWebSocket(std::string_view pattern, WebSocketHandlers handlers);

    // `segments` as returned by SplitPath. An upgrade request prefers a WebSocket route; a plain
    // request to a path only a WebSocket route matches gets kUpgradeRequired.
    Match Find(std::string_view method, const std::vector<std::string>& segments, bool is_upgrade) const;

private:
    struct Segment {
        std::string text;  // literal text, or the parameter name
        bool is_param = false;
    };
    struct Pattern {
        std::vector<Segment> segments;
        std::size_t param_count = 0;
    };
    struct HttpRoute {
        std::string method;
        std::string pattern_text;
        Pattern pattern;
        Handler handler;
    };
    struct WsRoute {
        std::string pattern_text;
        Pattern pattern;
        WebSocketHandlers handlers;
    };

    static Pattern Parse(std::string_view pattern);
    static bool Matches(const Pattern& pattern, const std::vector<std::string>& segments,
                        std::map<std::string, std::string>* params);

    std::vector<HttpRoute> http_;
    std::vector<WsRoute> ws_;
};

}  // namespace switchboard::http::detail
