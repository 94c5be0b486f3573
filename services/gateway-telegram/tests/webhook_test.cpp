#include "webhook.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "switchboard/channel/probe.hpp"
#include "switchboard/events/naming.hpp"
#include "telegram_probe.hpp"

namespace switchboard::gateway_telegram {
namespace {

using nlohmann::json;
namespace chat = switchboard::chat::v1;

constexpr const char* kSecret = "s3cr3t_Token-1";
constexpr const char* kTextUpdate =
    R"({"update_id":10000,"message":{"date":1441645532,"chat":{"id":1111111,"type":"private","first_name":"Test"},
        "message_id":1365,"from":{"id":1111111,"first_name":"Test","language_code":"en"},"text":"/start"}})";

double Counter(prometheus::Registry& registry, const std::string& name,
               const std::map<std::string, std::string>& labels) {
    for (const auto& family : registry.Collect()) {
        if (family.name != name) continue;
        for (const auto& metric : family.metric) {
            std::map<std::string, std::string> got;
            for (const auto& l : metric.label) got[l.name] = l.value;
            if (got == labels) return metric.counter.value;
        }
    }
    return 0;
}

struct Published {
    std::string conversation_id;
    std::string channel_message_id;
    chat::InboundMessage message;
};

class WebhookTest : public ::testing::Test {
protected:
    WebhookTest()
        : clock_(std::chrono::system_clock::time_point(std::chrono::seconds(1700000000))),
          webhook_(
              {"/telegram/webhook", kSecret, "123456"},
              [this](const std::string& conv, const std::string& id, chat::InboundMessage m,
                     std::function<void(channel::InboundOutcome)> done) {
                  published_.push_back({conv, id, std::move(m)});
                  done(outcome_);
              },
              clock_, probe_, telegram_probe_) {}

    http::Response Post(const std::string& body, std::optional<std::string> secret = kSecret) {
        http::Request req;
        req.method = "POST";
        req.path = req.target = "/telegram/webhook";
        req.body = body;
        if (secret) req.headers.emplace_back("x-telegram-bot-api-secret-token", *secret);
        std::optional<http::Response> got;
        webhook_.Handle(req, [&got](http::Response r) { got = std::move(r); });
        EXPECT_TRUE(got.has_value()) << "the handler did not respond";
        return got.value_or(http::Response{});
    }

    double Rejected(const std::string& reason) {
        return Counter(registry_, "switchboard_gateway_requests_rejected_total",
                       {{"channel", "telegram"}, {"reason", reason}});
    }

    prometheus::Registry registry_;
    channel::ChannelProbe probe_{registry_, "telegram"};
    TelegramProbe telegram_probe_{registry_};
    ManualClock clock_;
    channel::InboundOutcome outcome_ = channel::InboundOutcome::kAccepted;
    std::vector<Published> published_;
    TelegramWebhook webhook_;
};

TEST_F(WebhookTest, MissingSecretIs401AndNothingIsPublished) {
    auto r = Post(kTextUpdate, std::nullopt);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(json::parse(r.body)["error"], "bad_secret");
    EXPECT_TRUE(published_.empty());
    EXPECT_EQ(Rejected("bad_secret"), 1);
}

TEST_F(WebhookTest, WrongSecretIs403AndNothingIsPublished) {
    for (const std::string forged : {"s3cr3t_Token-2", "s3cr3t_Token-1x", "", "S3CR3T_TOKEN-1"}) {
        auto r = Post(kTextUpdate, forged);
        EXPECT_EQ(r.status, 403) << forged;
        EXPECT_EQ(r.body.find(kSecret), std::string::npos);
    }
    EXPECT_TRUE(published_.empty());
    EXPECT_EQ(Rejected("bad_secret"), 4);
}

TEST_F(WebhookTest, SecretIsCheckedBeforeTheBodyIsRead) {
    EXPECT_EQ(Post("{oops", "forged").status, 403);
    EXPECT_EQ(Rejected("invalid_json"), 0);
}

TEST_F(WebhookTest, MalformedBodyIs400WithAReason) {
    auto r = Post("{oops");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(json::parse(r.body)["error"], "invalid_json");
    auto no_id = Post(R"({"message":{"chat":{"id":1},"text":"x"}})");
    EXPECT_EQ(no_id.status, 400);
    EXPECT_EQ(json::parse(no_id.body)["error"], "invalid_update");
    EXPECT_TRUE(published_.empty());
    EXPECT_EQ(Rejected("invalid_json"), 1);
    EXPECT_EQ(Rejected("invalid_update"), 1);
}

TEST_F(WebhookTest, UpdatesWithNothingForUsAre200AndCounted) {
    auto r = Post(R"({"update_id":3,"edited_message":{"message_id":1,"date":1,"chat":{"id":5},"text":"x"}})");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(json::parse(r.body)["status"], "ignored");
    EXPECT_TRUE(published_.empty());
    EXPECT_EQ(Counter(registry_, "switchboard_gateway_updates_ignored_total",
                      {{"channel", "telegram"}, {"type", "edited_message"}}),
              1);
}

TEST_F(WebhookTest, MessageIsPublishedUnderTheBotsUpdateIdAndAnswered200WhenDurable) {
    auto r = Post(kTextUpdate);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(json::parse(r.body)["status"], "accepted");
    ASSERT_EQ(published_.size(), 1u);
    EXPECT_EQ(published_[0].conversation_id, "tg-1111111");
    EXPECT_EQ(published_[0].channel_message_id, "123456:10000");
    EXPECT_EQ(published_[0].message.text(), "/start");
    EXPECT_EQ(published_[0].message.customer().language(), "en");
    EXPECT_EQ(events::ToUnixMillis(published_[0].message.received_at()), 1700000000000);
}

TEST_F(WebhookTest, DuplicateIs200AndKafkaTroubleIs503SoTelegramRetries) {
    outcome_ = channel::InboundOutcome::kDuplicate;
    auto dup = Post(kTextUpdate);
    EXPECT_EQ(dup.status, 200);
    EXPECT_EQ(json::parse(dup.body)["status"], "duplicate");
    outcome_ = channel::InboundOutcome::kRetryLater;
    auto later = Post(kTextUpdate);
    EXPECT_EQ(later.status, 503);
    EXPECT_EQ(json::parse(later.body)["error"], "unavailable");
}

TEST(WebhookSecrets, SecretAndTokenShapes) {
    EXPECT_TRUE(IsValidWebhookSecret("abc_DEF-123"));
    EXPECT_TRUE(IsValidWebhookSecret(std::string(256, 'a')));
    EXPECT_FALSE(IsValidWebhookSecret(""));
    EXPECT_FALSE(IsValidWebhookSecret(std::string(257, 'a')));
    EXPECT_FALSE(IsValidWebhookSecret("has space"));
    EXPECT_FALSE(IsValidWebhookSecret("colon:no"));
    EXPECT_EQ(BotIdFromToken("123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"), "123456");
    EXPECT_EQ(BotIdFromToken("ABC:DEF"), "");
    EXPECT_EQ(BotIdFromToken("123456"), "");
    EXPECT_EQ(BotIdFromToken("123456:"), "");
    EXPECT_EQ(BotIdFromToken(":abc"), "");
    EXPECT_EQ(BotIdFromToken("123:ab/c"), "");
}

}  // namespace
}  // namespace switchboard::gateway_telegram
