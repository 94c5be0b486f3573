// Unit: operator tokens (no I/O).
#include "operator_token.hpp"

#include <gtest/gtest.h>

#include "switchboard/channel/secrets.hpp"

namespace switchboard::routing {
namespace {

using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";
const TimePoint kNow = TimePoint(std::chrono::seconds(1'700'000'000));

TEST(OperatorToken, MintedTokenVerifiesUntilItsExpiry) {
    const std::string token = MintOperatorToken(kSecret, OperatorId("alice"), kNow + 1h);
    EXPECT_EQ(token.rfind("alice.1700003600.", 0), 0u) << token;
    const auto check = VerifyOperatorToken(kSecret, token, kNow);
    ASSERT_TRUE(check.ok()) << TokenProblemName(check.problem);
    EXPECT_EQ(check.op.str(), "alice");
    EXPECT_EQ(check.expires_at, kNow + 1h);
    EXPECT_TRUE(VerifyOperatorToken(kSecret, token, kNow + 1h - 1s).ok());
}

TEST(OperatorToken, IsExpiredFromItsExpirySecondOn) {
    const std::string token = MintOperatorToken(kSecret, OperatorId("alice"), kNow + 10s);
    EXPECT_EQ(VerifyOperatorToken(kSecret, token, kNow + 10s).problem, TokenProblem::kExpired);
    EXPECT_EQ(VerifyOperatorToken(kSecret, token, kNow + 1h).problem, TokenProblem::kExpired);
}

TEST(OperatorToken, OperatorIdsWithDotsAndColonsAreSplitFromTheRight) {
    for (const std::string op : {"a.b.c", "team:support.eu-1", "1700000000", "x_y-z", "..."}) {
        const std::string token = MintOperatorToken(kSecret, OperatorId(op), kNow + 1h);
        const auto check = VerifyOperatorToken(kSecret, token, kNow);
        ASSERT_TRUE(check.ok()) << op << ": " << TokenProblemName(check.problem);
        EXPECT_EQ(check.op.str(), op);
    }
}

TEST(OperatorToken, TamperingBreaksTheSignature) {
    const std::string token = MintOperatorToken(kSecret, OperatorId("alice"), kNow + 1h);
    // Another operator with alice's signature.
    std::string other = token;
    other.replace(0, 5, "mallo");
    EXPECT_EQ(VerifyOperatorToken(kSecret, other, kNow).problem, TokenProblem::kBadSignature);
    // A later expiry with the old signature.
    std::string later = token;
    later.replace(6, 10, "1900000000");
    EXPECT_EQ(VerifyOperatorToken(kSecret, later, kNow).problem, TokenProblem::kBadSignature);
    // One flipped hex digit.
    std::string flipped = token;
    flipped.back() = flipped.back() == '0' ? '1' : '0';
    EXPECT_EQ(VerifyOperatorToken(kSecret, flipped, kNow).problem, TokenProblem::kBadSignature);
    // Another secret.
    EXPECT_EQ(VerifyOperatorToken("another secret of enough length", token, kNow).problem,
              TokenProblem::kBadSignature);
    // An id that moved a dot: "alice.x" + "1700003600" must not verify as "alice" + "x.1700003600".
    const std::string dotted = MintOperatorToken(kSecret, OperatorId("a.1"), kNow + 1h);
    EXPECT_TRUE(VerifyOperatorToken(kSecret, dotted, kNow).ok());
}

TEST(OperatorToken, ABadSignatureIsReportedEvenWhenExpired) {
    std::string token = MintOperatorToken(kSecret, OperatorId("alice"), kNow - 1h);
    EXPECT_EQ(VerifyOperatorToken(kSecret, token, kNow).problem, TokenProblem::kExpired);
    token.back() = token.back() == '0' ? '1' : '0';
    EXPECT_EQ(VerifyOperatorToken(kSecret, token, kNow).problem, TokenProblem::kBadSignature);
}

TEST(OperatorToken, MalformedTokensAreRefusedBeforeAnyHmac) {
    const std::string sig = channel::HmacSha256Hex(kSecret, "alice.1700003600");
    const std::string upper = [&] {
        std::string s = sig;
        for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return s;
    }();
    for (const std::string& bad : std::vector<std::string>{
             "",
             "alice",
             "alice.1700003600",
             ".1700003600." + sig,                          // empty operator
             "alice.." + sig,                               // empty expiry
             "alice.17000x3600." + sig,                     // non-digit expiry
             "alice.-1." + sig,                             // negative
             "alice.01700003600." + sig,                    // non-canonical
             "alice.1234567890123." + sig,                  // absurd expiry
             "alice.1700003600." + sig.substr(1),           // short signature
             "alice.1700003600." + sig + "0",               // long signature
             "alice.1700003600." + upper,                   // upper-case hex
             "al ice.1700003600." + sig,                    // invalid id character
             "alice/x.1700003600." + sig,                   // invalid id character
             std::string(129, 'a') + ".1700003600." + sig,  // id too long
             "alice.1700003600." + sig + "\n",
         }) {
        EXPECT_EQ(VerifyOperatorToken(kSecret, bad, kNow).problem, TokenProblem::kMalformed) << bad;
    }
    // The right signature over the right string verifies: the cases above fail on form only.
    EXPECT_TRUE(VerifyOperatorToken(kSecret, "alice.1700003600." + sig, kNow).ok());
}

TEST(OperatorToken, AnEmptySecretVerifiesNothing) {
    const std::string token = MintOperatorToken("", OperatorId("alice"), kNow + 1h);
    EXPECT_FALSE(VerifyOperatorToken("", token, kNow).ok());
}

TEST(OperatorToken, TtlParsing) {
    EXPECT_EQ(ParseTokenTtl("30d"), std::chrono::seconds(30 * 86400));
    EXPECT_EQ(ParseTokenTtl("12h"), std::chrono::seconds(12 * 3600));
    EXPECT_EQ(ParseTokenTtl("15m"), std::chrono::seconds(900));
    EXPECT_EQ(ParseTokenTtl("90s"), std::chrono::seconds(90));
    EXPECT_EQ(ParseTokenTtl("3600"), std::chrono::seconds(3600));
    EXPECT_EQ(ParseTokenTtl("3650d"), std::chrono::seconds(3650LL * 86400));
    for (const char* bad : {"", "d", "0d", "-1d", "1w", "1.5h", " 1h", "4000d", "99999999999"}) {
        EXPECT_FALSE(ParseTokenTtl(bad).has_value()) << bad;
    }
}

}  // namespace
}  // namespace switchboard::routing
