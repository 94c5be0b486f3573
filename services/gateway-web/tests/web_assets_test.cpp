#include "web_assets.hpp"

#include <gtest/gtest.h>

namespace switchboard::gateway_web {
namespace {

// The build embedded web/ whole: the files' first and last lines are there.
TEST(WebAssets, WidgetScriptIsEmbeddedWhole) {
    const std::string_view js = WidgetScript();
    EXPECT_EQ(js.substr(0, 2), "/*");
    EXPECT_NE(js.find("data-switchboard-url"), std::string_view::npos);
    EXPECT_NE(js.find("?after="), std::string_view::npos);
    EXPECT_NE(js.rfind("})();"), std::string_view::npos);
    EXPECT_EQ(js.find('\0'), std::string_view::npos);
}

TEST(WebAssets, DemoPageEmbedsTheWidget) {
    const std::string_view html = DemoPage();
    EXPECT_EQ(html.substr(0, 15), "<!doctype html>");
    EXPECT_NE(html.find("/widget.js"), std::string_view::npos);
    EXPECT_NE(html.find("</html>"), std::string_view::npos);
}

}  // namespace
}  // namespace switchboard::gateway_web
