// A service's YAML config file and SWITCHBOARD_* overrides → config::Load (libs/config). Load
// reads a path, so the input is written to a temporary file first. Load documents ConfigError as
// its only exception: anything else escaping (a YAML::Exception, std::out_of_range…) is a bug.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "fuzz_check.hpp"
#include "switchboard/config/config.hpp"

namespace {

const std::string& TempPath() {
    static const std::string path = [] {
        char name[] = "/tmp/switchboard-fuzz-config-XXXXXX";
        const int fd = mkstemp(name);
        FUZZ_CHECK(fd >= 0, "mkstemp for the config file");
        close(fd);
        return std::string(name);
    }();
    return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace config = switchboard::config;
    const auto in = switchboard::fuzz::AsText(data, size);
    // "<yaml>\0<env value>": the part after the first NUL overrides kafka.brokers and port.
    const auto nul = in.find('\0');
    const auto yaml = in.substr(0, nul);
    std::map<std::string, std::string> env;
    if (nul != std::string_view::npos) {
        const std::string value(in.substr(nul + 1));
        env[config::EnvName("kafka.brokers")] = value;
        env[config::EnvName("http.port")] = value;
        env[config::EnvName("debug")] = value;
        env[config::EnvName("ratio")] = value;
    }
    {
        std::ofstream out(TempPath(), std::ios::binary | std::ios::trunc);
        out.write(yaml.data(), static_cast<std::streamsize>(yaml.size()));
    }
    config::Schema schema;
    schema.String("kafka.brokers", "localhost:9092", "brokers")
        .RequiredString("service.name", "name")
        .Int("http.port", 8080, "port", 1, 65535)
        .Bool("debug", false, "debug")
        .Double("ratio", 0.5, "ratio");
    try {
        (void)config::Load(schema, TempPath(), env);
    } catch (const config::ConfigError&) {
        // The documented failure: a message for a human.
    }
    return 0;
}
