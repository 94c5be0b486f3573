#include "smtp_protocol.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "text_util.hpp"

namespace switchboard::gateway_email {

namespace {

constexpr std::size_t kMaxAddress = 254;  // RFC 5321 path limit (256 with the brackets)

bool ValidAddress(std::string_view a) {
    if (a.empty() || a.size() > kMaxAddress) return false;
    for (const char c : a) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '<' || c == '>') return false;
    }
    return true;
}

// Keeps replies to one line of printable ASCII: a detail from elsewhere must not inject lines.
std::string Sanitize(std::string_view s, std::size_t max = 200) {
    std::string out;
    for (const char c : s) {
        if (out.size() >= max) break;
        const auto u = static_cast<unsigned char>(c);
        out.push_back(u >= 0x20 && u < 0x7f ? c : ' ');
    }
    return out;
}

}  // namespace

const char* ToString(Dialect dialect) { return dialect == Dialect::kLmtp ? "lmtp" : "smtp"; }

const char* ToString(MailOutcome outcome) {
    switch (outcome) {
        case MailOutcome::kAccepted: return "accepted";
        case MailOutcome::kDuplicate: return "duplicate";
        case MailOutcome::kIgnored: return "ignored";
        case MailOutcome::kRetryLater: return "retry_later";
        case MailOutcome::kMalformed: return "malformed";
    }
    return "unknown";
}

Result<RecipientPolicy> RecipientPolicy::Parse(std::string_view list) {
    RecipientPolicy p;
    std::size_t i = 0;
    while (i < list.size()) {
        while (i < list.size() && (list[i] == ',' || list[i] == ' ' || list[i] == '\t')) ++i;
        std::size_t j = i;
        while (j < list.size() && list[j] != ',' && list[j] != ' ' && list[j] != '\t') ++j;
        if (j > i) {
            const std::string entry = AsciiLower(list.substr(i, j - i));
            const auto at = entry.find('@');
            if (at == std::string::npos || entry.find('@', at + 1) != std::string::npos ||
                at + 1 == entry.size() || !ValidAddress(entry)) {
                return Error::Fatal("bad recipient entry '" + entry +
                                    "': use user@domain for an address or @domain for a whole domain");
            }
            if (at == 0) {
                p.domains_.push_back(entry.substr(1));
            } else {
                p.addresses_.push_back(entry);
            }
        }
        i = j;
    }
    if (p.addresses_.empty() && p.domains_.empty()) {
        return Error::Fatal("no recipients configured: list the addresses (user@domain) or domains (@domain) to accept");
    }
    return p;
}

RecipientPolicy RecipientPolicy::Any() {
    RecipientPolicy p;
    p.any_ = true;
    return p;
}

bool RecipientPolicy::Accepts(std::string_view address) const {
    if (any_) return !address.empty();
    const std::string a = AsciiLower(address);
    if (std::find(addresses_.begin(), addresses_.end(), a) != addresses_.end()) return true;
    const auto at = a.rfind('@');
    if (at == std::string::npos || at == 0) return false;
    const std::string domain = a.substr(at + 1);
    return std::find(domains_.begin(), domains_.end(), domain) != domains_.end();
}

int ReplyCode(std::string_view reply) {
    if (reply.size() < 3) return 0;
    int code = 0;
    const auto r = std::from_chars(reply.data(), reply.data() + 3, code);
    return r.ec == std::errc() && r.ptr == reply.data() + 3 ? code : 0;
}

