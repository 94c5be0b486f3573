#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mime_parser.hpp"
#include "smtp_server.hpp"

namespace switchboard::gateway_email::testing {

// An SMTP relay for tests: gateway-email's own SmtpServer with a sink that records every message
// (and its parse), accepting mail for any recipient on 127.0.0.1, port 0. FailNext scripts the
// outcome of the next messages (kRetryLater → 451, kMalformed → 554) to exercise the sender's
// retry and failure paths. Thread-safe.
class FakeRelay final : public MessageSink {
public:
    struct Message {
        std::string reverse_path;
        std::vector<std::string> recipients;
        std::string data;
        ParsedEmail parsed;
    };

    FakeRelay();
    ~FakeRelay() override;
    std::uint16_t port() const { return server_->port(); }
    std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port()); }

    void FailNext(MailOutcome outcome, int count = 1);
    std::vector<Message> Messages();
    // Waits until at least `n` messages arrived; false on timeout.
    bool WaitForCount(std::size_t n, std::chrono::milliseconds timeout);

    void Deliver(ReceivedMail mail, Done done) override;

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<Message> messages_;
    std::deque<MailOutcome> scripted_;
    std::unique_ptr<SmtpServer> server_;
};

}  // namespace switchboard::gateway_email::testing
