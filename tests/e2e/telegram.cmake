# gateway-telegram end to end: the core services, the gateway binary and a fake Bot API
# (services/gateway-telegram/tests/fake_bot_api.*, linked as its library).
switchboard_add_e2e(NAME telegram SOURCES telegram_test.cpp
  DEPS gateway_telegram_fake_bot_api switchboard::kb
  BINARIES gateway-telegram)
