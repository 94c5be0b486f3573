#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "resume.hpp"
#include "switchboard/http/server.hpp"

namespace switchboard::gateway_web {

// Which WebSockets of this replica are open for which conversation, each with its ResumeGate.
// Thread-safe: live pushes (Redis subscriber thread) and opens/closes (HTTP threads) run
// concurrently; one connection's frames are sent under its own lock, so they stay in order.
// Holds shared references to the connections until Remove() (on_close) or CloseAll().
class ConnectionRegistry {
public:
    // Registers a socket. hold = true: pushes to it are held until Open() (it is resuming).
    void Add(const std::string& conversation_id, const std::shared_ptr<http::WebSocketConnection>& conn,
             bool hold = false);
    // Sends `first` (backlog frames) and then the held pushes the backlog did not cover; see
    // ResumeGate::Open. No-op for a connection that is not registered (closed meanwhile).
    void Open(const std::shared_ptr<http::WebSocketConnection>& conn, std::vector<std::string> first,
              std::uint64_t head);
    void Remove(const std::shared_ptr<http::WebSocketConnection>& conn);
    // Pushes the frame of entry `seq` (0: unknown) to every socket of the conversation; how many
    // sockets it was offered to (held or sent).
    std::size_t Send(const std::string& conversation_id, std::uint64_t seq, const std::string& frame);
    std::optional<std::string> ConversationOf(const std::shared_ptr<http::WebSocketConnection>& conn) const;
    std::size_t size() const;
    void CloseAll();

private:
    struct Socket {
        Socket(std::shared_ptr<http::WebSocketConnection> c, bool hold) : conn(std::move(c)), gate(hold) {}
        std::shared_ptr<http::WebSocketConnection> conn;
        std::mutex mu;  // guards gate and orders this connection's sends
        ResumeGate gate;
    };
    static void SendAll(Socket& s, const std::vector<std::string>& frames);

    mutable std::mutex mu_;
    std::map<std::string, std::vector<std::shared_ptr<Socket>>> by_conversation_;
    std::map<std::uint64_t, std::pair<std::string, std::shared_ptr<Socket>>> by_id_;
};

}  // namespace switchboard::gateway_web
