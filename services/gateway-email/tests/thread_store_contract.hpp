#pragma once

// The ThreadStore contract, as a typed test suite run against FakeThreadStore (unit tier) and
// RedisThreadStore (integration tier): the fake is trusted because both pass it.
// A type parameter T provides `static std::unique_ptr<ThreadStore> Make()`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "thread_store.hpp"

namespace switchboard::gateway_email {

template <typename T>
class ThreadStoreContract : public ::testing::Test {
protected:
    std::unique_ptr<ThreadStore> store_ = T::Make();
};
TYPED_TEST_SUITE_P(ThreadStoreContract);

inline ThreadState SampleState(const std::string& last) {
    ThreadState s;
    s.customer = "alice@customer.test";
    s.customer_name = "Алиса";
    s.reply_to = "alice+reply@customer.test";
    s.subject = "Password reset";
    s.last_message_id = last;
    s.references = {"root@customer.test", "sb.1@example.com"};
    return s;
}

TYPED_TEST_P(ThreadStoreContract, UnknownIdsAndConversationsAreEmpty) {
    auto found = this->store_->FindConversation({"nobody@x", "nothing@y"});
    ASSERT_TRUE(found.ok()) << found.error().message;
    EXPECT_FALSE(found->has_value());
    auto none = this->store_->FindConversation({});
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value());
    auto state = this->store_->Get("em-none");
    ASSERT_TRUE(state.ok());
    EXPECT_FALSE(state->has_value());
}

TYPED_TEST_P(ThreadStoreContract, RecordInboundMapsTheIdAndStoresTheState) {
    auto rec = this->store_->RecordInbound("em-1", "m1@customer.test", SampleState("m1@customer.test"));
    ASSERT_TRUE(rec.ok()) << rec.error().message;
    EXPECT_TRUE(*rec);
    auto found = this->store_->FindConversation({"other@x", "m1@customer.test"});
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->value_or(""), "em-1");
    auto state = this->store_->Get("em-1");
    ASSERT_TRUE(state.ok());
    ASSERT_TRUE(state->has_value());
    const ThreadState& s = **state;
    EXPECT_EQ(s.customer, "alice@customer.test");
    EXPECT_EQ(s.customer_name, "Алиса");
    EXPECT_EQ(s.reply_to, "alice+reply@customer.test");
    EXPECT_EQ(s.subject, "Password reset");
    EXPECT_EQ(s.last_message_id, "m1@customer.test");
    EXPECT_THAT(s.references, ::testing::ElementsAre("root@customer.test", "sb.1@example.com"));
}

TYPED_TEST_P(ThreadStoreContract, ARepeatedIdDoesNotRollTheStateBack) {
    ASSERT_TRUE(this->store_->RecordInbound("em-2", "old@c", SampleState("old@c")).ok());
    ASSERT_TRUE(this->store_->RecordInbound("em-2", "new@c", SampleState("new@c")).ok());
    auto again = this->store_->RecordInbound("em-2", "old@c", SampleState("old@c"));
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(*again);
    EXPECT_EQ((*this->store_->Get("em-2"))->last_message_id, "new@c");
}

TYPED_TEST_P(ThreadStoreContract, SentIdsPointAtTheirConversation) {
    ASSERT_TRUE(this->store_->RememberSent("em-3", "sb.abc@example.com").ok());
    auto found = this->store_->FindConversation({"sb.abc@example.com"});
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->value_or(""), "em-3");
    // The first known id in the given order wins.
    ASSERT_TRUE(this->store_->RememberSent("em-4", "sb.def@example.com").ok());
    EXPECT_EQ(this->store_->FindConversation({"x@y", "sb.def@example.com", "sb.abc@example.com"})->value_or(""),
              "em-4");
}

REGISTER_TYPED_TEST_SUITE_P(ThreadStoreContract, UnknownIdsAndConversationsAreEmpty,
                            RecordInboundMapsTheIdAndStoresTheState, ARepeatedIdDoesNotRollTheStateBack,
                            SentIdsPointAtTheirConversation);

}  // namespace switchboard::gateway_email
