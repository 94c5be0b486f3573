#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/core/error.hpp"

namespace switchboard::gateway_email {

// Which protocol a listener speaks: SMTP (RFC 5321, EHLO/HELO, one reply after DATA) or LMTP
// (RFC 2033, LHLO, one reply per accepted recipient after DATA).
enum class Dialect { kSmtp, kLmtp };
const char* ToString(Dialect dialect);

// The recipients this gateway accepts mail for: exact addresses ("support@example.com") and whole
// domains ("@example.com"), compared case-insensitively. Immutable value; thread-safe to read.
class RecipientPolicy {
public:
    RecipientPolicy() = default;
    // A comma- or space-separated list; an Error naming the bad entry, or for an empty list.
    static Result<RecipientPolicy> Parse(std::string_view list);
    bool Accepts(std::string_view address) const;
    // Accepts every address (for test relays).
    static RecipientPolicy Any();

private:
    std::vector<std::string> addresses_;  // lower-case
    std::vector<std::string> domains_;    // lower-case, without '@'
    bool any_ = false;
};

struct SmtpLimits {
    std::size_t max_message_bytes = 10 * 1024 * 1024;  // SIZE; larger messages get 552
    std::size_t max_recipients = 50;                   // more RCPTs get 452
    std::size_t max_command_line = 2048;               // RFC 5321 asks for >= 512
    std::size_t max_data_line = 64 * 1024;             // RFC says 1000; real mail is sloppier
    int max_errors = 10;                               // then 421 and close
};

// A message handed over in one transaction.
struct ReceivedMail {
    std::string helo;                     // what the client called itself
    std::string reverse_path;             // MAIL FROM; "" = null sender (a bounce)
    std::vector<std::string> recipients;  // accepted RCPTs, in order (duplicates kept)
    std::string data;                     // the message: dot-unstuffed, CRLF line ends
};

// What became of a received message (decided by the MessageSink).
enum class MailOutcome {
    kAccepted,    // durably published: 250
    kDuplicate,   // this Message-ID was accepted before: 250, nothing published
    kIgnored,     // taken but deliberately not processed (auto-reply, bounce): 250
    kRetryLater,  // Kafka or Redis failed: 451, the MTA retries
    kMalformed,   // cannot be parsed: 554, the MTA bounces it
};
const char* ToString(MailOutcome outcome);

// The SMTP/LMTP server's protocol logic for one connection, without sockets: feed it lines, it
// returns the replies to write. The socket adapter (SmtpServer) owns one per connection.
//
// Supports EHLO/HELO (SMTP) or LHLO (LMTP), MAIL (SIZE=, BODY=7BIT|8BITMIME), RCPT, DATA with
// dot-unstuffing, RSET, NOOP, QUIT, VRFY (252), HELP; STARTTLS/AUTH/BDAT/EXPN/ETRN/TURN are 502,
// anything else 500. End of data is "." on a line of its own with CRLF before and after: a bare
// LF never ends the data (SMTP smuggling).
//
// Thread-safety: none; one connection's events are serialized by its adapter.
class SmtpProtocol {
public:
    struct Output {
        std::vector<std::string> replies;  // each a complete reply, CRLF-terminated (maybe multi-line)
        bool close = false;                // close the connection once the replies are written
        // Set once a message is complete: hand it to the sink, read no further input, and call
        // OnOutcome with the sink's answer.
        std::optional<ReceivedMail> mail;
    };

    SmtpProtocol(Dialect dialect, std::string hostname, SmtpLimits limits, const RecipientPolicy& recipients);

    std::string Greeting() const;
    // One input line without its terminator; `crlf` says whether it ended in CRLF (else bare LF).
    Output OnLine(std::string_view line, bool crlf = true);
    // The current line grew past LineLimit() before its end; its bytes were discarded up to the
    // next LF (the adapter calls this once per such line, then resumes at the next line).
    Output OnLineTooLong();
    Output OnOutcome(MailOutcome outcome, std::string_view detail);
    Output OnTimeout();
    Output OnShutdown();

    std::size_t LineLimit() const;
    bool InData() const { return state_ == State::kData; }
    bool AwaitingOutcome() const { return state_ == State::kAwaitingOutcome; }
    bool Closed() const { return state_ == State::kClosed; }
    Dialect dialect() const { return dialect_; }

private:
    enum class State { kConnected, kReady, kMail, kRcpt, kData, kAwaitingOutcome, kClosed };

    Output Command(std::string_view line);
    Output DataLine(std::string_view line, bool crlf);
    Output Hello(std::string_view verb, std::string_view args);
    Output Mail(std::string_view args);
    Output Rcpt(std::string_view args);
    Output Data(std::string_view args);
    // An error reply; closes with 421 after too many of them.
    Output Error(std::string reply);
    Output Reply(std::string reply);
    // One reply for SMTP, one per accepted recipient for LMTP.
    Output PerRecipient(const std::string& reply);
    void ResetTransaction();

    Dialect dialect_;
    std::string hostname_;
    SmtpLimits limits_;
    const RecipientPolicy& recipients_;
    State state_ = State::kConnected;
    int errors_ = 0;
    ReceivedMail mail_;
    std::size_t lmtp_replies_ = 0;  // recipients of the message awaiting its outcome
    bool data_too_big_ = false;
    bool data_line_too_long_ = false;
    bool prev_crlf_ = true;
};

// "250 2.0.0 OK" → 250; 0 if the reply does not start with a 3-digit code.
int ReplyCode(std::string_view reply);

// The address inside a MAIL FROM / RCPT TO argument ("FROM:<a@b> SIZE=1" → "a@b", params
// "SIZE=1"). Accepts a space after the colon and a bare address without brackets. Exposed for tests.
struct PathArgument {
    std::string address;
    std::vector<std::string> params;
};
std::optional<PathArgument> ParsePathArgument(std::string_view args, std::string_view keyword);

}  // namespace switchboard::gateway_email
