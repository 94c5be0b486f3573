// A write to a connection the peer has reset must come back as a retryable Error, not kill the
// process with SIGPIPE (hiredis 0.14 uses write(2) without MSG_NOSIGNAL).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "switchboard/redis/client.hpp"

namespace switchboard::redis {
namespace {

// Listens on an ephemeral loopback port; accepts one connection, half-closes it (FIN) so the
// client's socket is in CLOSE_WAIT, then closes with the client's data unread (RST). The client's
// next write then fails with EPIPE, which is exactly when Linux raises SIGPIPE.
class HangUpPeer {
public:
    HangUpPeer() {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        auto* sa = reinterpret_cast<sockaddr*>(&addr);
        EXPECT_EQ(::bind(listen_fd_, sa, sizeof(addr)), 0);
        EXPECT_EQ(::listen(listen_fd_, 1), 0);
        socklen_t len = sizeof(addr);
        EXPECT_EQ(::getsockname(listen_fd_, sa, &len), 0);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] {
            const int fd = ::accept(listen_fd_, nullptr, nullptr);
            if (fd < 0) return;
            ::shutdown(fd, SHUT_WR);
            std::this_thread::sleep_for(std::chrono::milliseconds(200));  // client fills buffers
            ::close(fd);
        });
    }
    ~HangUpPeer() {
        thread_.join();
        ::close(listen_fd_);
    }
    HangUpPeer(const HangUpPeer&) = delete;
    HangUpPeer& operator=(const HangUpPeer&) = delete;

    int port() const { return port_; }

private:
    int listen_fd_ = -1;
    int port_ = 0;
    std::thread thread_;
};

bool SigpipeBlocked() {
    sigset_t mask;
    sigemptyset(&mask);
    pthread_sigmask(SIG_BLOCK, nullptr, &mask);
    return sigismember(&mask, SIGPIPE) == 1;
}

bool SigpipePending() {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    return sigismember(&pending, SIGPIPE) == 1;
}

TEST(Sigpipe, WriteToResetPeerIsARetryableErrorNotADeadProcess) {
    ASSERT_FALSE(SigpipeBlocked());
    HangUpPeer peer;
    auto client = MakeClient({.host = "127.0.0.1",
                              .port = peer.port(),
                              .connect_timeout = std::chrono::milliseconds(1000),
                              .command_timeout = std::chrono::milliseconds(3000)});
    // Far more than loopback socket buffers hold, so the client is still writing at the reset.
    const std::string big(64U << 20U, 'x');
    Result<Reply> r = client->Command({"SET", "k", big});
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().retryable) << r.error().message;
    EXPECT_FALSE(SigpipePending());
    EXPECT_FALSE(SigpipeBlocked());  // the thread's mask is restored
}

}  // namespace
}  // namespace switchboard::redis
