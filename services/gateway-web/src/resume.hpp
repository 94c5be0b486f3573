#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::gateway_web {

// Resuming the widget's WebSocket: `GET /v1/conversations/{id}/ws?after=<seq>` first receives
// every transcript entry with a sequence number above <seq> (what was delivered while the socket
// was down), then a "synced" frame, then live pushes — with no gap and no duplicate.
//
// How: the socket is registered for live pushes (held, not sent) before the transcript is read;
// the read is sent; held pushes the read already covered (seq <= the transcript's head at the
// read) are dropped, the rest follow in order. A push is published after its entry is appended,
// so an entry is either in the read or pushed after the registration (or both): never neither.
// Every entry also carries its id, so a client that reconnects mid-stream can still drop repeats.

// The "seq" of a stored transcript entry (JSON object); 0 if it has none or is not JSON.
std::uint64_t EntrySeq(std::string_view entry_json);

struct Backlog {
    std::vector<std::string> entries;  // stored JSON, oldest first
    std::uint64_t head = 0;            // the highest seq in the transcript (0: none)
    bool reset = false;                // the cursor was beyond head: everything was selected
};

// The entries a client that has seen everything up to `after` has not seen. A cursor beyond the
// transcript's head comes from an earlier life of the conversation (it expired and started over):
// then every entry is selected. Entries without seq (stored before seq existed) are selected only
// for after == 0. Pure.
Backlog SelectBacklog(const std::vector<std::string>& entries, std::uint64_t after);

// {"type":"message","conversation_id":…,"message":<entry>} — the frame for one entry.
std::string MessageFrame(const std::string& conversation_id, const std::string& entry_json);
// {"type":"synced","seq":<head>} — the backlog is complete; live pushes follow.
std::string SyncedFrame(std::uint64_t head);

// One socket's gate between its backlog and live pushes (see above). Not thread-safe: the
// ConnectionRegistry calls it under the connection's lock and sends what it returns, in order.
class ResumeGate {
public:
    // hold = true: pushes are held until Open(); false: the socket did not ask to resume, every
    // push passes at once.
    explicit ResumeGate(bool hold) : open_(!hold) {}

    // A live push of the entry numbered `seq` (0 if unknown: never dropped). What to send now.
    std::vector<std::string> OnLive(std::uint64_t seq, std::string frame);
    // The backlog was read (its frames, then e.g. the synced frame, in `first`) when the
    // transcript's head was `head`. What to send now: `first`, then the held pushes it lacks.
    std::vector<std::string> Open(std::vector<std::string> first, std::uint64_t head);
    bool open() const { return open_; }

private:
    bool open_;
    std::uint64_t covered_ = 0;  // pushes with 0 < seq <= covered_ were in the backlog
    std::vector<std::pair<std::uint64_t, std::string>> held_;
};

}  // namespace switchboard::gateway_web