std::optional<PathArgument> ParsePathArgument(std::string_view args, std::string_view keyword) {
    // "FROM:<a@b> SIZE=1": the keyword and the colon, case-insensitive.
    if (args.size() < keyword.size() + 1 || !EqualsIgnoreCase(args.substr(0, keyword.size()), keyword) ||
        args[keyword.size()] != ':') {
        return std::nullopt;
    }
    std::string_view rest = TrimWhitespace(args.substr(keyword.size() + 1));
    PathArgument out;
    std::string_view params;
    if (!rest.empty() && rest.front() == '<') {
        const auto close = rest.find('>');
        if (close == std::string_view::npos) return std::nullopt;
        std::string_view path = rest.substr(1, close - 1);
        // Obsolete source route "<@a,@b:user@c>": only the mailbox counts.
        if (!path.empty() && path.front() == '@') {
            const auto colon = path.find(':');
            if (colon == std::string_view::npos) return std::nullopt;
            path = path.substr(colon + 1);
        }
        out.address = std::string(path);
        params = rest.substr(close + 1);
        if (!params.empty() && params.front() != ' ') return std::nullopt;
    } else {
        const auto sp = rest.find(' ');
        out.address = std::string(rest.substr(0, sp));
        if (out.address.empty()) return std::nullopt;
        params = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp);
    }
    if (!out.address.empty() && !ValidAddress(out.address)) return std::nullopt;
    for (std::size_t i = 0; i < params.size();) {
        while (i < params.size() && params[i] == ' ') ++i;
        std::size_t j = i;
        while (j < params.size() && params[j] != ' ') ++j;
        if (j > i) out.params.emplace_back(params.substr(i, j - i));
        i = j;
    }
    return out;
}

SmtpProtocol::SmtpProtocol(Dialect dialect, std::string hostname, SmtpLimits limits,
                           const RecipientPolicy& recipients)
    : dialect_(dialect), hostname_(std::move(hostname)), limits_(limits), recipients_(recipients) {}

std::string SmtpProtocol::Greeting() const {
    return "220 " + hostname_ + (dialect_ == Dialect::kLmtp ? " LMTP" : " ESMTP") + " Switchboard ready\r\n";
}

std::size_t SmtpProtocol::LineLimit() const {
    return state_ == State::kData ? limits_.max_data_line : limits_.max_command_line;
}

SmtpProtocol::Output SmtpProtocol::Reply(std::string reply) {
    Output out;
    out.replies.push_back(std::move(reply));
    return out;
}

SmtpProtocol::Output SmtpProtocol::Error(std::string reply) {
    Output out = Reply(std::move(reply));
    if (++errors_ >= limits_.max_errors) {
        out.replies.push_back("421 4.7.0 " + hostname_ + " too many errors, closing connection\r\n");
        out.close = true;
        state_ = State::kClosed;
    }
    return out;
}

void SmtpProtocol::ResetTransaction() {
    mail_.reverse_path.clear();
    mail_.recipients.clear();
    mail_.data.clear();
    data_too_big_ = false;
    data_line_too_long_ = false;
    prev_crlf_ = true;
    if (state_ != State::kConnected && state_ != State::kClosed) state_ = State::kReady;
}

SmtpProtocol::Output SmtpProtocol::OnLine(std::string_view line, bool crlf) {
    switch (state_) {
        case State::kData: return DataLine(line, crlf);
        case State::kAwaitingOutcome:
        case State::kClosed: return {};  // the adapter reads nothing in these states
        default: return Command(line);
    }
}

SmtpProtocol::Output SmtpProtocol::OnLineTooLong() {
    if (state_ == State::kData) {
        // The message is refused at its end; the line's bytes are gone already.
        data_line_too_long_ = true;
        prev_crlf_ = true;
        return {};
    }
    if (state_ == State::kAwaitingOutcome || state_ == State::kClosed) return {};
    return Error("500 5.5.2 line too long\r\n");
}

SmtpProtocol::Output SmtpProtocol::Command(std::string_view line) {
    const auto sp = line.find(' ');
    const std::string verb = AsciiUpper(line.substr(0, sp));
    const std::string_view args = sp == std::string_view::npos ? std::string_view{} : TrimWhitespace(line.substr(sp + 1));

    if (verb == "EHLO" || verb == "HELO" || verb == "LHLO") return Hello(verb, args);
    if (verb == "MAIL") return Mail(args);
    if (verb == "RCPT") return Rcpt(args);
    if (verb == "DATA") return Data(args);
    if (verb == "RSET") {
        ResetTransaction();
        return Reply("250 2.0.0 OK\r\n");
    }
    if (verb == "NOOP") return Reply("250 2.0.0 OK\r\n");
    if (verb == "QUIT") {
        state_ = State::kClosed;
        Output out = Reply("221 2.0.0 " + hostname_ + " closing connection\r\n");
        out.close = true;
        return out;
    }
    if (verb == "VRFY") return Reply("252 2.5.0 cannot VRFY user, but will accept message for delivery\r\n");
    if (verb == "HELP") return Reply("214 2.0.0 see RFC 5321 (SMTP) and RFC 2033 (LMTP)\r\n");
    if (verb == "STARTTLS" || verb == "AUTH" || verb == "BDAT" || verb == "EXPN" || verb == "ETRN" ||
        verb == "TURN") {
        return Error("502 5.5.1 command not implemented\r\n");
    }
    return Error("500 5.5.2 command unrecognized\r\n");
}

