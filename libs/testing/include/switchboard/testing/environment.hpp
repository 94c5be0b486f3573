#pragma once

#include <cstdint>
#include <string>

namespace switchboard::testing {

// Where the integration and e2e tiers find the real Kafka broker and Redis started by
// `tools/stack start` (or `tools/dev test`): SWITCHBOARD_TEST_KAFKA (default 127.0.0.1:19092)
// and SWITCHBOARD_TEST_REDIS (default 127.0.0.1:16379).
std::string KafkaBrokers();
std::string RedisHost();
std::uint16_t RedisPort();

// A fresh namespace ("t<8 hex>") so a test's topics, groups and Redis keys are its own.
// Its Kafka topics are deleted when the test binary's tests are done (a global test environment),
// unless `delete_topics_after_tests` is false (for a caller that deletes them itself, e.g. a stack
// of services that must stop before its topics go).
std::string UniqueNamespace(bool delete_topics_after_tests = true);

}  // namespace switchboard::testing
