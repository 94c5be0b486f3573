#include "router.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace switchboard::http::detail {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(PercentDecode, DecodesEscapesAndOptionallyPlus) {
    EXPECT_EQ(PercentDecode("a%20b%2Fc", false), "a b/c");
    EXPECT_EQ(PercentDecode("a+b", false), "a+b");
    EXPECT_EQ(PercentDecode("a+b", true), "a b");
    EXPECT_EQ(PercentDecode("%e2%82%AC", false), "\xe2\x82\xac");
}

TEST(PercentDecode, RejectsMalformedEscapes) {
    EXPECT_EQ(PercentDecode("%", false), std::nullopt);
    EXPECT_EQ(PercentDecode("abc%2", false), std::nullopt);
    EXPECT_EQ(PercentDecode("%zz", false), std::nullopt);
}

TEST(ParseQuery, DecodesPairsKeepsFirstOfRepeatedKeys) {
    auto query = ParseQuery("q=hello%20world&x=a+b&flag&q=second&&empty=");
    ASSERT_TRUE(query.has_value());
    EXPECT_THAT(*query, ElementsAre(Pair("empty", ""), Pair("flag", ""), Pair("q", "hello world"),
                                    Pair("x", "a b")));
    EXPECT_TRUE(ParseQuery("")->empty());
    EXPECT_EQ(ParseQuery("a=%G1"), std::nullopt);
}

TEST(SplitPath, DecodesEachSegmentSeparately) {
    EXPECT_THAT(*SplitPath("/v1/c%2F1/m"), ElementsAre("v1", "c/1", "m"));
    EXPECT_THAT(*SplitPath("/"), ElementsAre(""));
    EXPECT_THAT(*SplitPath("/a/"), ElementsAre("a", ""));
    EXPECT_EQ(SplitPath("relative"), std::nullopt);
    EXPECT_EQ(SplitPath("/bad%"), std::nullopt);
}

TEST(JsonEscape, EscapesQuotesBackslashesAndControlCharacters) {
    EXPECT_EQ(JsonEscape("a\"b\\c\nd\x01"), "a\\\"b\\\\c\\nd\\u0001");
    EXPECT_EQ(JsonEscape("caf\xc3\xa9"), "caf\xc3\xa9");
}

Handler Noop() {
    return [](Request, Respond) {};
}

TEST(Router, MatchesParamsAndPrefersLiteralSegments) {
    Router router;
    router.Add("GET", "/v1/conversations/{id}/messages", Noop());
    router.Add("GET", "/v1/conversations/{id}", Noop());
    router.Add("GET", "/v1/conversations/new", Noop());

    auto match = router.Find("GET", *SplitPath("/v1/conversations/c1/messages"), false);
    ASSERT_EQ(match.kind, Router::Match::Kind::kHandler);
    EXPECT_THAT(match.params, ElementsAre(Pair("id", "c1")));

    auto literal = router.Find("GET", *SplitPath("/v1/conversations/new"), false);
    ASSERT_EQ(literal.kind, Router::Match::Kind::kHandler);
    EXPECT_TRUE(literal.params.empty());

    // An empty segment does not satisfy a parameter.
    EXPECT_EQ(router.Find("GET", *SplitPath("/v1/conversations//messages"), false).kind,
              Router::Match::Kind::kNotFound);
}

TEST(Router, OtherMethodOnKnownPathIsMethodNotAllowedWithAllowList) {
    Router router;
    router.Add("GET", "/x/{id}", Noop());
    router.Add("PUT", "/x/{id}", Noop());
    auto match = router.Find("DELETE", *SplitPath("/x/1"), false);
    EXPECT_EQ(match.kind, Router::Match::Kind::kMethodNotAllowed);
    EXPECT_EQ(match.allow, "GET, PUT");
    EXPECT_EQ(router.Find("GET", *SplitPath("/y"), false).kind, Router::Match::Kind::kNotFound);
}

TEST(Router, WebSocketRoutesNeedAnUpgrade) {
    Router router;
    router.AddWebSocket("/ws/{room}", WebSocketHandlers{});
    auto upgrade = router.Find("GET", *SplitPath("/ws/lobby"), true);
    ASSERT_EQ(upgrade.kind, Router::Match::Kind::kWebSocket);
    EXPECT_THAT(upgrade.params, ElementsAre(Pair("room", "lobby")));
    EXPECT_EQ(router.Find("GET", *SplitPath("/ws/lobby"), false).kind, Router::Match::Kind::kUpgradeRequired);
}

TEST(Router, RejectsMalformedPatternsAndDuplicates) {
    Router router;
    EXPECT_THROW(router.Add("GET", "no-slash", Noop()), std::invalid_argument);
    EXPECT_THROW(router.Add("GET", "/a/{id", Noop()), std::invalid_argument);
    EXPECT_THROW(router.Add("GET", "/a/x{id}", Noop()), std::invalid_argument);
    EXPECT_THROW(router.Add("GET", "/a/{}", Noop()), std::invalid_argument);
    router.Add("GET", "/a/{id}", Noop());
    EXPECT_THROW(router.Add("GET", "/a/{id}", Noop()), std::invalid_argument);
}

TEST(Message, HeaderLookupIsCaseInsensitiveFirstMatch) {
    Request request;
    request.headers = {{"Content-Type", "text/plain"}, {"X-Trace", "1"}, {"x-trace", "2"}};
    EXPECT_EQ(request.Header("content-type"), "text/plain");
    EXPECT_EQ(request.Header("X-TRACE"), "1");
    EXPECT_EQ(request.Header("missing"), std::nullopt);
}

TEST(Message, JsonErrorEscapesItsFields) {
    auto response = Response::JsonError(400, "bad_request", "field \"name\" is missing");
    EXPECT_EQ(response.status, 400);
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_EQ(response.body, R"({"error":"bad_request","message":"field \"name\" is missing"})");
}

}  // namespace
}  // namespace switchboard::http::detail
