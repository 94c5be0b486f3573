# gateway-whatsapp end to end: the service binaries on the real Kafka and Redis, WhatsApp webhooks
# signed like Meta's, replies caught by the fake Graph API of services/gateway-whatsapp/tests.
switchboard_add_e2e(NAME whatsapp
  SOURCES whatsapp_test.cpp
  DEPS gateway_whatsapp_fake_graph switchboard::channel switchboard::kb
  BINARIES gateway-whatsapp)
