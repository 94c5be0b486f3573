// Composition root of gateway-telegram.
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "switchboard/channel/secrets.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/runtime/bootstrap.hpp"
#include "switchboard/runtime/service_runtime.hpp"
#include "telegram_gateway.hpp"

using namespace switchboard;

namespace {

std::chrono::milliseconds Ms(const config::Config& cfg, const std::string& key) {
    return std::chrono::milliseconds(cfg.GetInt(key));
}

}  // namespace

int main(int argc, char** argv) {
    runtime::BlockTerminationSignals();
    config::Schema schema;
    runtime::AddCommonKeys(schema, 8084);
    schema.Int("http.threads", 2, "HTTP server threads", 1, 64)
        .Int("http.max-body-bytes", 262144, "larger webhook bodies are refused with 413", 4096, 16777216)
        .String("telegram.webhook-path", "/telegram/webhook",
                "path Telegram POSTs updates to (the path of the URL given to setWebhook)")
        .String("telegram.api-base", "https://api.telegram.org",
                "Bot API base URL; sendMessage goes to <api-base>/bot<token>/sendMessage")
        .Int("telegram.max-parts", 4,
             "a reply longer than 4096 characters is sent as up to this many messages; "
             "the rest is cut, ending with an ellipsis",
             1, 20)
        .Double("telegram.rate.per-chat-per-second", 1.0, "messages per second to one chat")
        .Double("telegram.rate.per-chat-burst", 1.0, "messages one chat may get at once")
        .Double("telegram.rate.overall-per-second", 30.0,
                "messages per second from this replica to all chats")
        .Double("telegram.rate.overall-burst", 30.0, "messages this replica may send at once")
        .Int("telegram.connect-timeout-ms", 3000, "Bot API connect timeout", 100, 60000)
        .Int("telegram.request-timeout-ms", 10000, "Bot API request timeout (a timeout is retried)", 100,
             120000)
        .Int("delivery.max-attempts", 6,
             "sendMessage attempts per reply before ReplyFailed retries_exhausted", 1, 100)
        .Int("delivery.first-backoff-ms", 200, "first retry delay (doubles; Telegram's retry_after wins)", 1,
             60000)
        .Int("delivery.max-backoff-ms", 10000, "longest retry delay", 1, 600000)
        .Int("delivery.give-up-after-ms", 60000, "give up on a reply once retrying would pass this", 1000,
             3600000);
    const auto cfg = runtime::Bootstrap(
        argc, argv, "gateway-telegram",
        "Switchboard Telegram gateway: Bot API webhook in, sendMessage out.\n"
        "Secrets from the environment: TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET "
        "(or TELEGRAM_BOT_TOKEN_FILE / TELEGRAM_WEBHOOK_SECRET_FILE naming files holding them).",
        schema);
    auto common = runtime::ReadCommon(cfg);
    common.http.threads = static_cast<int>(cfg.GetInt("http.threads"));
    common.http.max_body_bytes = static_cast<std::size_t>(cfg.GetInt("http.max-body-bytes"));
    const events::Naming naming(common.ns);
    const SystemClock clock;

    gateway_telegram::GatewaySettings settings;
    settings.kafka_brokers = common.kafka_brokers;
    settings.webhook_path = cfg.GetString("telegram.webhook-path");
    settings.bot_token = runtime::OrExit("read a secret", [] { return channel::RequireSecret("TELEGRAM_BOT_TOKEN"); });
    settings.webhook_secret = runtime::OrExit("read a secret", [] { return channel::RequireSecret("TELEGRAM_WEBHOOK_SECRET"); });
    settings.sender.api_base = cfg.GetString("telegram.api-base");
    settings.sender.max_parts = static_cast<std::size_t>(cfg.GetInt("telegram.max-parts"));
    settings.client.connect_timeout = Ms(cfg, "telegram.connect-timeout-ms");
    settings.client.timeout = Ms(cfg, "telegram.request-timeout-ms");
    settings.client.user_agent = "switchboard-gateway-telegram";
    settings.limits.per_key_per_second = cfg.GetDouble("telegram.rate.per-chat-per-second");
    settings.limits.per_key_burst = cfg.GetDouble("telegram.rate.per-chat-burst");
    settings.limits.overall_per_second = cfg.GetDouble("telegram.rate.overall-per-second");
    settings.limits.overall_burst = cfg.GetDouble("telegram.rate.overall-burst");
    settings.delivery.max_attempts = static_cast<int>(cfg.GetInt("delivery.max-attempts"));
    settings.delivery.first_backoff = Ms(cfg, "delivery.first-backoff-ms");
    settings.delivery.max_backoff = Ms(cfg, "delivery.max-backoff-ms");
    settings.delivery.give_up_after = Ms(cfg, "delivery.give-up-after-ms");

    runtime::ServiceRuntime rt("gateway-telegram", common.http);
    auto redis = redis::MakeClient(common.redis, &rt.registry());
    auto producer = runtime::OrExit("create the Kafka producer", [&] {
        return kafka::MakeProducer({common.kafka_brokers, "gateway-telegram", {}}, &rt.registry());
    });
    auto gateway = runtime::OrExit("set up the Telegram gateway", [&] {
        return std::make_unique<gateway_telegram::TelegramGateway>(settings, *producer, *redis, naming, clock,
                                                                   rt.registry());
    });
    gateway->RegisterRoutes(rt.http());

    rt.AddReadinessCheck("redis", [&redis] { return redis->Healthy(); });
    rt.AddReadinessCheck("kafka_producer", [&producer] { return producer->Healthy(); });
    rt.AddReadinessCheck("kafka_consumer", [&gateway] { return gateway->ConsumerHealthy(); });
    runtime::OrExit("start the HTTP server", [&] { rt.Start(); });
    gateway->Start();
    // The webhook URL is logged without the host Telegram uses; the API base never (no token in logs).
    spdlog::info("gateway-telegram ready: webhook POST http://{}:{}{}", common.http.host, rt.port(),
                 settings.webhook_path);

    const int sig = runtime::WaitForTerminationSignal();
    spdlog::info("signal {} received: draining", sig);
    // Stop taking updates first (in-flight ones finish), then deliveries, then the producer.
    rt.Stop();
    gateway->Stop();
    (void)producer->Flush(std::chrono::milliseconds(common.drain_ms));
    spdlog::info("gateway-telegram stopped");
    return 0;
}
