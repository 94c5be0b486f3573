#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "switchboard/http/server.hpp"

namespace switchboard::gateway_web {

// Which WebSockets of this replica are open for which conversation. Thread-safe.
class ConnectionRegistry {
public:
    void Add(const std::string& conversation_id, const std::shared_ptr<http::WebSocketConnection>& conn);
    void Remove(const std::shared_ptr<http::WebSocketConnection>& conn);
    // Sends `text` to every open socket of the conversation; returns how many got it.
    std::size_t Send(const std::string& conversation_id, const std::string& text);
    std::size_t size() const;
    void CloseAll();

private:
    mutable std::mutex mu_;
    std::map<std::string, std::vector<std::shared_ptr<http::WebSocketConnection>>> by_conversation_;
    std::map<std::uint64_t, std::string> conversation_of_;
};

}  // namespace switchboard::gateway_web
