#include "email_probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace switchboard::gateway_email {

namespace {
prometheus::Family<prometheus::Counter>& Counters(prometheus::Registry& r, const char* name, const char* help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}
}  // namespace

EmailProbe::EmailProbe(prometheus::Registry& registry)
    : sessions_(Counters(registry, "switchboard_email_smtp_sessions_total", "SMTP/LMTP connections accepted")),
      open_(prometheus::BuildGauge()
                .Name("switchboard_email_smtp_sessions_open")
                .Help("SMTP/LMTP connections open now")
                .Register(registry)),
      refused_(Counters(registry, "switchboard_email_smtp_connections_refused_total",
                        "Connections refused with 421 because smtp.max-connections were open")),
      rejected_(Counters(registry, "switchboard_email_smtp_commands_rejected_total",
                         "Replies with a 4xx or 5xx code (bad commands, unknown recipients, size, outcomes)")),
      malformed_(Counters(registry, "switchboard_email_messages_malformed_total",
                          "Messages refused with 554 because they could not be parsed; nothing published")
                     .Add({})),
      ignored_(Counters(registry, "switchboard_email_messages_ignored_total",
                        "Messages taken (250) but not published: auto-replies and bounces, by reason")),
      truncated_(Counters(registry, "switchboard_email_messages_truncated_total",
                          "Messages whose text was cut to inbound.max-text-bytes")
                     .Add({})) {}

void EmailProbe::OnSessionOpened(Dialect dialect) {
    sessions_.Add({{"dialect", ToString(dialect)}}).Increment();
    open_.Add({{"dialect", ToString(dialect)}}).Increment();
}
void EmailProbe::OnSessionClosed(Dialect dialect) { open_.Add({{"dialect", ToString(dialect)}}).Decrement(); }
void EmailProbe::OnConnectionRefused(Dialect dialect) { refused_.Add({{"dialect", ToString(dialect)}}).Increment(); }
void EmailProbe::OnReply(Dialect dialect, int code) {
    if (code >= 400) rejected_.Add({{"dialect", ToString(dialect)}, {"code", std::to_string(code)}}).Increment();
}
void EmailProbe::OnMalformed() { malformed_.Increment(); }
void EmailProbe::OnIgnored(const std::string& reason) { ignored_.Add({{"reason", reason}}).Increment(); }
void EmailProbe::OnTruncated() { truncated_.Increment(); }

}  // namespace switchboard::gateway_email
