#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace switchboard::kb {

// Lower-cases Latin and Cyrillic (ё → е), turns everything that is not a letter or digit into a
// space. Invalid UTF-8 bytes are dropped.
std::string Normalize(std::string_view text);

// Normalized words, each reduced to its Snowball stem (English or Russian by the word's script).
// Thread-safe.
std::vector<std::string> StemmedTokens(std::string_view text);

// What a customer's message is, before any knowledge-base lookup.
enum class Intent {
    kQuestion,      // look it up
    kHumanRequest,  // "operator", "human please", "живой человек", …
    kGreeting,      // only a greeting ("hi", "здравствуйте")
    kThanks,        // only thanks ("thank you", "спасибо")
    kNotHelpful,    // a short complaint about the last answer ("that didn't help", "не помогло")
};
Intent ClassifyIntent(std::string_view text);

}  // namespace switchboard::kb
