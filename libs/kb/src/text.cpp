#include "switchboard/kb/text.hpp"

#include "switchboard/core/utf8.hpp"

#include <libstemmer.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>

namespace switchboard::kb {

namespace {

// Decodes one UTF-8 code point at s[i], advancing i. Returns 0xFFFFFFFF for an invalid sequence
// (one byte consumed).
std::uint32_t DecodeUtf8(std::string_view s, std::size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    auto cont = [&](std::size_t k) -> int {
        if (i + k >= s.size()) return -1;
        const auto b = static_cast<unsigned char>(s[i + k]);
        return (b & 0xC0) == 0x80 ? (b & 0x3F) : -1;
    };
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    int len = (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0) {
        ++i;
        return 0xFFFFFFFF;
    }
    std::uint32_t cp = b0 & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
        int c = cont(static_cast<std::size_t>(k));
        if (c < 0) {
            ++i;
            return 0xFFFFFFFF;
        }
        cp = (cp << 6) | static_cast<std::uint32_t>(c);
    }
    i += static_cast<std::size_t>(len);
    return cp;
}

bool IsCyrillic(std::uint32_t cp) { return cp >= 0x0400 && cp <= 0x04FF; }

// Lower-case folding for the scripts we serve; 0 means "not a word character".
std::uint32_t Fold(std::uint32_t cp) {
    if (cp >= 'A' && cp <= 'Z') return cp + 32;
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) return cp;
    if (cp >= 0x0410 && cp <= 0x042F) return cp + 0x20;  // А-Я
    if (cp >= 0x0400 && cp <= 0x040F) cp += 0x50;        // Ѐ-Џ → ѐ-џ
    if (cp == 0x0451) return 0x0435;                     // ё → е
    if (cp >= 0x0430 && cp <= 0x045F) return cp;
    if (cp >= 0x00C0 && cp <= 0x00DE && cp != 0x00D7) return cp + 32;  // Latin-1 upper
    if (cp >= 0x00DF && cp <= 0x00FF && cp != 0x00F7) return cp;
    return 0;
}

// libstemmer stemmers are not thread-safe: one per thread and language.
struct Stemmers {
    using Ptr = std::unique_ptr<sb_stemmer, decltype(&sb_stemmer_delete)>;
    Ptr english{sb_stemmer_new("english", "UTF_8"), &sb_stemmer_delete};
    Ptr russian{sb_stemmer_new("russian", "UTF_8"), &sb_stemmer_delete};
};

std::string Stem(const std::string& word, bool cyrillic) {
    thread_local Stemmers stemmers;
    sb_stemmer* st = cyrillic ? stemmers.russian.get() : stemmers.english.get();
    if (st == nullptr) return word;
    const sb_symbol* out =
        sb_stemmer_stem(st, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
    if (out == nullptr) return word;
    return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(sb_stemmer_length(st)));
}

bool ContainsAny(const std::vector<std::string>& words, std::initializer_list<std::string_view> stems) {
    return std::any_of(words.begin(), words.end(), [&](const std::string& w) {
        return std::any_of(stems.begin(), stems.end(), [&](std::string_view s) { return w.rfind(s, 0) == 0; });
    });
}

// The words of already normalized text (separated by spaces).
std::vector<std::string> SplitWords(const std::string& norm) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < norm.size()) {
        const auto start = norm.find_first_not_of(' ', pos);
        if (start == std::string::npos) break;
        const auto end = norm.find(' ', start);
        out.push_back(norm.substr(start, end == std::string::npos ? std::string::npos : end - start));
        pos = end == std::string::npos ? norm.size() : end;
    }
    return out;
}

std::vector<std::string> Words(std::string_view text) { return SplitWords(Normalize(text)); }

// Latin letters that look like Cyrillic ones, in lower case as Fold leaves them (the last four
// only in capitals, but a word typed in two scripts was likely typed in capitals there too).
constexpr std::array<std::pair<char32_t, char32_t>, 12> kLookalikes = {{
    {U'a', U'а'}, {U'c', U'с'}, {U'e', U'е'}, {U'o', U'о'}, {U'p', U'р'}, {U'x', U'х'},
    {U'y', U'у'}, {U'k', U'к'}, {U'm', U'м'}, {U't', U'т'}, {U'h', U'н'}, {U'b', U'в'},
}};

