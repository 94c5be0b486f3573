#include "sigpipe_guard.hpp"

#include <pthread.h>

#include <cerrno>
#include <ctime>

namespace switchboard::redis {
namespace {

sigset_t SigpipeSet() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    return set;
}

bool SigpipePending() {
    sigset_t pending;
    sigemptyset(&pending);
    return sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
}

}  // namespace

SigpipeGuard::SigpipeGuard() {
    const sigset_t pipe = SigpipeSet();
    pthread_sigmask(SIG_BLOCK, &pipe, &old_mask_);
    // A SIGPIPE that was already pending is not ours to discard (standard signals do not queue).
    was_pending_ = SigpipePending();
}

void SigpipeGuard::DiscardRaisedSigpipe() { discard_ = true; }

SigpipeGuard::~SigpipeGuard() {
    if (discard_ && !was_pending_ && SigpipePending()) {
        const sigset_t pipe = SigpipeSet();
        const timespec zero{};
        int rc = 0;
        do {
            rc = sigtimedwait(&pipe, nullptr, &zero);
        } while (rc < 0 && errno == EINTR);
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace switchboard::redis
