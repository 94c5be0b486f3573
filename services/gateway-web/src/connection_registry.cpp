#include "connection_registry.hpp"

#include <algorithm>

namespace switchboard::gateway_web {

void ConnectionRegistry::Add(const std::string& conversation_id,
                             const std::shared_ptr<http::WebSocketConnection>& conn) {
    std::lock_guard lock(mu_);
    by_conversation_[conversation_id].push_back(conn);
    conversation_of_[conn->id()] = conversation_id;
}

void ConnectionRegistry::Remove(const std::shared_ptr<http::WebSocketConnection>& conn) {
    std::lock_guard lock(mu_);
    auto it = conversation_of_.find(conn->id());
    if (it == conversation_of_.end()) return;
    auto& conns = by_conversation_[it->second];
    conns.erase(std::remove_if(conns.begin(), conns.end(), [&](const auto& c) { return c->id() == conn->id(); }),
                conns.end());
    if (conns.empty()) by_conversation_.erase(it->second);
    conversation_of_.erase(it);
}

std::size_t ConnectionRegistry::Send(const std::string& conversation_id, const std::string& text) {
    std::vector<std::shared_ptr<http::WebSocketConnection>> targets;
    {
        std::lock_guard lock(mu_);
        auto it = by_conversation_.find(conversation_id);
        if (it != by_conversation_.end()) targets = it->second;
    }
    for (const auto& c : targets) c->Send(text);
    return targets.size();
}

std::size_t ConnectionRegistry::size() const {
    std::lock_guard lock(mu_);
    return conversation_of_.size();
}

void ConnectionRegistry::CloseAll() {
    std::vector<std::shared_ptr<http::WebSocketConnection>> all;
    {
        std::lock_guard lock(mu_);
        for (auto& [_, conns] : by_conversation_) all.insert(all.end(), conns.begin(), conns.end());
    }
    for (const auto& c : all) c->Close();
}

}  // namespace switchboard::gateway_web