SmtpProtocol::Output SmtpProtocol::Hello(std::string_view verb, std::string_view args) {
    const bool lmtp = dialect_ == Dialect::kLmtp;
    if (lmtp != (verb == "LHLO")) {
        return Error(lmtp ? "500 5.5.1 this is an LMTP server: use LHLO\r\n"
                          : "500 5.5.1 this is an SMTP server: use EHLO or HELO\r\n");
    }
    if (args.empty() || args.find(' ') != std::string_view::npos) {
        return Error("501 5.5.4 syntax: " + std::string(verb) + " <domain>\r\n");
    }
    mail_.helo = Sanitize(args, 255);
    state_ = State::kReady;  // a new greeting also resets any transaction
    ResetTransaction();
    if (verb == "HELO") return Reply("250 " + hostname_ + "\r\n");
    return Reply("250-" + hostname_ + " greets " + mail_.helo + "\r\n" +
                 "250-PIPELINING\r\n"
                 "250-8BITMIME\r\n"
                 "250-ENHANCEDSTATUSCODES\r\n"
                 "250 SIZE " +
                 std::to_string(limits_.max_message_bytes) + "\r\n");
}

SmtpProtocol::Output SmtpProtocol::Mail(std::string_view args) {
    if (state_ == State::kConnected) return Error("503 5.5.1 send EHLO/LHLO first\r\n");
    if (state_ != State::kReady) return Error("503 5.5.1 nested MAIL command\r\n");
    auto path = ParsePathArgument(args, "FROM");
    if (!path) return Error("501 5.5.4 syntax: MAIL FROM:<address>\r\n");
    for (const auto& p : path->params) {
        const auto eq = p.find('=');
        const std::string key = AsciiUpper(std::string_view(p).substr(0, eq));
        const std::string value = eq == std::string::npos ? "" : AsciiUpper(std::string_view(p).substr(eq + 1));
        if (key == "SIZE") {
            std::uint64_t n = 0;
            const auto r = std::from_chars(value.data(), value.data() + value.size(), n);
            if (r.ec != std::errc() || r.ptr != value.data() + value.size()) {
                return Error("501 5.5.4 bad SIZE parameter\r\n");
            }
            if (n > limits_.max_message_bytes) {
                return Error("552 5.3.4 message size exceeds fixed limit of " +
                             std::to_string(limits_.max_message_bytes) + " bytes\r\n");
            }
        } else if (key == "BODY") {
            if (value != "7BIT" && value != "8BITMIME") return Error("501 5.5.4 bad BODY parameter\r\n");
        } else {
            return Error("555 5.5.4 unsupported MAIL parameter " + Sanitize(key, 40) + "\r\n");
        }
    }
    mail_.reverse_path = path->address;
    state_ = State::kMail;
    return Reply("250 2.1.0 OK\r\n");
}

SmtpProtocol::Output SmtpProtocol::Rcpt(std::string_view args) {
    if (state_ == State::kConnected) return Error("503 5.5.1 send EHLO/LHLO first\r\n");
    if (state_ != State::kMail && state_ != State::kRcpt) return Error("503 5.5.1 need MAIL before RCPT\r\n");
    auto path = ParsePathArgument(args, "TO");
    if (!path || path->address.empty()) return Error("501 5.5.4 syntax: RCPT TO:<address>\r\n");
    if (!path->params.empty()) return Error("555 5.5.4 RCPT parameters not supported\r\n");
    if (mail_.recipients.size() >= limits_.max_recipients) return Error("452 4.5.3 too many recipients\r\n");
    if (!recipients_.Accepts(path->address)) {
        return Error("550 5.1.1 <" + Sanitize(path->address) + ">: no such mailbox here\r\n");
    }
    mail_.recipients.push_back(path->address);
    state_ = State::kRcpt;
    return Reply("250 2.1.5 OK\r\n");
}

