// Composition root of gateway-email.
#include <spdlog/spdlog.h>

#include <charconv>
#include <memory>
#include <stdexcept>

#include "email_inbound.hpp"
#include "email_outbound.hpp"
#include "email_probe.hpp"
#include "smtp_relay.hpp"
#include "smtp_server.hpp"
#include "switchboard/channel/delivery.hpp"
#include "switchboard/channel/inbound.hpp"
#include "switchboard/channel/probe.hpp"
#include "switchboard/channel/rate_limiter.hpp"
#include "switchboard/channel/secrets.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/runtime/bootstrap.hpp"
#include "switchboard/runtime/service_runtime.hpp"
#include "thread_store.hpp"

using namespace switchboard;
using namespace switchboard::gateway_email;

namespace {

// "host:port" → options of a listener; throws std::invalid_argument naming the key.
void ParseListen(const std::string& key, const std::string& value, SmtpServer::Options& o) {
    const auto colon = value.rfind(':');
    int port = -1;
    if (colon != std::string::npos) {
        const char* begin = value.data() + colon + 1;
        const char* end = value.data() + value.size();
        if (auto r = std::from_chars(begin, end, port); r.ec != std::errc() || r.ptr != end) port = -1;
    }
    if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535) {
        throw std::invalid_argument(key + " must be host:port (e.g. 127.0.0.1:2525), got '" + value + "'");
    }
    o.host = value.substr(0, colon);
    if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']') o.host = o.host.substr(1, o.host.size() - 2);
    o.port = static_cast<std::uint16_t>(port);
}

}  // namespace

