#pragma once

// Shared by the fuzz targets: property checks that abort (so the driver, libFuzzer and ctest all
// see a crash and print the input) and small helpers to carve a fuzz input into parts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

// FUZZ_CHECK(cond, what): a documented property of the code under test. Failing it is a bug in
// that code (or in the target's reading of its contract), reported like a crash.
#define FUZZ_CHECK(cond, what)                                                                      \
    do {                                                                                            \
        if (!(cond)) {                                                                              \
            std::fprintf(stderr, "\n==fuzz== property violated at %s:%d: %s\n  (%s)\n", __FILE__,  \
                         __LINE__, what, #cond);                                                    \
            std::abort();                                                                           \
        }                                                                                           \
    } while (false)

namespace switchboard::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// The offset of the first byte that is not strict UTF-8 (no overlongs, no surrogates,
// <= U+10FFFF), or npos. Independent of the code under test.
inline size_t Utf8ErrorAt(std::string_view s) {
    size_t i = 0;
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    while (i < s.size()) {
        const unsigned char c = byte(i);
        size_t n = 0;
        uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        for (size_t k = 1; k <= n; ++k) {
            if (i + k >= s.size() || (byte(i + k) & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (byte(i + k) & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return i;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += n + 1;
    }
    return std::string_view::npos;
}

inline bool IsUtf8(std::string_view s) { return Utf8ErrorAt(s) == std::string_view::npos; }

// FUZZ_CHECK(IsUtf8(s)) that also shows where the bad byte is.
inline bool IsUtf8OrExplain(std::string_view s, const char* name) {
    const size_t at = Utf8ErrorAt(s);
    if (at == std::string_view::npos) return true;
    std::fprintf(stderr, "\n==fuzz== %s (%zu bytes) is not UTF-8 at byte %zu; bytes around it:", name, s.size(), at);
    const size_t from = at < 24 ? 0 : at - 24;
    for (size_t i = from; i < s.size() && i < at + 24; ++i)
        std::fprintf(stderr, "%s%02x", i == at ? " [" : " ", static_cast<unsigned char>(s[i]));
    std::fprintf(stderr, "\n");
    return false;
}

}  // namespace switchboard::fuzz
