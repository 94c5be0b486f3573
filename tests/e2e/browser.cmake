# e2e.browser: gateway-web's widget in headless Chromium (tests/browser, Playwright), with the
# core services; this binary plays the operator. Needs node, Debian's chromium and
# `npm ci --prefix tests/browser` (the test fails, naming that command, if it was not run).
switchboard_add_e2e(NAME browser SOURCES browser_test.cpp DEPS switchboard::kb BINARIES gateway-web)
target_compile_definitions(e2e_browser PRIVATE SWITCHBOARD_BROWSER_TEST_DIR="${CMAKE_SOURCE_DIR}/tests/browser")
