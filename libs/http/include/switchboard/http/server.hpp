#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::http {

// An HTTP request as seen by a handler. Owns its data.
struct Request {
    std::string method;  // "GET", "POST", …
    std::string target;  // raw target, e.g. "/v1/x?a=b"
    std::string path;    // target without the query, percent-decoded
    std::map<std::string, std::string> query;   // decoded query parameters
    std::map<std::string, std::string> params;  // from "{name}" segments of the route pattern
    std::vector<std::pair<std::string, std::string>> headers;  // as received
    std::string body;
    std::string remote_address;

    // Case-insensitive header lookup; the first match.
    std::optional<std::string_view> Header(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers

    // {"error": "<code>", "message": "<message>"} with the given status.
    static Response JsonError(int status, std::string_view code, std::string_view message);
    static Response Json(int status, std::string body);
    static Response Text(int status, std::string body);
};

// Completes a request. Call exactly once, from any thread; calling it later than the handler's
// return (after an asynchronous operation) is the point of it.
using Respond = std::function<void(Response)>;
using Handler = std::function<void(Request, Respond)>;

// One open WebSocket. Send/Close are thread-safe and never block (messages are queued).
class WebSocketConnection {
public:
    virtual ~WebSocketConnection() = default;
    virtual void Send(std::string text) = 0;
    virtual void Close() = 0;
    virtual std::uint64_t id() const = 0;
};

struct WebSocketHandlers {
    // The upgrade request (with its route params) and the new connection.
    std::function<void(const Request&, std::shared_ptr<WebSocketConnection>)> on_open;
    std::function<void(const std::shared_ptr<WebSocketConnection>&, std::string)> on_message;
    std::function<void(const std::shared_ptr<WebSocketConnection>&)> on_close;
};

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0 = pick a free port (see BoundPort)
    int threads = 1;
    std::size_t max_body_bytes = 64 * 1024;  // larger bodies: 413 with a JSON reason
    std::chrono::milliseconds read_timeout{30000};
    // Called with the status of every request the server refuses by itself, before any handler
    // (400 malformed, 404, 405, 413, 426, 431, 503 while stopping), so it can be counted.
    // Runs on I/O threads: must be cheap, thread-safe and must not throw. Optional.
    std::function<void(int status)> on_rejected;
    // Called once per request a handler answered, with the route's pattern (not the path: bounded
    // cardinality), the status and the seconds from dispatch to the handler's Respond. Same rules
    // as on_rejected. Optional.
    std::function<void(const std::string& method, const std::string& route, int status, double seconds)> on_handled;
};

// HTTP/1.1 server (Boost.Beast) with keep-alive, routing by method + path pattern, and WebSocket.
// Patterns are literal segments or "{name}" (one segment), e.g. "/v1/conversations/{id}/messages".
// Unknown path: 404; known path, other method: 405; malformed HTTP: 400; body too large: 413 —
// all with a JSON reason. A handler that throws gets a 500.
//
// Lifetime: register routes, then Start(); Stop() stops accepting, closes idle connections,
// lets in-flight requests finish for up to `drain`, then joins the threads. The destructor calls
// Stop(). Thread-safety: Route/WebSocket before Start only; Stop from any thread.
class Server {
public:
    explicit Server(ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    void Route(std::string method, std::string pattern, Handler handler);
    void WebSocket(std::string pattern, WebSocketHandlers handlers);

    // Binds and starts serving. Throws std::runtime_error if the address cannot be bound.
    void Start();
    void Stop(std::chrono::milliseconds drain = std::chrono::seconds(5));
    std::uint16_t BoundPort() const;

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::http
