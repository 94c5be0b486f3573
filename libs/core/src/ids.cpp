#include "switchboard/core/ids.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <random>

namespace switchboard {

std::string NewUuid() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uint64_t hi = rng();
    std::uint64_t lo = rng();
    hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
    lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
    std::array<char, 37> buf{};
    std::snprintf(buf.data(), buf.size(), "%08x-%04x-%04x-%04x-%012llx",
                  static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xFFFF),
                  static_cast<unsigned>(hi & 0xFFFF), static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
    return std::string(buf.data(), 36);
}

namespace {
// FNV-1a, 64-bit, with two different offsets for 128 bits. Not cryptographic: ids only need
// to be stable and practically collision-free for one conversation's messages.
std::uint64_t Fnv1a(std::string_view s, std::uint64_t basis) {
    std::uint64_t h = basis;
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}
}  // namespace

std::string DerivedId(std::string_view prefix, std::string_view input) {
    std::array<char, 33> buf{};
    std::snprintf(buf.data(), buf.size(), "%016llx%016llx",
                  static_cast<unsigned long long>(Fnv1a(input, 0xcbf29ce484222325ULL)),
                  static_cast<unsigned long long>(Fnv1a(input, 0x84222325cbf29ce4ULL)));
    std::string out(prefix);
    out.append(buf.data(), 32);
    return out;
}

bool IsValidExternalId(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok) return false;
    }
    return true;
}

}  // namespace switchboard
