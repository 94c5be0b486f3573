#include "webhook_payload.hpp"

#include <gtest/gtest.h>

#include "address.hpp"
#include "meta_payloads.hpp"
#include "switchboard/core/ids.hpp"
#include "switchboard/events/naming.hpp"
#include "whatsapp_gateway.hpp"

namespace switchboard::gateway_whatsapp {
namespace {

using namespace test_support;

TEST(WebhookPayload, TextMessageFromMetasExample) {
    auto p = ParseWebhook(kTextMessage);
    ASSERT_TRUE(p.ok()) << p.error().message;
    ASSERT_EQ(p->messages.size(), 1u);
    EXPECT_TRUE(p->statuses.empty());
    const WaMessage& m = p->messages[0];
    EXPECT_EQ(m.phone_number_id, "106540352242922");
    EXPECT_EQ(m.id, "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=");
    EXPECT_EQ(m.from, "16505551234");
    EXPECT_EQ(m.profile_name, "Sheena Nelson");
    EXPECT_EQ(m.timestamp, 1749416383);
    EXPECT_EQ(m.type, "text");
    EXPECT_EQ(m.text, "Does it come in another color?");
    EXPECT_TRUE(m.attachments.empty());
    EXPECT_TRUE(m.metadata.empty());
}

TEST(WebhookPayload, ImageBecomesAPhotoAttachmentWithItsCaptionAsText) {
    auto p = ParseWebhook(kImageMessage);
    ASSERT_TRUE(p.ok()) << p.error().message;
    ASSERT_EQ(p->messages.size(), 1u);
    const WaMessage& m = p->messages[0];
    EXPECT_EQ(m.text, "Is this the right part?");
    ASSERT_EQ(m.attachments.size(), 1u);
    EXPECT_EQ(m.attachments[0].kind(), "photo");
    EXPECT_EQ(m.attachments[0].file_id(), "1003383421387256");
    EXPECT_EQ(m.attachments[0].mime_type(), "image/jpeg");
    EXPECT_EQ(m.metadata.at("whatsapp.type"), "image");
}

TEST(WebhookPayload, EveryMessageOfABatchIsReadWithItsKind) {
    auto p = ParseWebhook(kMixedMessages);
    ASSERT_TRUE(p.ok()) << p.error().message;
    ASSERT_EQ(p->messages.size(), 10u);
    const auto& m = p->messages;

    EXPECT_EQ(m[0].attachments.at(0).kind(), "voice");
    EXPECT_EQ(m[0].attachments.at(0).file_id(), "2065328800622093");
    EXPECT_EQ(m[0].attachments.at(0).mime_type(), "audio/ogg; codecs=opus");
    EXPECT_EQ(m[0].text, "");

    EXPECT_EQ(m[1].from, "16505556789");
    EXPECT_EQ(m[1].profile_name, "Pablo Morales");  // matched by wa_id, not the first contact
    EXPECT_EQ(m[1].attachments.at(0).kind(), "document");
    EXPECT_EQ(m[1].attachments.at(0).file_name(), "invoice-0042.pdf");
    EXPECT_EQ(m[1].attachments.at(0).mime_type(), "application/pdf");
    EXPECT_EQ(m[1].text, "my invoice");

    EXPECT_EQ(m[2].attachments.at(0).kind(), "sticker");
    EXPECT_EQ(m[2].attachments.at(0).mime_type(), "image/webp");

    EXPECT_EQ(m[3].attachments.at(0).kind(), "location");
    EXPECT_EQ(m[3].attachments.at(0).file_name(), "Main Office");
    EXPECT_EQ(m[3].metadata.at("whatsapp.location"), "37.483307,-122.148981");
    EXPECT_EQ(m[3].metadata.at("whatsapp.location_address"), "1 Hacker Way, Menlo Park, CA 94025");

    EXPECT_EQ(m[4].attachments.at(0).kind(), "contact");
    EXPECT_EQ(m[4].attachments.at(0).file_name(), "Barbara J. Johnson");
    EXPECT_EQ(m[4].metadata.at("whatsapp.contact_phones"), "+1 (940) 555-1234");

    // A tapped reply button is what the customer said; no attachment, so the assistant reads it.
    EXPECT_EQ(m[5].text, "Change");
    EXPECT_TRUE(m[5].attachments.empty());
    EXPECT_EQ(m[5].metadata.at("whatsapp.interactive_id"), "change-button");
    EXPECT_EQ(m[5].metadata.at("whatsapp.context_id"), "wamid.ourbuttons");

    EXPECT_EQ(m[6].text, "Unsubscribe from Promos");
    EXPECT_EQ(m[6].metadata.at("whatsapp.button_payload"), "Unsubscribe from Promos");

    EXPECT_EQ(m[7].text, "\xF0\x9F\x91\x8D");  // 👍
    EXPECT_EQ(m[7].metadata.at("whatsapp.reaction_to"), "wamid.oursent");

    EXPECT_EQ(m[8].attachments.at(0).kind(), "video");
    EXPECT_EQ(m[8].attachments.at(0).file_id(), "1526852431206835");

    EXPECT_EQ(m[9].attachments.at(0).kind(), "other");
    EXPECT_EQ(m[9].metadata.at("whatsapp.type"), "unsupported");
    EXPECT_EQ(m[9].metadata.at("whatsapp.error"), "131051 Message type unknown");
}

TEST(WebhookPayload, DeliveredStatusFromMetasExample) {
    auto p = ParseWebhook(kDeliveredStatus);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_TRUE(p->messages.empty());
    ASSERT_EQ(p->statuses.size(), 1u);
    const WaStatus& s = p->statuses[0];
    EXPECT_EQ(s.phone_number_id, "106540352242922");
    EXPECT_EQ(s.id, "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA");
    EXPECT_EQ(s.status, "delivered");
    EXPECT_EQ(s.timestamp, 1750263773);
    EXPECT_EQ(s.recipient_id, "16505551234");
    EXPECT_EQ(s.error, "");
}

TEST(WebhookPayload, FailedStatusCarriesCodeAndTitle) {
    auto p = ParseWebhook(kFailedStatus);
    ASSERT_TRUE(p.ok()) << p.error().message;
    ASSERT_EQ(p->statuses.size(), 1u);
    EXPECT_EQ(p->statuses[0].status, "failed");
    EXPECT_EQ(p->statuses[0].error, "131026 Message undeliverable");
}

TEST(WebhookPayload, OtherChangesAreCountedAndIgnored) {
    auto p = ParseWebhook(kAccountUpdate);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_TRUE(p->messages.empty());
    EXPECT_TRUE(p->statuses.empty());
    EXPECT_EQ(p->ignored_changes, 1);
}

TEST(WebhookPayload, MalformedBodiesAreErrorsNamingTheProblem) {
    EXPECT_FALSE(ParseWebhook("").ok());
    EXPECT_FALSE(ParseWebhook("{not json").ok());
    EXPECT_FALSE(ParseWebhook("[]").ok());
    EXPECT_NE(
        ParseWebhook(R"({"object":"page","entry":[]})").error().message.find("whatsapp_business_account"),
        std::string::npos);
    EXPECT_FALSE(ParseWebhook(R"({"object":"whatsapp_business_account"})").ok());
    const auto no_id =
        ParseWebhook(R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages",
        "value":{"metadata":{"phone_number_id":"1"},"messages":[{"from":"2","type":"text"}]}}]}]})");
    ASSERT_FALSE(no_id.ok());
    EXPECT_FALSE(no_id.error().retryable);
    EXPECT_FALSE(
        ParseWebhook(R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages",
        "value":{"messages":[{"id":"x","from":"2","type":"text"}]}}]}]})")
            .ok());  // no phone_number_id
    // Wrong JSON types are not a crash.
    EXPECT_TRUE(ParseWebhook(R"({"object":"whatsapp_business_account","entry":[{"changes":"x"}]})").ok());
    EXPECT_FALSE(
        ParseWebhook(R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages",
        "value":{"metadata":{"phone_number_id":"1"},"messages":[{"id":7,"from":2,"type":["text"]}]}}]}]})")
            .ok());
}

