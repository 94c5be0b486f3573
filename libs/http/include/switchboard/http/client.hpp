#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "switchboard/core/error.hpp"

namespace switchboard::http {

struct ClientResponse {
    int status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// A blocking HTTP/1.1 request over a fresh TCP connection. For tests and tools, not hot paths.
// Connection failures and timeouts are retryable Errors.
Result<ClientResponse> Fetch(const std::string& host, std::uint16_t port, const std::string& method,
                             const std::string& target, const std::string& body = {},
                             const std::vector<std::pair<std::string, std::string>>& headers = {},
                             std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A blocking WebSocket client. For tests and tools. Not thread-safe.
class WebSocketClient {
public:
    // Connects and performs the upgrade handshake on `target`.
    static Result<std::unique_ptr<WebSocketClient>> Connect(const std::string& host, std::uint16_t port,
                                                            const std::string& target,
                                                            std::chrono::milliseconds timeout =
                                                                std::chrono::seconds(5));
    ~WebSocketClient();
    Status Send(const std::string& text);
    // The next text message, or std::nullopt after `timeout` / on close.
    std::optional<std::string> Read(std::chrono::milliseconds timeout);
    void Close();

private:
    class Impl;
    explicit WebSocketClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::http
