#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace switchboard::kb {

// Lower-cases Latin and Cyrillic (ё → е), turns everything that is not a letter or digit into a
// space. Before that, as FoldForEncoder: letters are composed (е + U+0308 is ё), fullwidth forms
// folded (ｗｈｅｒｅ is where), invisible characters (soft hyphen U+00AD, U+200B–U+200D, U+2060,
// U+FEFF) and invalid UTF-8 bytes dropped; so is a combining mark that composes nothing. A word
// typed in two scripts takes its majority script's lookalikes ("пaроль" with a Latin a).
// Thread-safe.
std::string Normalize(std::string_view text);

// The text a sentence encoder should see: what the customer typed, with letters composed
// (е + U+0308 is ё, и + U+0306 is й; Latin-1 accents), fullwidth forms folded to ASCII (and the
// ideographic space to a space), the invisible characters Normalize drops dropped, Latin and
// Cyrillic lower-cased (ё stays ё), and a word typed in two scripts turned into its majority
// script as Normalize does; punctuation, emoji, spacing and line breaks stay as typed. Invalid
// UTF-8 bytes are dropped, so the result is valid UTF-8. ASCII text without capitals comes back
// byte for byte (an embedding cache is keyed by it), as does any text with nothing of the above
// to change; FoldForEncoder(FoldForEncoder(t)) == FoldForEncoder(t). Thread-safe.
std::string FoldForEncoder(std::string_view text);

// What a sentence encoder reads of a customer's `text`: a message typed in capitals ("КАК СБРОСИТЬ
// ПАРОЛЬ") in FoldForEncoder's form, as is any word typed in two scripts ("пaроль" with a Latin a)
// or with composing marks, fullwidth or invisible characters, so each means what its plain form
// does (USE is cased: capitals alone halved its similarity). Anything else stays as typed: the
// encoders read sentence case best — folding every message, or every word in capitals ("I",
// "PDF"), cost the demo knowledge base 2.5 points of in-scope accuracy + OOS recall on its
// validation cases. Thread-safe.
std::string EncoderText(std::string_view text);

// A language tag's primary subtag, lower-cased ("en-US", "EN", "ru_RU" → "en", "en", "ru"): what
// languages are matched by, so an article tagged "en-GB" answers a customer in "en".
std::string PrimaryLanguage(std::string_view tag);

// Normalized words, each reduced to its Snowball stem (English or Russian by the word's script).
// Thread-safe.
std::vector<std::string> StemmedTokens(std::string_view text);

// What a customer's message is, before any knowledge-base lookup.
enum class Intent {
    kQuestion,      // look it up
    kHumanRequest,  // "operator", "human please", "живой человек", …
    kGreeting,      // only a greeting ("hi", "здравствуйте")
    kThanks,        // thanks, alone or acknowledging ("ok thanks", "ясно, спасибо")
    kNotHelpful,    // a short complaint about the last answer ("that didn't help", "не помогло")
};
Intent ClassifyIntent(std::string_view text);

}  // namespace switchboard::kb
