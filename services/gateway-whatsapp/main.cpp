// Composition root of gateway-whatsapp.
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include "customer_window.hpp"
#include "switchboard/channel/delivery.hpp"
#include "switchboard/channel/inbound.hpp"
#include "switchboard/channel/platform_client.hpp"
#include "switchboard/channel/probe.hpp"
#include "switchboard/channel/rate_limiter.hpp"
#include "switchboard/channel/secrets.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/runtime/bootstrap.hpp"
#include "switchboard/runtime/service_runtime.hpp"
#include "whatsapp_gateway.hpp"
#include "whatsapp_probe.hpp"
#include "whatsapp_sender.hpp"

using namespace switchboard;

namespace {

// A secret the service cannot run without: from NAME or NAME_FILE, or exit 2 naming the variable.
std::string RequiredSecret(const std::string& env_name) {
    return runtime::OrExit("read a secret", [&] { return channel::RequireSecret(env_name); });
}

double Positive(const config::Config& cfg, const std::string& key) {
    const double v = cfg.GetDouble(key);
    if (!(v > 0)) {
        spdlog::critical("cannot start: '{}' must be greater than 0 (is {})", key, v);
        std::exit(2);
    }
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    runtime::BlockTerminationSignals();
    config::Schema schema;
    runtime::AddCommonKeys(schema, 8085);
    schema.Int("http.threads", 4, "HTTP server threads (a webhook waits for Kafka on its thread)", 1, 64)
        .Int("http.max-body-bytes", 262144, "larger webhook bodies are refused with 413", 1024, 4194304)
        .String("whatsapp.api-base", "https://graph.facebook.com",
                "Graph API base URL (tests point it at a fake)")
        .String("whatsapp.api-version", "v21.0", "Graph API version in the /messages path")
        .Double("whatsapp.messages-per-second", 80,
                "send limit per business phone number (Cloud API throughput)")
        .Int("whatsapp.window-margin-seconds", 60, "close the 24-hour window this much early", 0, 3600)
        .Int("delivery.max-attempts", 6, "sends of one reply before it fails (retries_exhausted)", 1, 100)
        .Int("delivery.first-backoff-ms", 200, "first retry delay; doubles each retry", 1, 600000)
        .Int("delivery.max-backoff-ms", 10000, "longest retry delay", 1, 3600000)
        .Int("delivery.give-up-after-ms", 60000, "a reply fails once retrying would take longer", 1, 86400000)
        .Int("platform.timeout-ms", 10000, "total time of one Graph API request", 100, 120000);
    const auto cfg = runtime::Bootstrap(
        argc, argv, "gateway-whatsapp",
        "Switchboard WhatsApp gateway: Cloud API webhook in, /messages out.\n"
        "Secrets from the environment (or NAME_FILE): WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN, "
        "WHATSAPP_ACCESS_TOKEN.",
        schema);
    auto common = runtime::ReadCommon(cfg);
    common.http.threads = static_cast<int>(cfg.GetInt("http.threads"));
    common.http.max_body_bytes = static_cast<std::size_t>(cfg.GetInt("http.max-body-bytes"));
    const events::Naming naming(common.ns);
    const SystemClock clock;

    const std::string api_base = cfg.GetString("whatsapp.api-base");
    if (api_base.rfind("https://", 0) != 0 && api_base.rfind("http://", 0) != 0) {
        spdlog::critical("cannot start: 'whatsapp.api-base' must be an http(s) URL (is '{}')", api_base);
        return 2;
    }
    if (api_base.rfind("http://", 0) == 0)
        spdlog::warn("whatsapp.api-base {} is plain HTTP: for tests only", api_base);
    const double mps = Positive(cfg, "whatsapp.messages-per-second");
    gateway_whatsapp::WhatsAppGateway::Secrets secrets{RequiredSecret("WHATSAPP_APP_SECRET"),
                                                       RequiredSecret("WHATSAPP_VERIFY_TOKEN")};
    const std::string access_token = RequiredSecret("WHATSAPP_ACCESS_TOKEN");

    runtime::ServiceRuntime rt("gateway-whatsapp", common.http);
    channel::ChannelProbe probe(rt.registry(), "whatsapp");
    gateway_whatsapp::WhatsAppProbe wa_probe(rt.registry());
    auto redis = redis::MakeClient(common.redis, &rt.registry());
    auto producer = runtime::OrExit("create the Kafka producer", [&] {
        return kafka::MakeProducer({common.kafka_brokers, "gateway-whatsapp", {}}, &rt.registry());
    });

    channel::InboundLedger inbound_ledger(*redis, naming.RedisPrefix(), "whatsapp");
    channel::InboundLedger status_ledger(*redis, naming.RedisPrefix(), "whatsapp-status");
    channel::DeliveryLedger deliveries(*redis, naming.RedisPrefix(), "whatsapp");
    gateway_whatsapp::RedisCustomerWindow window(*redis, naming.RedisPrefix());
    channel::InboundPublisher publisher(*producer, inbound_ledger, naming,
                                        switchboard::common::v1::CHANNEL_WHATSAPP, "gateway-whatsapp", probe);

    // The Cloud API's throughput limit is per business phone number: OutboundDelivery's limiter
    // keys by it (WhatsAppSender::RateKey); the pair rate to one customer is left to backoff on 131056.
    // There is no replica-wide limit at Meta, hence the very high overall rate.
    channel::RateLimiter number_limiter({mps, mps, 1e6, 1e6});
    channel::PlatformClient::Options client_options;
    client_options.timeout = std::chrono::milliseconds(cfg.GetInt("platform.timeout-ms"));
    client_options.user_agent = "switchboard-gateway-whatsapp";
    const channel::PlatformClient client(client_options);
    gateway_whatsapp::WhatsAppSender::Options sender_options;
    sender_options.api_base = api_base;
    sender_options.api_version = cfg.GetString("whatsapp.api-version");
    sender_options.window_margin = std::chrono::seconds(cfg.GetInt("whatsapp.window-margin-seconds"));
    gateway_whatsapp::WhatsAppSender sender(
        [&client](const std::string& url, const std::string& content_type, const std::string& body,
                  const std::vector<std::string>& headers) {
            return client.Post(url, content_type, body, headers);
        },
        access_token, window, naming, clock, probe, wa_probe, sender_options);

    channel::OutboundDelivery::Options delivery_options;
    delivery_options.max_attempts = static_cast<int>(cfg.GetInt("delivery.max-attempts"));
    delivery_options.first_backoff = std::chrono::milliseconds(cfg.GetInt("delivery.first-backoff-ms"));
    delivery_options.max_backoff = std::chrono::milliseconds(cfg.GetInt("delivery.max-backoff-ms"));
    delivery_options.give_up_after = std::chrono::milliseconds(cfg.GetInt("delivery.give-up-after-ms"));
    delivery_options.lease =
        std::chrono::duration_cast<std::chrono::seconds>(delivery_options.give_up_after) +
        std::chrono::seconds(60);  // must outlast the retries
    delivery_options.rate_key = &gateway_whatsapp::WhatsAppSender::RateKey;
    channel::OutboundDelivery delivery(*producer, deliveries, number_limiter, naming, clock,
                                       switchboard::common::v1::CHANNEL_WHATSAPP, "gateway-whatsapp", probe,
                                       delivery_options);

    gateway_whatsapp::WhatsAppGateway gateway(publisher, status_ledger, deliveries, window, *producer, naming,
                                              clock, probe, wa_probe, std::move(secrets));
    gateway.RegisterRoutes(rt.http());
    const channel::Sender send = [&sender](const chat::v1::OutboundMessage& out) { return sender.Send(out); };
    auto consumer = runtime::OrExit("create the Kafka consumer", [&] {
        return kafka::MakeConsumer(
            {common.kafka_brokers,
             naming.Group("gateway-whatsapp"),
             "gateway-whatsapp",
             {naming.Outbound(switchboard::common::v1::CHANNEL_WHATSAPP)},
             "earliest",
             {}},
            [&delivery, &send](const kafka::Record& r) { return delivery.Handle(r, send); }, &rt.registry());
    });

    rt.AddReadinessCheck("redis", [&redis] { return redis->Healthy(); });
    rt.AddReadinessCheck("kafka_producer", [&producer] { return producer->Healthy(); });
    rt.AddReadinessCheck("kafka_consumer", [&consumer] { return consumer->Healthy(); });
    runtime::OrExit("start the HTTP server", [&] { rt.Start(); });
    consumer->Start();
    spdlog::info("gateway-whatsapp ready: webhook http://{}:{}/webhook, Graph API {}/{}", common.http.host,
                 rt.port(), api_base, sender_options.api_version);

    const int sig = runtime::WaitForTerminationSignal();
    spdlog::info("signal {} received: draining", sig);
    // Stop taking webhooks first (in-flight ones finish), then end any backoff of the reply in
    // hand (it is redelivered to the next owner), then the consumer (commits), then the producer.
    rt.Stop();
    delivery.Stop();
    consumer->Stop();
    (void)producer->Flush(std::chrono::milliseconds(common.drain_ms));
    spdlog::info("gateway-whatsapp stopped");
    return 0;
}
