#pragma once

#include <signal.h>

namespace switchboard::redis {

// Keeps a write to a socket the peer has closed from killing the process.
//
// hiredis 0.14 writes with write(2), not send(MSG_NOSIGNAL), and Linux has no per-socket
// SO_NOSIGPIPE, so an EPIPE also raises SIGPIPE, whose default action terminates the process.
// A library must not change the process-wide disposition, so this does what libpq does
// (pq_block_sigpipe/pq_reset_sigpipe): block SIGPIPE in the calling thread for the duration of
// one command and, if the command failed, discard a SIGPIPE that it generated.
//
// Thread-safety: affects only the calling thread; create and destroy on the same thread.
class SigpipeGuard {
public:
    SigpipeGuard();
    ~SigpipeGuard();
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

    // Call when the guarded I/O failed: only then can it have raised SIGPIPE.
    void DiscardRaisedSigpipe();

private:
    sigset_t old_mask_;
    bool was_pending_ = false;
    bool discard_ = false;
};

}  // namespace switchboard::redis