// A word typed in two scripts ("пaроль" with a Latin a, "pаssword" with a Cyrillic а): the letters
// of its minority script become their lookalikes in the majority one (Cyrillic on a tie), when
// every one of them has a lookalike; a word that really mixes scripts is left as it is.
void UnmixScripts(std::vector<char32_t>& word) {
    const auto latin = [](char32_t c) { return c >= U'a' && c <= U'z'; };
    const auto count_latin = std::count_if(word.begin(), word.end(), latin);
    const auto count_cyrillic = std::count_if(word.begin(), word.end(), [](char32_t c) { return IsCyrillic(c); });
    if (count_latin == 0 || count_cyrillic == 0) return;
    const bool to_cyrillic = count_cyrillic >= count_latin;
    const auto counterpart = [&](char32_t c) -> char32_t {
        for (const auto& [l, cy] : kLookalikes) {
            if (to_cyrillic ? c == l : c == cy) return to_cyrillic ? cy : l;
        }
        return 0;
    };
    const auto minority = [&](char32_t c) { return to_cyrillic ? latin(c) : IsCyrillic(c); };
    if (std::any_of(word.begin(), word.end(), [&](char32_t c) { return minority(c) && counterpart(c) == 0; })) {
        return;
    }
    for (char32_t& c : word) {
        if (minority(c)) c = counterpart(c);
    }
}

// Whether normalized `words` (`padded`: them joined, between spaces) ask for a person. A message that names one (an operator, an agent, a
// human, a real person, живой человек…) asks for one when it is short ("human please", "оператор")
// or says what to do with them ("can I talk to an agent", "позовите оператора"); not when the
// person is only its subject ("why are humans on earth", "my insurance agent's number") or it asks
// what the assistant is ("are you a human or a computer", "ты живой человек?").
bool WantsAPerson(const std::vector<std::string>& words, const std::string& padded) {
    const auto has = [&](std::initializer_list<std::string_view> phrases) {
        return std::any_of(phrases.begin(), phrases.end(),
                           [&](std::string_view p) { return padded.find(p) != std::string::npos; });
    };
    const bool person =
        ContainsAny(words, {"human", "operator", "agent", "manager", "representative", "supervisor",
                            "оператор", "аператор", "сотрудник", "менеджер", "консультант", "специалист"}) ||
        has({" real person", " live person", " actual person", " real people", " someone real",
             " to a person", " with a person", " person please", " talk to someone", " speak to someone",
             " speak with someone", " talk with someone", " talk to somebody", " speak to somebody",
             " человек"});
    if (!person) return false;
    // Asking what the assistant is ("are you a real person", "am I talking to a human", "ты живой?"):
    // answered like any question.
    static constexpr std::array<std::string_view, 10> kWhat = {
        "human", "humans", "real", "person", "bot", "robot", "machine", "computer", "ai", "actual"};
    static constexpr std::array<std::string_view, 5> kWhatStems = {"жив", "человек", "бот", "робот",
                                                                   "настоящ"};
    const auto what = [&](const std::string& word) {
        return std::find(kWhat.begin(), kWhat.end(), word) != kWhat.end() ||
               std::any_of(kWhatStems.begin(), kWhatStems.end(),
                           [&](std::string_view k) { return word.rfind(k, 0) == 0; });
    };
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        const std::string next = i + 1 < words.size() ? words[i + 1] : "";
        const bool asks = (w == "are" && next == "you") ||
                          (w == "you" && (next == "are" || next == "re" || next == "be")) ||
                          w == "yourself" || (w == "am" && next == "i") ||
                          (w == "is" && (next == "this" || next == "it")) || w == "ты" || w == "вы" ||
                          w == "это";
        if (!asks) continue;
        for (std::size_t j = i + 1; j < words.size() && j <= i + 5; ++j) {
            if (what(words[j])) return false;
        }
    }
    // Short, and not a question ("how many humans", "сколько человек"): a request.
    static constexpr std::array<std::string_view, 18> kQuestionWords = {
        "how",     "what", "why",    "who",   "where", "when", "which", "whose", "does",
        "сколько", "что",  "почему", "зачем", "кто",   "где",  "когда", "какой", "какие"};
    if (words.size() <= 4 &&
        std::find(kQuestionWords.begin(), kQuestionWords.end(), words.front()) == kQuestionWords.end()) {
        return true;
    }
    return ContainsAny(words, {"talk",  "speak", "chat",    "connect", "transfer", "put",     "get",
                               "want",  "need",  "give",    "call",    "contact",  "reach",   "escalat",
                               "let",   "позов", "позвать", "соедин",  "переключ", "перевед", "хочу",
                               "нужен", "нужна", "нужно",   "дайте",   "свяж",     "поговор", "пригласи"});
}

}  // namespace

