#include "fake_relay.hpp"

namespace switchboard::gateway_email::testing {

FakeRelay::FakeRelay() {
    SmtpServer::Options o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.hostname = "relay.test";
    server_ = std::make_unique<SmtpServer>(o, RecipientPolicy::Any(), *this);
    server_->Start();
}

FakeRelay::~FakeRelay() { server_->Stop(std::chrono::seconds(1)); }

void FakeRelay::FailNext(MailOutcome outcome, int count) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < count; ++i) scripted_.push_back(outcome);
}

std::vector<FakeRelay::Message> FakeRelay::Messages() {
    std::lock_guard lock(mu_);
    return messages_;
}

bool FakeRelay::WaitForCount(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
}

void FakeRelay::Deliver(ReceivedMail mail, Done done) {
    MailOutcome outcome = MailOutcome::kAccepted;
    {
        std::lock_guard lock(mu_);
        if (!scripted_.empty()) {
            outcome = scripted_.front();
            scripted_.pop_front();
        }
        if (outcome == MailOutcome::kAccepted) {
            Message m;
            m.reverse_path = mail.reverse_path;
            m.recipients = mail.recipients;
            m.data = mail.data;
            if (auto parsed = ParseEmail(mail.data)) m.parsed = std::move(parsed).value();
            messages_.push_back(std::move(m));
        }
    }
    cv_.notify_all();
    done(outcome, outcome == MailOutcome::kAccepted ? "queued" : "scripted failure");
}

}  // namespace switchboard::gateway_email::testing
