#include "resume.hpp"

#include <nlohmann/json.hpp>

namespace switchboard::gateway_web {

std::uint64_t EntrySeq(std::string_view entry_json) {
    const auto j = nlohmann::json::parse(entry_json, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return 0;
    const auto it = j.find("seq");
    if (it == j.end() || !it->is_number_unsigned()) return 0;
    return it->get<std::uint64_t>();
}

Backlog SelectBacklog(const std::vector<std::string>& entries, std::uint64_t after) {
    std::vector<std::uint64_t> seqs;
    seqs.reserve(entries.size());
    Backlog out;
    for (const auto& e : entries) {
        seqs.push_back(EntrySeq(e));
        out.head = std::max(out.head, seqs.back());
    }
    if (after > out.head) {
        out.reset = true;
        after = 0;
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (seqs[i] > after || (seqs[i] == 0 && after == 0)) out.entries.push_back(entries[i]);
    }
    return out;
}

std::string MessageFrame(const std::string& conversation_id, const std::string& entry_json) {
    // The entry is stored JSON already: spliced in, not re-encoded.
    return R"({"type":"message","conversation_id":)" + nlohmann::json(conversation_id).dump() +
           R"(,"message":)" + entry_json + "}";
}

std::string SyncedFrame(std::uint64_t head) {
    return R"({"type":"synced","seq":)" + std::to_string(head) + "}";
}

std::vector<std::string> ResumeGate::OnLive(std::uint64_t seq, std::string frame) {
    if (!open_) {
        held_.emplace_back(seq, std::move(frame));
        return {};
    }
    if (seq != 0 && seq <= covered_) return {};
    std::vector<std::string> out;
    out.push_back(std::move(frame));
    return out;
}

std::vector<std::string> ResumeGate::Open(std::vector<std::string> first, std::uint64_t head) {
    if (open_) return first;  // a second Open is a caller's bug; nothing was held
    open_ = true;
    covered_ = head;
    for (auto& [seq, frame] : held_) {
        if (seq == 0 || seq > covered_) first.push_back(std::move(frame));
    }
    held_.clear();
    held_.shrink_to_fit();
    return first;
}

}  // namespace switchboard::gateway_web
