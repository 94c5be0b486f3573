#include "model_dir.hpp"

#include <cstdlib>

namespace switchboard::encoder {

std::string ModelDir(const char* env_override, const char* name) {
    const auto env = [](const char* var) -> std::string {
        const char* v = std::getenv(var);  // NOLINT(concurrency-mt-unsafe): read-only use
        return v != nullptr ? v : "";
    };
    if (auto dir = env(env_override); !dir.empty()) return dir;
    std::string cache = env("SWITCHBOARD_CACHE_DIR");
    if (cache.empty()) {
        std::string base = env("XDG_CACHE_HOME");
        if (base.empty()) base = env("HOME") + "/.cache";
        cache = base + "/switchboard";
    }
    return cache + "/models/" + name;
}

}  // namespace switchboard::encoder
