#include "threading.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_thread_store.hpp"
#include "switchboard/core/ids.hpp"

namespace switchboard::gateway_email {
namespace {

using ::testing::ElementsAre;

TEST(Threading, ReplySubjectNeverDoublesRe) {
    EXPECT_EQ(ReplySubject("Password reset", "x"), "Re: Password reset");
    EXPECT_EQ(ReplySubject("Re: Password reset", "x"), "Re: Password reset");
    EXPECT_EQ(ReplySubject("RE: re: Re[2]: Password reset", "x"), "Re: Password reset");
    EXPECT_EQ(ReplySubject("AW: Ответ: Отв: Пароль", "x"), "Re: Пароль");
    EXPECT_EQ(ReplySubject("Fwd: invoice", "x"), "Re: Fwd: invoice");
    EXPECT_EQ(ReplySubject("  ", "Your request"), "Re: Your request");
    EXPECT_EQ(ReplySubject("Re:", "Your request"), "Re: Your request");
    EXPECT_EQ(ReplySubject("Regarding my order", "x"), "Re: Regarding my order");  // "Re" is a word here
    EXPECT_EQ(NormalizeSubject("Re: folded\r\n\tsubject"), "folded subject");
}

TEST(Threading, ConversationIdsAreValidDeterministicAndDistinct) {
    const std::string a = ConversationIdForRoot("CAF=abc123+XyZ@mail.gmail.com");
    EXPECT_TRUE(IsValidExternalId(a)) << a;
    EXPECT_EQ(a.rfind("em-", 0), 0u);
    EXPECT_EQ(a.size(), 23u);
    EXPECT_EQ(a, ConversationIdForRoot("CAF=abc123+XyZ@mail.gmail.com"));
    EXPECT_NE(a, ConversationIdForRoot("CAF=abc124+XyZ@mail.gmail.com"));
}

TEST(Threading, ReplyMessageIdIsDerivedFromTheReplyId) {
    const std::string id = ReplyMessageId("r-123", "example.com");
    EXPECT_EQ(id, ReplyMessageId("r-123", "example.com"));
    EXPECT_NE(id, ReplyMessageId("r-124", "example.com"));
    EXPECT_EQ(id.substr(id.size() - 12), "@example.com");
    EXPECT_EQ(id.find_first_of("<> \r\n"), std::string::npos);
}

TEST(Threading, ReplyReferencesAppendTheParentOnceAndTrimTheMiddle) {
    EXPECT_THAT(ReplyReferences({}, "a@x"), ElementsAre("a@x"));
    EXPECT_THAT(ReplyReferences({"r@x", "b@x"}, "c@x"), ElementsAre("r@x", "b@x", "c@x"));
    EXPECT_THAT(ReplyReferences({"r@x", "c@x"}, "c@x"), ElementsAre("r@x", "c@x"));
    std::vector<std::string> chain;
    for (int i = 0; i < 30; ++i) chain.push_back(std::to_string(i) + "@x");
    auto refs = ReplyReferences(chain, "p@x", 5);
    EXPECT_THAT(refs, ElementsAre("0@x", "27@x", "28@x", "29@x", "p@x"));
}

ParsedEmail Mail(std::string id, std::string from, std::string irt = "", std::vector<std::string> refs = {}) {
    ParsedEmail e;
    e.message_id = std::move(id);
    e.from_address = std::move(from);
    e.in_reply_to = std::move(irt);
    e.references = std::move(refs);
    return e;
}

ThreadState Owner(const std::string& customer) {
    ThreadState s;
    s.customer = customer;
    return s;
}

TEST(ResolveConversation, NewThreadIsDerivedFromItsRoot) {
    FakeThreadStore store;
    auto r = ResolveConversation(store, Mail("m1@c", "alice@c"));
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->new_thread);
    EXPECT_EQ(r->conversation_id, ConversationIdForRoot("m1@c"));
    // A reply in a thread we never saw (e.g. store wiped): the root of its References.
    auto r2 = ResolveConversation(store, Mail("m3@c", "alice@c", "m2@c", {"m1@c", "m2@c"}));
    EXPECT_EQ(r2->conversation_id, ConversationIdForRoot("m1@c"));
    auto r3 = ResolveConversation(store, Mail("m3@c", "alice@c", "m2@c"));
    EXPECT_EQ(r3->conversation_id, ConversationIdForRoot("m2@c"));
}

TEST(ResolveConversation, AReplyToOurMailJoinsItsConversation) {
    FakeThreadStore store;
    ASSERT_TRUE(store.RecordInbound("em-conv1", "m1@c", Owner("alice@c")).ok());
    ASSERT_TRUE(store.RememberSent("em-conv1", "sb.1@example.com").ok());
    auto r = ResolveConversation(store, Mail("m2@c", "Alice@C", "sb.1@example.com", {"m1@c", "sb.1@example.com"}));
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->new_thread);
    EXPECT_EQ(r->conversation_id, "em-conv1");
    // Only References (a client that dropped In-Reply-To): the most recent known id wins.
    ASSERT_TRUE(store.RecordInbound("em-other", "x@c", Owner("alice@c")).ok());
    auto r2 = ResolveConversation(store, Mail("m9@c", "alice@c", "", {"x@c", "sb.1@example.com"}));
    EXPECT_EQ(r2->conversation_id, "em-conv1");
}

TEST(ResolveConversation, ARedeliveryKeepsItsConversation) {
    FakeThreadStore store;
    ASSERT_TRUE(store.RecordInbound("em-first", "m1@c", Owner("alice@c")).ok());
    auto r = ResolveConversation(store, Mail("m1@c", "alice@c", "unrelated@c"));
    EXPECT_EQ(r->conversation_id, "em-first");
}

TEST(ResolveConversation, SomeoneElsesThreadIsNotJoined) {
    FakeThreadStore store;
    ASSERT_TRUE(store.RecordInbound("em-alice", "m1@c", Owner("alice@c")).ok());
    auto r = ResolveConversation(store, Mail("e1@evil", "eve@evil", "m1@c"));
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->new_thread);
    EXPECT_NE(r->conversation_id, "em-alice");
    EXPECT_TRUE(IsValidExternalId(r->conversation_id));
    EXPECT_EQ(r->conversation_id, ResolveConversation(store, Mail("e1@evil", "eve@evil", "m1@c"))->conversation_id);
}

TEST(ResolveConversation, StoreErrorsPropagate) {
    FakeThreadStore store;
    store.fail = true;
    auto r = ResolveConversation(store, Mail("m1@c", "alice@c"));
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().retryable);
}

}  // namespace
}  // namespace switchboard::gateway_email