int main(int argc, char** argv) {
    runtime::BlockTerminationSignals();
    config::Schema schema;
    runtime::AddCommonKeys(schema, 8086);
    schema.String("smtp.listen", "127.0.0.1:2525", "SMTP listener, host:port (port 0 picks a free one)")
        .String("smtp.dialect", "smtp", "what smtp.listen speaks: smtp (EHLO/HELO) or lmtp (LHLO, RFC 2033)")
        .String("lmtp.listen", "", "an extra LMTP listener, host:port; empty: none")
        .String("smtp.hostname", "localhost", "our name in the 220 greeting and the EHLO reply")
        .Int("smtp.max-message-bytes", 10485760, "SIZE limit; larger messages get 552", 1024, 1073741824)
        .Int("smtp.max-recipients", 50, "RCPTs per message; more get 452", 1, 1000)
        .Int("smtp.max-connections", 100, "open connections per listener; more get 421", 1, 100000)
        .Int("smtp.timeout-ms", 300000, "idle time before a connection gets 421 and is closed", 1000, 3600000)
        .Int("smtp.threads", 1, "I/O threads per listener", 1, 64)
        .RequiredString("inbound.recipients",
                        "addresses (user@domain) and whole domains (@domain) we accept mail for, comma-separated; "
                        "other recipients get 550")
        .Bool("inbound.ignore-auto-replies", true, "take auto-replies and bounces with 250 but do not publish them")
        .Int("inbound.max-text-bytes", 32768, "the customer's text is cut to this many bytes", 1024, 524288)
        .Int("threads.ttl-days", 180, "how long Message-ID → conversation mappings are kept", 1, 3650)
        .String("outbound.relay-url", "smtp://127.0.0.1:25",
                "where replies are submitted: smtp://host:port[/ehlo-name] or smtps://host:port")
        .Bool("outbound.starttls", false, "require STARTTLS on an smtp:// relay")
        .String("outbound.username", "", "AUTH user at the relay; empty: no AUTH")
        .String("outbound.password-env", "SWITCHBOARD_SMTP_PASSWORD",
                "environment variable with the relay password (or <name>_FILE naming a file with it)")
        .RequiredString("outbound.from-address", "the support address replies come from (From:)")
        .String("outbound.from-name", "Support", "display name of From:")
        .String("outbound.message-id-domain", "", "domain of our Message-IDs; empty: from-address's domain")
        .String("outbound.default-subject", "Your request", "subject of replies to mail without one")
        .String("outbound.operator-signature", "{name}, customer support",
                "signature under operators' replies ({name} = operator's name); empty: none")
        .Int("outbound.connect-timeout-ms", 5000, "relay connect timeout", 100, 600000)
        .Int("outbound.timeout-ms", 30000, "relay total time per message", 1000, 600000)
        .Int("outbound.give-up-after-ms", 120000, "a reply still not sent after this is reported failed", 1000,
             86400000)
        .Double("outbound.per-conversation-per-second", 1.0, "replies per second to one conversation")
        .Double("outbound.overall-per-second", 20.0, "replies per second from this replica");
    const auto cfg = runtime::Bootstrap(argc, argv, "gateway-email",
                                        "Switchboard e-mail gateway: SMTP/LMTP in (MIME, threads), SMTP relay out.",
                                        schema);
    const auto common = runtime::ReadCommon(cfg);
    const events::Naming naming(common.ns);
    const SystemClock clock;

    auto recipients = RecipientPolicy::Parse(cfg.GetString("inbound.recipients"));
    if (!recipients) {
        spdlog::critical("inbound.recipients: {}", recipients.error().message);
        return 2;
    }
    SmtpServer::Options smtp_options;
    SmtpServer::Options lmtp_options;
    runtime::OrExit("read the listener addresses", [&] {
        ParseListen("smtp.listen", cfg.GetString("smtp.listen"), smtp_options);
        const std::string dialect = cfg.GetString("smtp.dialect");
        if (dialect != "smtp" && dialect != "lmtp") throw std::invalid_argument("smtp.dialect must be smtp or lmtp");
        smtp_options.dialect = dialect == "lmtp" ? Dialect::kLmtp : Dialect::kSmtp;
        smtp_options.hostname = cfg.GetString("smtp.hostname");
        smtp_options.limits.max_message_bytes = static_cast<std::size_t>(cfg.GetInt("smtp.max-message-bytes"));
        smtp_options.limits.max_recipients = static_cast<std::size_t>(cfg.GetInt("smtp.max-recipients"));
        smtp_options.max_connections = static_cast<std::size_t>(cfg.GetInt("smtp.max-connections"));
        smtp_options.idle_timeout = std::chrono::milliseconds(cfg.GetInt("smtp.timeout-ms"));
        smtp_options.threads = static_cast<int>(cfg.GetInt("smtp.threads"));
        lmtp_options = smtp_options;
        lmtp_options.dialect = Dialect::kLmtp;
        if (!cfg.GetString("lmtp.listen").empty()) ParseListen("lmtp.listen", cfg.GetString("lmtp.listen"), lmtp_options);
    });

    CurlSmtpRelay::Options relay_options;
    relay_options.url = cfg.GetString("outbound.relay-url");
    relay_options.require_starttls = cfg.GetBool("outbound.starttls");
    relay_options.username = cfg.GetString("outbound.username");
    relay_options.connect_timeout = std::chrono::milliseconds(cfg.GetInt("outbound.connect-timeout-ms"));
    relay_options.timeout = std::chrono::milliseconds(cfg.GetInt("outbound.timeout-ms"));
    if (!relay_options.username.empty()) {
        auto password = channel::ReadSecret(cfg.GetString("outbound.password-env"));
        if (!password) {
            spdlog::critical("outbound.username is set but the relay password is missing: {}", password.error().message);
            return 2;
        }
        relay_options.password = std::move(password).value();
    }
    OutboundOptions outbound_options;
    outbound_options.from_address = cfg.GetString("outbound.from-address");
    outbound_options.from_name = cfg.GetString("outbound.from-name");
    outbound_options.message_id_domain = cfg.GetString("outbound.message-id-domain");
    outbound_options.default_subject = cfg.GetString("outbound.default-subject");
    outbound_options.operator_signature = cfg.GetString("outbound.operator-signature");
    InboundOptions inbound_options;
    inbound_options.ignore_auto_replies = cfg.GetBool("inbound.ignore-auto-replies");
    inbound_options.max_text_bytes = static_cast<std::size_t>(cfg.GetInt("inbound.max-text-bytes"));

    runtime::ServiceRuntime rt("gateway-email", common.http);
    channel::ChannelProbe channel_probe(rt.registry(), "email");
    EmailProbe email_probe(rt.registry());
    auto redis = redis::MakeClient(common.redis, &rt.registry());
    auto producer = runtime::OrExit("create the Kafka producer", [&] {
        return kafka::MakeProducer({common.kafka_brokers, "gateway-email", {}}, &rt.registry());
    });
    RedisThreadStore threads(*redis, naming.RedisPrefix() + "email:",
                             std::chrono::hours(24) * cfg.GetInt("threads.ttl-days"));
    channel::InboundLedger inbound_ledger(*redis, naming.RedisPrefix(), "email");
    channel::InboundPublisher publisher(*producer, inbound_ledger, naming, common::v1::CHANNEL_EMAIL, "gateway-email",
                                        channel_probe);
    EmailInbound inbound(threads, publisher, channel_probe, email_probe, clock, inbound_options);

    CurlSmtpRelay relay(relay_options);
    EmailOutbound outbound(threads, relay, channel_probe, clock, outbound_options);
    channel::DeliveryLedger delivery_ledger(*redis, naming.RedisPrefix(), "email");
    const double per_conversation = cfg.GetDouble("outbound.per-conversation-per-second");
    const double overall = cfg.GetDouble("outbound.overall-per-second");
    channel::RateLimiter limiter({per_conversation, std::max(1.0, per_conversation * 3), overall, std::max(1.0, overall)});
    channel::OutboundDelivery::Options delivery_options;
    delivery_options.give_up_after = std::chrono::milliseconds(cfg.GetInt("outbound.give-up-after-ms"));
    channel::OutboundDelivery delivery(*producer, delivery_ledger, limiter, naming, clock, common::v1::CHANNEL_EMAIL,
                                       "gateway-email", channel_probe, delivery_options);
    auto consumer = runtime::OrExit("create the Kafka consumer", [&] {
        return kafka::MakeConsumer(
            {common.kafka_brokers, naming.Group("gateway-email"), "gateway-email",
             {naming.Outbound(common::v1::CHANNEL_EMAIL)}, "earliest", {}},
            [&delivery, &outbound](const kafka::Record& r) {
                return delivery.Handle(r, [&outbound](const chat::v1::OutboundMessage& out) { return outbound.Send(out); });
            },
            &rt.registry());
    });

    SmtpServer smtp(smtp_options, *recipients, inbound, &email_probe);
    std::unique_ptr<SmtpServer> lmtp;
    if (!cfg.GetString("lmtp.listen").empty()) {
        lmtp = std::make_unique<SmtpServer>(lmtp_options, *recipients, inbound, &email_probe);
    }

    rt.AddReadinessCheck("redis", [&redis] { return redis->Healthy(); });
    rt.AddReadinessCheck("kafka_producer", [&producer] { return producer->Healthy(); });
    rt.AddReadinessCheck("kafka_consumer", [&consumer] { return consumer->Healthy(); });
    runtime::OrExit("start the HTTP server", [&] { rt.Start(); });
    runtime::OrExit("start the SMTP listener", [&] { smtp.Start(); });
    if (lmtp) runtime::OrExit("start the LMTP listener", [&] { lmtp->Start(); });
    consumer->Start();
    spdlog::info("gateway-email ready: {} on {}:{}{}, http://{}:{}/", ToString(smtp_options.dialect),
                 smtp_options.host, smtp.port(),
                 lmtp ? ", lmtp on " + lmtp_options.host + ":" + std::to_string(lmtp->port()) : std::string(),
                 common.http.host, rt.port());

    const int sig = runtime::WaitForTerminationSignal();
    spdlog::info("signal {} received: draining", sig);
    // Stop taking mail first (messages being published get their answer), then deliveries,
    // then the producer.
    const auto drain = std::chrono::milliseconds(common.drain_ms);
    smtp.Stop(drain);
    if (lmtp) lmtp->Stop(drain);
    rt.Stop();
    delivery.Stop();
    consumer->Stop();
    (void)producer->Flush(drain);
    spdlog::info("gateway-email stopped");
    return 0;
}