TEST(WebhookPayload, EmptyEntryIsAnEmptyPayload) {
    auto p = ParseWebhook(R"({"object":"whatsapp_business_account","entry":[]})");
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(p->messages.empty());
}

TEST(Address, ConversationIdRoundTripsAndIsAValidExternalId) {
    auto a = WaAddress::Make("106540352242922", "16505551234");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->ConversationId(), "wa-106540352242922-16505551234");
    EXPECT_TRUE(IsValidExternalId(a->ConversationId()));
    auto back = WaAddress::FromConversationId("wa-106540352242922-16505551234");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->phone_number_id, "106540352242922");
    EXPECT_EQ(back->wa_id, "16505551234");
}

TEST(Address, AnythingButDigitsIsRefused) {
    EXPECT_FALSE(WaAddress::Make("", "1"));
    EXPECT_FALSE(WaAddress::Make("1", "US.13491208655302741918"));  // a business-scoped user id
    EXPECT_FALSE(WaAddress::Make("1", std::string(61, '1')));
    EXPECT_FALSE(WaAddress::FromConversationId("web-1-2"));
    EXPECT_FALSE(WaAddress::FromConversationId("wa-1"));
    EXPECT_FALSE(WaAddress::FromConversationId("wa-1-2-3"));
    EXPECT_FALSE(WaAddress::FromConversationId("wa--2"));
}

TEST(ToInbound, FillsCustomerContentAndMetadata) {
    auto p = ParseWebhook(kImageMessage);
    ASSERT_TRUE(p.ok());
    const auto at = Clock::TimePoint(std::chrono::seconds(1750090710));
    const chat::v1::InboundMessage m = ToInbound(p->messages[0], at);
    EXPECT_EQ(m.text(), "Is this the right part?");
    EXPECT_EQ(m.customer().id(), "16505551234");
    EXPECT_EQ(m.customer().display_name(), "Sheena Nelson");
    ASSERT_EQ(m.attachments_size(), 1);
    EXPECT_EQ(m.attachments(0).kind(), "photo");
    EXPECT_EQ(m.channel_metadata().at("whatsapp.phone_number_id"), "106540352242922");
    EXPECT_EQ(events::ToUnixMillis(m.received_at()), 1750090710000);
}

}  // namespace
}  // namespace switchboard::gateway_whatsapp
