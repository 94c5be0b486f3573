#pragma once

#include <cstddef>
#include <cstdint>

// Character tables for BERT-uncased normalization, generated from Hugging Face tokenizers by
// tools/encoder/gen_unicode_tables.py (unicode_tables.cpp). Private to libs/encoder.
namespace switchboard::encoder::unicode {

// How BERT's normalizer and pre-tokenizer treat a code point.
enum class CharKind : std::uint8_t {
    kOther,    // part of a word
    kRemoved,  // control, format, private use, non-spacing mark, U+FFFD: dropped
    kSpace,    // white space: ends a word
    kCjk,      // CJK ideograph: a word on its own
    kPunct,    // punctuation (Unicode P* and ASCII symbols): a word on its own
};

// Runs sorted by `first`; a run lasts until the next one starts (the last to U+10FFFF).
struct KindRun {
    char32_t first;
    CharKind kind;
};
extern const KindRun kKindRuns[];
extern const std::size_t kKindRunCount;

// Code points that normalization rewrites (lower-casing, accent stripping), sorted by `from`;
// the result is kMappingPool[offset, offset + length). Hangul syllables are not listed: their
// decomposition into jamo is computed.
struct Mapping {
    char32_t from;
    std::uint16_t offset;
    std::uint8_t length;
};
extern const Mapping kMappings[];
extern const std::size_t kMappingCount;
extern const char32_t kMappingPool[];

}  // namespace switchboard::encoder::unicode
