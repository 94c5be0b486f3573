#pragma once

#include <string_view>

namespace switchboard::gateway_web {

// The files of services/gateway-web/web/, embedded at build time (web/embed.cmake generates
// the definitions), so the binary serves them without a path to find at run time.
std::string_view WidgetScript();  // web/widget.js, served at /widget.js
std::string_view DemoPage();      // web/index.html, served at /

}  // namespace switchboard::gateway_web
