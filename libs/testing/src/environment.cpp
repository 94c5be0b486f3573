#include "switchboard/testing/environment.hpp"

#include <cstdlib>

#include "switchboard/core/ids.hpp"

namespace switchboard::testing {

namespace {
std::string Env(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return (v != nullptr && *v != '\0') ? v : fallback;
}
}  // namespace

std::string KafkaBrokers() { return Env("SWITCHBOARD_TEST_KAFKA", "127.0.0.1:19092"); }

std::string RedisHost() {
    const std::string addr = Env("SWITCHBOARD_TEST_REDIS", "127.0.0.1:16379");
    return addr.substr(0, addr.rfind(':'));
}

std::uint16_t RedisPort() {
    const std::string addr = Env("SWITCHBOARD_TEST_REDIS", "127.0.0.1:16379");
    return static_cast<std::uint16_t>(std::stoi(addr.substr(addr.rfind(':') + 1)));
}

std::string UniqueNamespace() { return "t" + NewUuid().substr(0, 8); }

}  // namespace switchboard::testing
