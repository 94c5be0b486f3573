// TranscriptStore on the real Redis: sequence numbers, delivery ledger, resume selection.
#include "transcript_store.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "resume.hpp"
#include "switchboard/testing/environment.hpp"

namespace switchboard::gateway_web {
namespace {

using nlohmann::json;

class TranscriptStoreTest : public ::testing::Test {
protected:
    TranscriptStoreTest() {
        redis::ClientConfig c;
        c.host = testing::RedisHost();
        c.port = testing::RedisPort();
        redis_ = redis::MakeClient(c);
        store_ = std::make_unique<TranscriptStore>(*redis_, testing::UniqueNamespace() + ":");
    }
    std::unique_ptr<redis::Client> redis_;
    std::unique_ptr<TranscriptStore> store_;
};

TEST_F(TranscriptStoreTest, EntriesAreNumberedInListOrderAcrossAppendsAndDeliveries) {
    auto s1 = store_->Append("c-1", R"({"id":"m-1","author":"customer","text":"hi \"there\""})");
    ASSERT_TRUE(s1.ok()) << s1.error().message;
    EXPECT_EQ(*s1, 1u);
    auto d = store_->DeliverOnce("c-1", "r-1", R"({"id":"r-1","author":"bot","text":"hello"})");
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->delivery, TranscriptStore::Delivery::kNew);
    EXPECT_EQ(d->seq, 2u);
    EXPECT_EQ(*store_->Append("c-2", R"({"id":"other"})"), 1u) << "numbers are per conversation";
    EXPECT_EQ(*store_->Append("c-1", "{}"), 3u);

    auto list = store_->List("c-1");
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 3u);
    const auto first = json::parse((*list)[0]);
    EXPECT_EQ(first["seq"], 1);
    EXPECT_EQ(first["text"], "hi \"there\"");
    EXPECT_EQ(json::parse((*list)[1])["id"], "r-1");
    EXPECT_EQ(json::parse((*list)[2]), json({{"seq", 3}}));
    EXPECT_EQ(EntrySeq((*list)[1]), 2u);
}

TEST_F(TranscriptStoreTest, ARepeatedReplyIdIsNotAppendedOrNumberedAgain) {
    ASSERT_EQ(store_->DeliverOnce("c", "r-1", R"({"id":"r-1"})")->delivery, TranscriptStore::Delivery::kNew);
    auto again = store_->DeliverOnce("c", "r-1", R"({"id":"r-1"})");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->delivery, TranscriptStore::Delivery::kDeliveredNotReported);
    EXPECT_EQ(again->seq, 0u);
    ASSERT_TRUE(store_->MarkReported("r-1").ok());
    EXPECT_EQ(store_->DeliverOnce("c", "r-1", R"({"id":"r-1"})")->delivery,
              TranscriptStore::Delivery::kReported);
    EXPECT_EQ(store_->List("c")->size(), 1u);
    EXPECT_EQ(*store_->Append("c", R"({"id":"m-2"})"), 2u);
}

TEST_F(TranscriptStoreTest, ResumeSelectsWhatWasStoredAfterTheCursor) {
    for (int i = 1; i <= 5; ++i) {
        ASSERT_TRUE(
            store_->DeliverOnce("c", "r-" + std::to_string(i), json{{"id", "r-" + std::to_string(i)}}.dump())
                .ok());
    }
    auto list = store_->List("c");
    ASSERT_TRUE(list.ok());
    const Backlog b = SelectBacklog(*list, 3);
    ASSERT_EQ(b.entries.size(), 2u);
    EXPECT_EQ(json::parse(b.entries[0])["id"], "r-4");
    EXPECT_EQ(json::parse(b.entries[1])["id"], "r-5");
    EXPECT_EQ(b.head, 5u);
}

}  // namespace
}  // namespace switchboard::gateway_web
