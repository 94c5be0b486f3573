#include "connection_registry.hpp"

namespace switchboard::gateway_web {

void ConnectionRegistry::SendAll(Socket& s, const std::vector<std::string>& frames) {
    for (const auto& f : frames) s.conn->Send(f);
}

void ConnectionRegistry::Add(const std::string& conversation_id,
                             const std::shared_ptr<http::WebSocketConnection>& conn, bool hold) {
    auto socket = std::make_shared<Socket>(conn, hold);
    std::lock_guard lock(mu_);
    by_conversation_[conversation_id].push_back(socket);
    by_id_[conn->id()] = {conversation_id, std::move(socket)};
}

void ConnectionRegistry::Open(const std::shared_ptr<http::WebSocketConnection>& conn,
                              std::vector<std::string> first, std::uint64_t head) {
    std::shared_ptr<Socket> socket;
    {
        std::lock_guard lock(mu_);
        auto it = by_id_.find(conn->id());
        if (it == by_id_.end()) return;
        socket = it->second.second;
    }
    std::lock_guard lock(socket->mu);
    SendAll(*socket, socket->gate.Open(std::move(first), head));
}

void ConnectionRegistry::Remove(const std::shared_ptr<http::WebSocketConnection>& conn) {
    std::lock_guard lock(mu_);
    auto it = by_id_.find(conn->id());
    if (it == by_id_.end()) return;
    auto conv_it = by_conversation_.find(it->second.first);
    if (conv_it != by_conversation_.end()) {
        auto& sockets = conv_it->second;
        std::erase_if(sockets, [&](const auto& s) { return s->conn->id() == conn->id(); });
        if (sockets.empty()) by_conversation_.erase(conv_it);
    }
    by_id_.erase(it);
}

std::size_t ConnectionRegistry::Send(const std::string& conversation_id, std::uint64_t seq,
                                     const std::string& frame) {
    std::vector<std::shared_ptr<Socket>> targets;
    {
        std::lock_guard lock(mu_);
        auto it = by_conversation_.find(conversation_id);
        if (it != by_conversation_.end()) targets = it->second;
    }
    for (const auto& s : targets) {
        std::lock_guard lock(s->mu);
        SendAll(*s, s->gate.OnLive(seq, frame));
    }
    return targets.size();
}

std::optional<std::string> ConnectionRegistry::ConversationOf(
    const std::shared_ptr<http::WebSocketConnection>& conn) const {
    std::lock_guard lock(mu_);
    auto it = by_id_.find(conn->id());
    if (it == by_id_.end()) return std::nullopt;
    return it->second.first;
}

std::size_t ConnectionRegistry::size() const {
    std::lock_guard lock(mu_);
    return by_id_.size();
}

void ConnectionRegistry::CloseAll() {
    std::vector<std::shared_ptr<Socket>> all;
    {
        std::lock_guard lock(mu_);
        for (auto& [_, entry] : by_id_) all.push_back(entry.second);
    }
    for (const auto& s : all) s->conn->Close();
}

}  // namespace switchboard::gateway_web
