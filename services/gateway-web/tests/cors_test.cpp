#include "cors.hpp"

#include <gtest/gtest.h>

namespace switchboard::gateway_web {
namespace {

TEST(OriginPolicy, StarAllowsEveryOrigin) {
    OriginPolicy p("*");
    EXPECT_TRUE(p.any());
    EXPECT_EQ(p.AllowOriginHeader("https://shop.example"), "*");
    EXPECT_TRUE(p.AllowsSocketFrom("https://anything.example", "chat.example"));
}

TEST(OriginPolicy, AListAllowsOnlyItsOrigins) {
    OriginPolicy p(" https://shop.example/ , https://www.shop.example");
    EXPECT_FALSE(p.any());
    EXPECT_EQ(p.AllowOriginHeader("https://shop.example"), "https://shop.example");
    EXPECT_EQ(p.AllowOriginHeader("https://www.shop.example"), "https://www.shop.example");
    EXPECT_EQ(p.AllowOriginHeader("https://evil.example"), std::nullopt);
    EXPECT_EQ(p.AllowOriginHeader("http://shop.example"), std::nullopt);
    EXPECT_TRUE(p.AllowsSocketFrom("https://shop.example", "chat.example"));
    EXPECT_FALSE(p.AllowsSocketFrom("https://evil.example", "chat.example"));
}

TEST(OriginPolicy, SocketsFromTheGatewaysOwnPagesAndFromNonBrowsersAreAllowed) {
    OriginPolicy p("https://shop.example");
    EXPECT_TRUE(p.AllowsSocketFrom("http://127.0.0.1:8080", "127.0.0.1:8080"));
    EXPECT_FALSE(p.AllowsSocketFrom("http://127.0.0.1:9090", "127.0.0.1:8080"));
    EXPECT_TRUE(p.AllowsSocketFrom("", "127.0.0.1:8080"));
    EXPECT_FALSE(p.AllowsSocketFrom("null", ""));
}

TEST(OriginPolicy, EmptyAllowsNoCrossOriginSite) {
    OriginPolicy p("");
    EXPECT_EQ(p.AllowOriginHeader("https://shop.example"), std::nullopt);
    EXPECT_TRUE(p.AllowsSocketFrom("https://chat.example", "chat.example"));
}

}  // namespace
}  // namespace switchboard::gateway_web
