# gateway-email end to end: mail sent with swaks, replies received by the fake relay of
# services/gateway-email/tests.
switchboard_add_e2e(NAME email
  SOURCES email_test.cpp ${CMAKE_SOURCE_DIR}/services/gateway-email/tests/fake_relay.cpp
  DEPS gateway_email_lib switchboard::kb
  BINARIES gateway-email)
target_include_directories(e2e_email PRIVATE ${CMAKE_SOURCE_DIR}/services/gateway-email/tests)