std::string Normalize(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t word_start = 0;  // where the word being written begins in `out`
    bool in_word = false, latin = false, cyrillic = false;
    const auto end_word = [&] {
        // Rare, so only such a word is decoded again: one typed in two scripts.
        if (in_word && latin && cyrillic) {
            std::vector<char32_t> word;
            for (std::size_t i = word_start; i < out.size();) word.push_back(static_cast<char32_t>(DecodeUtf8(out, i)));
            UnmixScripts(word);
            out.resize(word_start);
            for (char32_t c : word) AppendUtf8(out, c);
        }
        in_word = latin = cyrillic = false;
    };
    for (std::size_t i = 0; i < text.size();) {
        const std::uint32_t cp = DecodeUtf8(text, i);
        if (cp == 0xFFFFFFFF) continue;
        const std::uint32_t f = Fold(cp);
        if (f == 0) {
            end_word();
            continue;
        }
        if (!in_word) {
            if (!out.empty()) out.push_back(' ');
            word_start = out.size();
            in_word = true;
        }
        latin = latin || (f >= 'a' && f <= 'z');
        cyrillic = cyrillic || IsCyrillic(f);
        AppendUtf8(out, static_cast<char32_t>(f));
    }
    end_word();
    return out;
}

std::vector<std::string> StemmedTokens(std::string_view text) {
    std::vector<std::string> out;
    for (auto& w : Words(text)) {
        std::size_t i = 0;
        const bool cyrillic = IsCyrillic(DecodeUtf8(w, i));
        out.push_back(Stem(w, cyrillic));
    }
    return out;
}

Intent ClassifyIntent(std::string_view text) {
    // The normalized text between spaces, for phrases; and its words.
    const std::string padded = " " + Normalize(text) + " ";
    const auto words = SplitWords(padded);
    if (words.empty()) return Intent::kGreeting;
    // A wish for a person wins over everything else in the message.
    if (WantsAPerson(words, padded)) return Intent::kHumanRequest;
    // Short messages only: in a long one the phrase is more likely part of a new question.
    if (words.size() <= 8) {
        static constexpr std::array<std::string_view, 17> kNotHelpful = {
            " didn t help ", " did not help ", " doesn t help ", " does not help ", " not helpful ",
            " no help ", " wrong answer ", " not what i asked ", " useless ", " didn t work ", " не помогло ",
            " не помог ", " не помогает ", " не то ", " бесполезно ", " не подходит ", " не сработало "};
        for (auto phrase : kNotHelpful) {
            if (padded.find(phrase) != std::string::npos) return Intent::kNotHelpful;
        }
    }
    static constexpr std::array<std::string_view, 22> kGreetingWords = {
        "hi", "hello", "hey", "good", "morning", "afternoon", "evening", "there", "привет", "здравствуйте",
        "здравствуй", "добрый", "доброе", "день", "утро", "вечер", "hallo", "hiya", "greetings", "yo",
        "здрасте", "приветствую"};
    static constexpr std::array<std::string_view, 12> kThanksWords = {
        "thanks", "thank", "you", "thx", "ty", "much", "a", "lot", "спасибо", "благодарю", "большое", "огромное"};
    auto only = [&](const auto& vocab) {
        return std::all_of(words.begin(), words.end(), [&](const std::string& w) {
            return std::find(vocab.begin(), vocab.end(), w) != vocab.end();
        });
    };
    if (words.size() <= 4 && only(kThanksWords) &&
        ContainsAny(words, {"thank", "thx", "ty", "спасибо", "благодар"})) {
        return Intent::kThanks;
    }
    if (words.size() <= 4 && only(kGreetingWords)) return Intent::kGreeting;
    return Intent::kQuestion;
}

}  // namespace switchboard::kb
