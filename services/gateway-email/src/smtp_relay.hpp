#pragma once

#include <chrono>
#include <string>

namespace switchboard::gateway_email {

// What the relay made of one message.
struct RelayResult {
    enum class Kind {
        kSent,       // 250 after DATA
        kTemporary,  // 4xx, or no answer (connect, TLS, timeout, dropped): try again
        kPermanent,  // 5xx: the relay refuses this message for good
    };
    Kind kind = Kind::kTemporary;
    int code = 0;          // the relay's last SMTP reply code, 0 if it never answered
    std::string response;  // its last reply line ("550 5.1.1 <x@y>: user unknown"), or the transport error
};

// Submits a message to the outgoing mail relay. Blocking. Thread-safe implementations.
class MailRelay {
public:
    virtual ~MailRelay() = default;
    virtual RelayResult Send(const std::string& from, const std::string& to, const std::string& message) = 0;
};

// How a finished libcurl SMTP transfer maps to a RelayResult: `curl_code` is the CURLcode,
// `smtp_code` the last reply code (CURLINFO_RESPONSE_CODE), `reply` the last reply line seen.
// A rejected login (535) is temporary: it is our configuration, not the message, that is wrong.
RelayResult ClassifyRelayOutcome(int curl_code, int smtp_code, const std::string& reply, const std::string& curl_error);

// MailRelay over libcurl: smtp:// (optionally requiring STARTTLS) or smtps://, optional AUTH,
// certificate checks on, bounded connect and total time. The password is never logged.
class CurlSmtpRelay final : public MailRelay {
public:
    struct Options {
        std::string url = "smtp://127.0.0.1:25";  // smtp://host:port[/ehlo-domain] or smtps://…
        bool require_starttls = false;
        std::string username;  // AUTH only when set
        std::string password;
        std::chrono::milliseconds connect_timeout{5000};
        std::chrono::milliseconds timeout{30000};
    };
    explicit CurlSmtpRelay(Options options);
    RelayResult Send(const std::string& from, const std::string& to, const std::string& message) override;

private:
    Options options_;
};

}  // namespace switchboard::gateway_email
