#pragma once

#include <string>

#include "smtp_server.hpp"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace switchboard::gateway_email {

// gateway-email's own metrics (the channel-wide ones are channel::ChannelProbe's):
//   switchboard_email_smtp_sessions_total{dialect}, switchboard_email_smtp_sessions_open{dialect}
//   switchboard_email_smtp_connections_refused_total{dialect}   (max-connections reached)
//   switchboard_email_smtp_commands_rejected_total{dialect,code} (every 4xx/5xx reply we sent)
//   switchboard_email_messages_malformed_total                    (554, nothing published)
//   switchboard_email_messages_ignored_total{reason}              (auto-replies, bounces: 250, not published)
//   switchboard_email_messages_truncated_total                    (text longer than inbound.max-text-bytes)
// Thread-safe.
class EmailProbe final : public SmtpObserver {
public:
    explicit EmailProbe(prometheus::Registry& registry);

    void OnSessionOpened(Dialect dialect) override;
    void OnSessionClosed(Dialect dialect) override;
    void OnConnectionRefused(Dialect dialect) override;
    void OnReply(Dialect dialect, int code) override;

    void OnMalformed();
    void OnIgnored(const std::string& reason);
    void OnTruncated();

private:
    prometheus::Family<prometheus::Counter>& sessions_;
    prometheus::Family<prometheus::Gauge>& open_;
    prometheus::Family<prometheus::Counter>& refused_;
    prometheus::Family<prometheus::Counter>& rejected_;
    prometheus::Counter& malformed_;
    prometheus::Family<prometheus::Counter>& ignored_;
    prometheus::Counter& truncated_;
};

}  // namespace switchboard::gateway_email
