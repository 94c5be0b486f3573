#include "resume.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace switchboard::gateway_web {
namespace {

using nlohmann::json;

std::string Entry(std::uint64_t seq, const std::string& id) {
    return R"({"seq":)" + std::to_string(seq) + R"(,"id":")" + id + R"(","author":"bot","text":"t"})";
}

std::vector<std::string> Ids(const std::vector<std::string>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(json::parse(e).at("id").get<std::string>());
    return out;
}

TEST(EntrySeq, ReadsTheStoredNumber) {
    EXPECT_EQ(EntrySeq(Entry(7, "r-1")), 7u);
    EXPECT_EQ(EntrySeq(R"({"id":"old"})"), 0u);
    EXPECT_EQ(EntrySeq(R"({"seq":-3,"id":"x"})"), 0u);
    EXPECT_EQ(EntrySeq(R"({"seq":"5"})"), 0u);
    EXPECT_EQ(EntrySeq("not json"), 0u);
    EXPECT_EQ(EntrySeq("[1]"), 0u);
}

TEST(SelectBacklog, SendsOnlyWhatCameAfterTheCursor) {
    const std::vector<std::string> t{Entry(1, "m-1"), Entry(2, "r-1"), Entry(3, "m-2"), Entry(4, "r-2")};
    auto b = SelectBacklog(t, 2);
    EXPECT_EQ(Ids(b.entries), (std::vector<std::string>{"m-2", "r-2"}));
    EXPECT_EQ(b.head, 4u);
    EXPECT_FALSE(b.reset);

    EXPECT_EQ(Ids(SelectBacklog(t, 0).entries).size(), 4u);
    EXPECT_TRUE(SelectBacklog(t, 4).entries.empty());
    EXPECT_FALSE(SelectBacklog(t, 4).reset);
}

TEST(SelectBacklog, CursorBeyondTheHeadMeansTheConversationStartedOverAndSendsEverything) {
    const std::vector<std::string> t{Entry(1, "m-new"), Entry(2, "r-new")};
    auto b = SelectBacklog(t, 57);
    EXPECT_TRUE(b.reset);
    EXPECT_EQ(Ids(b.entries), (std::vector<std::string>{"m-new", "r-new"}));
    EXPECT_EQ(b.head, 2u);
}

TEST(SelectBacklog, EmptyTranscriptHasHeadZero) {
    auto b = SelectBacklog({}, 0);
    EXPECT_TRUE(b.entries.empty());
    EXPECT_EQ(b.head, 0u);
    EXPECT_FALSE(b.reset);
}

TEST(SelectBacklog, TrimmedTranscriptStillResumesByNumber) {
    // The list keeps the last 500: the oldest numbers are gone, the cursor still works.
    const std::vector<std::string> t{Entry(601, "a"), Entry(602, "b"), Entry(603, "c")};
    EXPECT_EQ(Ids(SelectBacklog(t, 602).entries), (std::vector<std::string>{"c"}));
    EXPECT_EQ(Ids(SelectBacklog(t, 10).entries).size(), 3u);
}

TEST(SelectBacklog, EntriesWithoutSeqAreSentOnlyForAFullHistory) {
    const std::vector<std::string> t{R"({"id":"legacy"})", Entry(1, "r-1")};
    EXPECT_EQ(Ids(SelectBacklog(t, 0).entries), (std::vector<std::string>{"legacy", "r-1"}));
    EXPECT_TRUE(SelectBacklog(t, 1).entries.empty());
}

TEST(Frames, AreJsonWithTheEntryInside) {
    auto m = json::parse(MessageFrame("c-\"1", Entry(3, "r-1")));
    EXPECT_EQ(m["type"], "message");
    EXPECT_EQ(m["conversation_id"], "c-\"1");
    EXPECT_EQ(m["message"]["seq"], 3);
    EXPECT_EQ(m["message"]["id"], "r-1");
    auto s = json::parse(SyncedFrame(12));
    EXPECT_EQ(s["type"], "synced");
    EXPECT_EQ(s["seq"], 12);
}

TEST(ResumeGate, WithoutResumeEveryPushPassesAtOnce) {
    ResumeGate g(/*hold=*/false);
    EXPECT_TRUE(g.open());
    EXPECT_EQ(g.OnLive(5, "p5"), std::vector<std::string>{"p5"});
    EXPECT_EQ(g.OnLive(0, "p?"), std::vector<std::string>{"p?"});
}

TEST(ResumeGate, HoldsPushesUntilTheBacklogIsSentThenDropsWhatTheBacklogHad) {
    ResumeGate g(/*hold=*/true);
    EXPECT_TRUE(g.OnLive(3, "p3").empty());  // appended before the read: also in the backlog
    EXPECT_TRUE(g.OnLive(4, "p4").empty());  // appended after the read: only live
    EXPECT_TRUE(g.OnLive(0, "p0").empty());  // unknown number: never dropped
    const auto sent = g.Open({"b2", "b3", "synced"}, /*head=*/3);
    EXPECT_EQ(sent, (std::vector<std::string>{"b2", "b3", "synced", "p4", "p0"}));
    // A slow push of an entry the backlog had still is a repeat; newer ones pass.
    EXPECT_TRUE(g.OnLive(3, "p3-late").empty());
    EXPECT_EQ(g.OnLive(5, "p5"), std::vector<std::string>{"p5"});
}

TEST(ResumeGate, NothingHeldMeansJustTheBacklog) {
    ResumeGate g(/*hold=*/true);
    EXPECT_EQ(g.Open({"synced"}, 0), std::vector<std::string>{"synced"});
    EXPECT_EQ(g.OnLive(1, "p1"), std::vector<std::string>{"p1"});
}

}  // namespace
}  // namespace switchboard::gateway_web
