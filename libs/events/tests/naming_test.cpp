#include "switchboard/events/naming.hpp"

#include "switchboard/events/labels.hpp"

#include <google/protobuf/timestamp.pb.h>
#include <gtest/gtest.h>

namespace switchboard::events {
namespace {

TEST(Naming, DefaultNamesMatchTheDesign) {
    Naming n;
    EXPECT_EQ(n.Inbound(), "chat.inbound.v1");
    EXPECT_EQ(n.Events(), "chat.events.v1");
    EXPECT_EQ(n.Outbound(common::v1::CHANNEL_WEB), "chat.outbound.web.v1");
    EXPECT_EQ(n.Outbound(common::v1::CHANNEL_TELEGRAM), "chat.outbound.telegram.v1");
    EXPECT_EQ(n.RedisPrefix(), "sb:");
}

TEST(Naming, NamespacePrefixesEverything) {
    Naming n("t1");
    EXPECT_EQ(n.Inbound(), "t1.chat.inbound.v1");
    EXPECT_EQ(n.Group("assistant"), "t1.assistant");
    EXPECT_EQ(n.RedisPrefix(), "sb:t1:");
}

TEST(Naming, AllTopicsHasCompactedKb) {
    Naming n;
    auto topics = n.AllTopics(6);
    ASSERT_EQ(topics.size(), 7u);
    bool found = false;
    for (const auto& t : topics) {
        EXPECT_EQ(t.partitions, 6);
        if (t.name == "kb.articles.v1") {
            found = true;
            EXPECT_EQ(t.configs.at("cleanup.policy"), "compact");
        }
    }
    EXPECT_TRUE(found);
}

TEST(Channel, RoundTrip) {
    for (auto c : {common::v1::CHANNEL_WEB, common::v1::CHANNEL_EMAIL}) {
        EXPECT_EQ(ParseChannel(ChannelName(c)), c);
    }
    EXPECT_FALSE(ParseChannel("fax").has_value());
    EXPECT_FALSE(ParseChannel("").has_value());
}

TEST(Timestamp, RoundTripKeepsMillis) {
    const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
    const auto ts = ToTimestamp(t);
    EXPECT_EQ(ToUnixMillis(ts), 1'700'000'000'123);
    EXPECT_EQ(FromTimestamp(ts), t);
}

TEST(Labels, ReasonsAndResponders) {
    EXPECT_EQ(HandoffReasonLabel(chat::v1::HANDOFF_REASON_LOW_CONFIDENCE), "low_confidence");
    EXPECT_EQ(HandoffReasonLabel(chat::v1::HANDOFF_REASON_CUSTOMER_REQUEST), "customer_request");
    EXPECT_EQ(HandoffReasonLabel(chat::v1::HANDOFF_REASON_BOT_FAILED), "bot_failed");
    EXPECT_EQ(HandoffReasonLabel(chat::v1::HANDOFF_REASON_UNSUPPORTED_CONTENT), "unsupported_content");
    EXPECT_EQ(HandoffReasonLabel(chat::v1::HANDOFF_REASON_CHANNEL_WINDOW_CLOSED), "channel_window_closed");
    EXPECT_EQ(HandoffReasonLabel(chat::v1::HANDOFF_REASON_UNSPECIFIED), "unspecified");
    EXPECT_EQ(ResponderLabel(chat::v1::RESPONDER_OPERATOR), "operator");
    EXPECT_EQ(ResponderLabel(chat::v1::RESPONDER_BOT), "bot");
}

}  // namespace
}  // namespace switchboard::events
