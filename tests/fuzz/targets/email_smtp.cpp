// One SMTP/LMTP connection without sockets: the input is the client's byte stream, cut into lines
// exactly as SmtpServer's Process() does, fed to SmtpProtocol (services/gateway-email/src/
// smtp_protocol.*). The first byte picks the dialect, small limits (so SIZE, recipient, line and
// error limits are reached) and the sink's outcomes. Also RecipientPolicy::Parse, ReplyCode and
// ParsePathArgument on each line.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "smtp_protocol.hpp"

namespace {

namespace em = switchboard::gateway_email;

void CheckReplies(const em::SmtpProtocol::Output& out) {
    for (const auto& r : out.replies) {
        FUZZ_CHECK(r.size() >= 5 && r.compare(r.size() - 2, 2, "\r\n") == 0, "a reply is CRLF-terminated");
        FUZZ_CHECK(em::ReplyCode(r) >= 200 && em::ReplyCode(r) < 600, "a reply starts with a 2xx..5xx code");
        // Every line of a multi-line reply carries the code; no bare LF or CR inside.
        size_t start = 0;
        while (start < r.size()) {
            const auto end = r.find("\r\n", start);
            FUZZ_CHECK(end != std::string::npos, "reply lines end in CRLF");
            const std::string_view line(r.data() + start, end - start);
            FUZZ_CHECK(line.find('\n') == std::string_view::npos && line.find('\r') == std::string_view::npos,
                       "no bare CR or LF inside a reply line (reply injection)");
            FUZZ_CHECK(em::ReplyCode(line) == em::ReplyCode(r), "each line of a reply has the same code");
            start = end + 2;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t opts = data[0];
    std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);

    // Outside input too (an operator's list): the policy parser; on failure use the real one.
    auto fuzzed_policy = em::RecipientPolicy::Parse(in.substr(0, in.find('\n')));
    auto policy = em::RecipientPolicy::Parse("support@example.com @example.org");
    FUZZ_CHECK(policy.ok(), "the fixed recipient policy parses");
    const em::RecipientPolicy& recipients = (opts & 0x40) && fuzzed_policy.ok() ? *fuzzed_policy : *policy;

    em::SmtpLimits limits;
    if (opts & 0x02) {
        limits.max_message_bytes = 64;
        limits.max_recipients = 2;
        limits.max_command_line = 64;
        limits.max_data_line = 80;
        limits.max_errors = 3;
    }
    const auto dialect = (opts & 0x01) ? em::Dialect::kLmtp : em::Dialect::kSmtp;
    em::SmtpProtocol protocol(dialect, "mx.example.com", limits, recipients);
    (void)protocol.Greeting();

    size_t outcomes = 0;
    bool closed = false;
    const auto apply = [&](const em::SmtpProtocol::Output& out) {
        CheckReplies(out);
        if (out.close) closed = true;
        if (!out.mail) return;
        const em::ReceivedMail& mail = *out.mail;
        FUZZ_CHECK(!mail.recipients.empty(), "a delivered mail has at least one recipient");
        FUZZ_CHECK(mail.recipients.size() <= limits.max_recipients, "no more recipients than max_recipients");
        FUZZ_CHECK(mail.data.size() <= limits.max_message_bytes, "a delivered mail is within SIZE");
        for (const auto& rcpt : mail.recipients)
            FUZZ_CHECK(recipients.Accepts(rcpt), "only accepted recipients are delivered");
        FUZZ_CHECK(protocol.AwaitingOutcome(), "a delivered mail waits for its outcome");
        // The sink answers; cycle through the outcomes.
        static const em::MailOutcome kOutcomes[] = {em::MailOutcome::kAccepted, em::MailOutcome::kDuplicate,
                                                    em::MailOutcome::kIgnored, em::MailOutcome::kRetryLater,
                                                    em::MailOutcome::kMalformed};
        const auto outcome = kOutcomes[(opts >> 2 ^ outcomes++) % 5];
        const auto after = protocol.OnOutcome(outcome, "detail\r\nwith a line break");
        CheckReplies(after);
        if (dialect == em::Dialect::kLmtp && !after.close) {
            FUZZ_CHECK(after.replies.size() == mail.recipients.size(), "LMTP answers once per recipient");
        }
        if (after.close) closed = true;
    };

    // SmtpServer::Process(): split at LF, strip one CR, over-long lines go to OnLineTooLong.
    size_t pos = 0;
    while (!closed && pos < in.size()) {
        const auto nl = in.find('\n', pos);
        if (nl == std::string_view::npos) {
            if (in.size() - pos > protocol.LineLimit()) apply(protocol.OnLineTooLong());
            break;  // an unterminated tail waits for more input
        }
        std::string_view line = in.substr(pos, nl - pos);
        pos = nl + 1;
        const bool crlf = !line.empty() && line.back() == '\r';
        if (crlf) line.remove_suffix(1);
        if (!protocol.InData()) {
            (void)em::ReplyCode(line);
            (void)em::ParsePathArgument(line.substr(line.find(' ') == std::string_view::npos ? line.size()
                                                                                            : line.find(' ') + 1),
                                        (opts & 0x80) ? "TO" : "FROM");
        }
        if (line.size() > protocol.LineLimit()) {
            apply(protocol.OnLineTooLong());
            continue;
        }
        apply(protocol.OnLine(line, crlf));
    }
    if (!closed) {
        if (opts & 0x20) {
            CheckReplies(protocol.OnShutdown());
        } else {
            CheckReplies(protocol.OnTimeout());
        }
    }
    return 0;
}
