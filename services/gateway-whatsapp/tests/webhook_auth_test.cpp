#include "webhook_auth.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

namespace switchboard::gateway_whatsapp {
namespace {

// printf '%s' "$BODY" | openssl dgst -sha256 -hmac 'test-app-secret'
constexpr const char* kBody = R"({"object":"whatsapp_business_account","entry":[]})";
constexpr const char* kSecret = "test-app-secret";
constexpr const char* kSignature = "sha256=c84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dc";

TEST(Signature, KnownVectorIsValid) {
    EXPECT_EQ(CheckSignature(kSignature, kBody, kSecret), SignatureCheck::kValid);
    // The vector of a published SDK: HMAC-SHA256("test", key "secret").
    EXPECT_EQ(CheckSignature("sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914",
                             "test", "secret"),
              SignatureCheck::kValid);
}

TEST(Signature, UpperCaseHexIsAccepted) {
    std::string upper = kSignature;
    std::transform(upper.begin() + 7, upper.end(), upper.begin() + 7,
                   [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
    EXPECT_EQ(CheckSignature(upper, kBody, kSecret), SignatureCheck::kValid);
}

TEST(Signature, AnyChangedByteOfTheBodyIsAMismatch) {
    std::string body = kBody;
    body.back() = ' ';
    EXPECT_EQ(CheckSignature(kSignature, body, kSecret), SignatureCheck::kMismatch);
    // Re-serialized JSON (what a framework's parsed body gives) is not the raw body.
    EXPECT_EQ(CheckSignature(kSignature, R"({"object": "whatsapp_business_account", "entry": []})", kSecret),
              SignatureCheck::kMismatch);
}

TEST(Signature, OtherSecretIsAMismatch) {
    EXPECT_EQ(CheckSignature(kSignature, kBody, "another-secret"), SignatureCheck::kMismatch);
}

TEST(Signature, MissingOrMalformedHeader) {
    EXPECT_EQ(CheckSignature(std::nullopt, kBody, kSecret), SignatureCheck::kMissing);
    EXPECT_EQ(CheckSignature("", kBody, kSecret), SignatureCheck::kMalformed);
    EXPECT_EQ(
        CheckSignature("c84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dc", kBody, kSecret),
        SignatureCheck::kMalformed);  // no "sha256=" prefix
    EXPECT_EQ(CheckSignature("sha1=c84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dc", kBody,
                             kSecret),
              SignatureCheck::kMalformed);
    EXPECT_EQ(CheckSignature("sha256=c84a394c", kBody, kSecret), SignatureCheck::kMalformed);
    EXPECT_EQ(CheckSignature("sha256=z84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dc", kBody,
                             kSecret),
              SignatureCheck::kMalformed);
}

std::map<std::string, std::string> Query(const std::string& mode, const std::string& token,
                                         const std::string& challenge) {
    return {{"hub.mode", mode}, {"hub.verify_token", token}, {"hub.challenge", challenge}};
}

TEST(Handshake, MatchingTokenEchoesTheChallenge) {
    auto c = VerifySubscription(Query("subscribe", "meatyhamhock", "1158201444"), "meatyhamhock");
    ASSERT_TRUE(c);
    EXPECT_EQ(*c, "1158201444");
}

TEST(Handshake, WrongTokenModeOrNoChallengeIsRefused) {
    EXPECT_FALSE(VerifySubscription(Query("subscribe", "wrong", "1158201444"), "meatyhamhock"));
    EXPECT_FALSE(VerifySubscription(Query("subscribe", "meatyhamhoc", "1158201444"), "meatyhamhock"));
    EXPECT_FALSE(VerifySubscription(Query("unsubscribe", "meatyhamhock", "1158201444"), "meatyhamhock"));
    EXPECT_FALSE(VerifySubscription(Query("subscribe", "meatyhamhock", ""), "meatyhamhock"));
    EXPECT_FALSE(VerifySubscription({}, "meatyhamhock"));
    // An unconfigured (empty) token accepts nobody, not even an empty one.
    EXPECT_FALSE(VerifySubscription(Query("subscribe", "", "1"), ""));
}

}  // namespace
}  // namespace switchboard::gateway_whatsapp