SmtpProtocol::Output SmtpProtocol::Data(std::string_view args) {
    if (state_ == State::kConnected) return Error("503 5.5.1 send EHLO/LHLO first\r\n");
    if (state_ == State::kReady) return Error("503 5.5.1 need MAIL before DATA\r\n");
    if (state_ == State::kMail) return Error("503 5.5.1 need RCPT before DATA (no valid recipients)\r\n");
    if (!args.empty()) return Error("501 5.5.4 syntax: DATA\r\n");
    state_ = State::kData;
    prev_crlf_ = true;
    return Reply("354 End data with <CR><LF>.<CR><LF>\r\n");
}

SmtpProtocol::Output SmtpProtocol::DataLine(std::string_view line, bool crlf) {
    const bool terminator = line == "." && crlf && prev_crlf_;
    prev_crlf_ = crlf;
    if (!terminator) {
        if (!line.empty() && line.front() == '.') line.remove_prefix(1);  // dot-unstuffing
        if (!data_too_big_) {
            if (mail_.data.size() + line.size() + 2 > limits_.max_message_bytes) {
                data_too_big_ = true;
                mail_.data.clear();
                mail_.data.shrink_to_fit();
            } else {
                mail_.data.append(line);
                mail_.data.append("\r\n");
            }
        }
        return {};
    }
    if (data_too_big_) {
        Output out = PerRecipient("552 5.3.4 message size exceeds fixed limit of " +
                                  std::to_string(limits_.max_message_bytes) + " bytes\r\n");
        ResetTransaction();
        return out;
    }
    if (data_line_too_long_) {
        Output out = PerRecipient("554 5.6.0 message has a line longer than " +
                                  std::to_string(limits_.max_data_line) + " bytes\r\n");
        ResetTransaction();
        return out;
    }
    Output out;
    lmtp_replies_ = mail_.recipients.size();
    out.mail = std::move(mail_);
    mail_ = ReceivedMail{};
    mail_.helo = out.mail->helo;
    state_ = State::kAwaitingOutcome;
    return out;
}

SmtpProtocol::Output SmtpProtocol::PerRecipient(const std::string& reply) {
    Output out;
    const std::size_t n = dialect_ == Dialect::kLmtp ? std::max<std::size_t>(mail_.recipients.size(), 1) : 1;
    for (std::size_t i = 0; i < n; ++i) out.replies.push_back(reply);
    return out;
}

SmtpProtocol::Output SmtpProtocol::OnOutcome(MailOutcome outcome, std::string_view detail) {
    if (state_ != State::kAwaitingOutcome) return {};
    std::string reply;
    const std::string d = Sanitize(detail);
    switch (outcome) {
        case MailOutcome::kAccepted: reply = "250 2.0.0 OK" + (d.empty() ? "" : " " + d) + "\r\n"; break;
        case MailOutcome::kDuplicate: reply = "250 2.0.0 OK already accepted\r\n"; break;
        case MailOutcome::kIgnored: reply = "250 2.0.0 OK not processed" + (d.empty() ? "" : ": " + d) + "\r\n"; break;
        case MailOutcome::kRetryLater: reply = "451 4.3.0 temporary failure, try again later\r\n"; break;
        case MailOutcome::kMalformed:
            reply = "554 5.6.0 message cannot be parsed" + (d.empty() ? "" : ": " + d) + "\r\n";
            break;
    }
    Output out;
    const std::size_t n = dialect_ == Dialect::kLmtp ? std::max<std::size_t>(lmtp_replies_, 1) : 1;
    for (std::size_t i = 0; i < n; ++i) out.replies.push_back(reply);
    lmtp_replies_ = 0;
    state_ = State::kReady;
    ResetTransaction();
    return out;
}

SmtpProtocol::Output SmtpProtocol::OnTimeout() {
    if (state_ == State::kClosed) return {};
    state_ = State::kClosed;
    Output out = Reply("421 4.4.2 " + hostname_ + " timeout, closing connection\r\n");
    out.close = true;
    return out;
}

SmtpProtocol::Output SmtpProtocol::OnShutdown() {
    if (state_ == State::kClosed) return {};
    state_ = State::kClosed;
    Output out = Reply("421 4.3.2 " + hostname_ + " shutting down, try again later\r\n");
    out.close = true;
    return out;
}

}  // namespace switchboard::gateway_email
