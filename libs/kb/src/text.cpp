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

constexpr std::uint32_t kSkip = 0xFFFFFFFF;  // as DecodeUtf8 returns for an invalid byte

// Pasted text carries them inside words ("pass\u00ADword", "па\u200Bроль"), where they would
// split the word.
bool IsInvisible(std::uint32_t cp) {
    return cp == 0x00AD || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF;
}

bool IsCombiningMark(std::uint32_t cp) { return cp >= 0x0300 && cp <= 0x036F; }

// The letters NFC composes from a letter and a combining mark after it, for the scripts we serve
// (ё and й typed as е/и + a mark by some keyboards and macOS file names, Latin-1 accents). A
// table rather than ICU or glib: kb links no Unicode library, and these are the cases seen.
struct Composition {
    char32_t mark;
    std::u32string_view bases, composed;
};
constexpr std::array<Composition, 8> kCompositions = {{
    {U'\u0300', U"AEIOUaeiou", U"ÀÈÌÒÙàèìòù"},
    {U'\u0301', U"AEIOUYaeiouy", U"ÁÉÍÓÚÝáéíóúý"},
    {U'\u0302', U"AEIOUaeiou", U"ÂÊÎÔÛâêîôû"},
    {U'\u0303', U"ANOano", U"ÃÑÕãñõ"},
    {U'\u0306', U"ИиУу", U"ЙйЎў"},
    {U'\u0308', U"AEIOUaeiouyЕеІі", U"ÄËÏÖÜäëïöüÿЁёЇї"},
    {U'\u030A', U"Aa", U"Åå"},
    {U'\u0327', U"Cc", U"Çç"},
}};

std::uint32_t Compose(std::uint32_t base, std::uint32_t mark) {
    for (const auto& c : kCompositions) {
        if (c.mark != mark) continue;
        const auto at = c.bases.find(static_cast<char32_t>(base));
        return at == std::u32string_view::npos ? 0 : c.composed[at];
    }
    return 0;
}

// Decodes the code point at s[i], advancing i, as NFKC would leave it for what we serve: a
// fullwidth form (ｗｈｅｒｅ, as East Asian keyboards type) is its ASCII character, a letter with
// a combining mark after it that composes is the composed letter. kSkip for an invisible
// character or an invalid byte.
std::uint32_t DecodeCanonical(std::string_view s, std::size_t& i) {
    std::uint32_t cp = DecodeUtf8(s, i);
    if (IsInvisible(cp)) return kSkip;
    if (cp == 0x3000) return ' ';                    // ideographic space
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // fullwidth ASCII
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    // The mark after it, past invisible characters (lead bytes 0xC2, 0xE2, 0xEF), so that a second
    // pass composes nothing more. Every mark of kCompositions is in U+0300–U+033F, lead byte 0xCC.
    std::size_t j = i;
    while (j < s.size() && (byte(j) == 0xC2 || byte(j) == 0xE2 || byte(j) == 0xEF)) {
        std::size_t k = j;
        if (!IsInvisible(DecodeUtf8(s, k))) break;
        j = k;
    }
    if (j < s.size() && byte(j) == 0xCC) {
        if (const std::uint32_t composed = Compose(cp, DecodeUtf8(s, j)); composed != 0) {
            i = j;
            cp = composed;
        }
    }
    return cp;
}

bool IsCyrillic(std::uint32_t cp) { return cp >= 0x0400 && cp <= 0x04FF; }

// Lower case in the scripts we serve (Latin-1, Cyrillic); any other code point as it is.
std::uint32_t ToLower(std::uint32_t cp) {
    if (cp >= 'A' && cp <= 'Z') return cp + 32;
    if (cp < 0x80) return cp;
    if (cp >= 0x00C0 && cp <= 0x00DE && cp != 0x00D7) return cp + 32;  // Latin-1 upper
    if (cp >= 0x0410 && cp <= 0x042F) return cp + 0x20;                // А-Я
    if (cp >= 0x0400 && cp <= 0x040F) return cp + 0x50;                // Ѐ-Џ → ѐ-џ
    // Cyrillic beyond Russian (ґ, ғ, ң, ә…): upper case even, lower case the next one up.
    if (((cp >= 0x0460 && cp <= 0x0481) || (cp >= 0x048A && cp <= 0x04BF) ||
         (cp >= 0x04D0 && cp <= 0x04FF)) &&
        cp % 2 == 0) {
        return cp + 1;
    }
    return cp;
}

// Lower-case folding for the scripts we serve; 0 means "not a word character".
std::uint32_t Fold(std::uint32_t cp) {
    cp = ToLower(cp);
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) return cp;
    if (cp == 0x0451) return 0x0435;  // ё → е
    if (cp >= 0x0430 && cp <= 0x045F) return cp;
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

bool StartsWithAny(std::string_view word, std::initializer_list<std::string_view> stems) {
    return std::any_of(stems.begin(), stems.end(),
                       [&](std::string_view s) { return word.substr(0, s.size()) == s; });
}

template <std::size_t N>
bool IsOneOf(std::string_view word, const std::array<std::string_view, N>& list) {
    return std::find(list.begin(), list.end(), word) != list.end();
}

// What a word of a message names, for WantsAPerson: bits, so that a verb can say which it takes.
constexpr unsigned kStaff = 1;  // support's people by their names: operator, agent, human, оператор…
constexpr unsigned kPerson = 2;  // anyone's too: manager, person, сотрудник, человек ("my manager")
constexpr unsigned kSomeone = 4;  // someone: to talk or be put through to, not "get someone to check my car"
constexpr unsigned kTeam = 8;     // support, customer service, поддержка: to be put through to

unsigned Names(const std::vector<std::string>& words, std::size_t i) {
    const std::string& w = words[i];
    const std::string_view next = i + 1 < words.size() ? std::string_view(words[i + 1]) : "";
    if (StartsWithAny(w, {"human", "operator", "agent", "representative", "оператор", "аператор",
                          "консультант", "специалист"})) {
        return kStaff;
    }
    if (StartsWithAny(w, {"manager", "supervisor", "менеджер", "сотрудник", "человек"}) || w == "person" ||
        w == "persons" || w == "people" || w == "люди" || w == "людей" || w == "людьми") {
        return kPerson;
    }
    if (w == "someone" || w == "somebody" || w == "anyone" || w == "anybody" ||
        ((w == "кем" || w == "кого") && (next == "то" || next == "нибудь" || next == "либо"))) {
        return next == "real" || next == "live" ? kPerson : kSomeone;  // "someone real"
    }
    if (StartsWithAny(w, {"support", "staff", "helpdesk", "поддержк", "техподдержк", "саппорт"}) ||
        (w == "customer" &&
         (next == "service" || next == "services" || next == "support" || next == "care"))) {
        return kTeam;
    }
    return 0;
}

// A verb that asks for a person named right after it ("talk to a real person", "позовите
// оператора"), with the kinds of person it takes.
struct Verb {
    std::string_view stem;
    unsigned takes;
};
constexpr unsigned kAnyone = kStaff | kPerson | kSomeone | kTeam;
constexpr unsigned kFetch = kStaff | kPerson | kSomeone;
constexpr unsigned kHave = kStaff | kPerson;
constexpr std::array<Verb, 39> kVerbs = {{
    {"talk", kAnyone},     {"speak", kAnyone},   {"chat", kAnyone},    {"connect", kAnyone},
    {"transfer", kAnyone}, {"put", kAnyone},     {"escalat", kAnyone}, {"redirect", kAnyone},
    {"поговор", kAnyone},  {"пообщ", kAnyone},   {"побесед", kAnyone}, {"соедин", kAnyone},
    {"переключ", kAnyone}, {"перевед", kAnyone}, {"свяж", kAnyone},    {"связат", kAnyone},
    {"позов", kFetch},     {"позвать", kFetch},  {"вызов", kFetch},    {"вызва", kFetch},
    {"call", kHave},       {"contact", kHave},   {"reach", kHave},     {"write", kHave},
    {"напис", kHave},      {"напиш", kHave},     {"обрат", kHave},     {"want", kHave},
    {"need", kHave},       {"give", kHave},      {"get", kHave},       {"хочу", kHave},
    {"хотел", kHave},      {"нужен", kHave},     {"нужна", kHave},     {"нужно", kHave},
    {"дай", kHave},        {"давай", kHave},     {"пригласи", kStaff},
}};

// What may stand between such a verb and the person: "get me a live agent", "put me through to",
// "соедините меня с живым оператором". Not "my" ("give my manager access") nor another verb.
constexpr std::array<std::string_view, 59> kBetween = {
    "me",       "us",        "to",        "with",     "through",    "a",          "an",         "the",
    "real",     "live",      "actual",    "your",     "please",     "now",        "right",      "directly",
    "back",     "help",      "from",      "меня",     "мне",        "нас",        "нам",        "с",
    "со",       "на",        "к",         "ко",       "живым",      "живого",     "живому",     "живой",
    "живая",    "живую",     "живых",     "живыми",   "настоящим",  "настоящего", "настоящему", "настоящий",
    "реальным", "реального", "реальному", "реальный", "пожалуйста", "срочно",     "вашим",      "вашего",
    "вашему",   "вашей",     "ваш",       "вашу",     "хоть",       "сразу",      "уже",        "бы",
    "хотя",     "же",        "ли"};

// A message of a few words that names support's people and says nothing else: "human please",
// "живой человек", "аператор пожалуйста", "agent"; not "my insurance agent", "менеджер не видит".
constexpr std::array<std::string_view, 60> kOnlyAlongside = {
    "please", "pls",   "plz",    "a",        "an",     "the",         "real",       "live",       "actual",
    "now",    "asap",  "urgent", "urgently", "i",      "want",        "need",       "me",         "to",
    "with",   "can",   "could",  "may",      "just",   "talk",        "speak",      "get",        "give",
    "your",   "hi",    "hello",  "hey",      "ok",     "okay",        "пожалуйста", "плиз",       "пжл",
    "срочно", "живой", "живого", "живым",    "живая",  "живую",       "настоящий",  "настоящего", "реальный",
    "мне",    "меня",  "нужен",  "нужна",    "нужно",  "хочу",        "дайте",      "дай",        "позовите",
    "позови", "можно", "ну",     "эй",       "сейчас", "здравствуйте"};

// Owners: a person after one is not support's ("my travel agent", "нашего менеджера").
constexpr std::array<std::string_view, 36> kPossessives = {
    "my",     "our",    "his",    "her",    "their", "мой",   "моя",   "мое",   "моего",
    "моему",  "моим",   "мою",    "мои",    "моих",  "моей",  "наш",   "наша",  "наше",
    "нашего", "нашему", "нашим",  "нашу",   "наши",  "наших", "нашей", "его",   "ее",
    "их",     "свой",   "своего", "своему", "своим", "свою",  "свои",  "своих", "своей"};

// Whether normalized `words` ask for a person. A message that names one asks for one when it is
// short and says nothing else ("human please", "оператор"), when a verb of contact or wish takes
// the person ("can I talk to an agent", "get me a manager", "позовите оператора", "connect me to
// customer service"), or when the person is one to talk to ("is there a human I can talk to");
// not when the person is only its subject or someone's ("why are humans on earth", "my travel
// agent needs access", "how do I give my manager access", "менеджер не видит заметки") or it asks
// what the assistant is ("are you a human or a computer", "ты живой человек?").
bool WantsAPerson(const std::vector<std::string>& words) {
    std::vector<unsigned> named(words.size());
    for (std::size_t i = 0; i < words.size(); ++i) named[i] = Names(words, i);
    if (std::all_of(named.begin(), named.end(), [](unsigned n) { return n == 0; })) return false;
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
    constexpr unsigned kNamedPerson = kStaff | kPerson;
    if (words.size() <= 4) {
        bool person = false, only = true;
        for (std::size_t i = 0; i < words.size(); ++i) {
            person = person || (named[i] & kNamedPerson) != 0;
            only = only && ((named[i] & kNamedPerson) != 0 || IsOneOf(words[i], kOnlyAlongside));
        }
        if (person && only) return true;
    }
    for (std::size_t i = 0; i < words.size(); ++i) {
        for (const Verb& verb : kVerbs) {
            if (!StartsWithAny(words[i], {verb.stem})) continue;
            for (std::size_t j = i + 1; j < words.size() && j <= i + 5; ++j) {
                // Right after the verb, support is a noun's modifier: "chat support hours".
                if ((named[j] & verb.takes) != 0 && (named[j] != kTeam || j > i + 1)) return true;
                if (named[j] != 0 || !IsOneOf(words[j], kBetween)) break;
            }
        }
    }
    // A person to talk to: "is there a human I can talk to", "someone to speak with", "оператор, с
    // которым можно поговорить"; not "the operator didn't speak english", "my manager can talk".
    static constexpr std::array<std::string_view, 5> kTalk = {"talk", "speak", "chat", "поговорить",
                                                              "пообщаться"};
    static constexpr std::array<std::string_view, 7> kMay = {"can",   "could", "may",  "to",
                                                             "можно", "могу",  "смогу"};
    for (std::size_t i = 0; i < words.size(); ++i) {
        if ((named[i] & (kNamedPerson | kSomeone)) == 0) continue;
        if ((i >= 1 && IsOneOf(words[i - 1], kPossessives)) ||
            (i >= 2 && IsOneOf(words[i - 2], kPossessives))) {
            continue;
        }
        for (std::size_t j = i + 2; j < words.size() && j <= i + 5; ++j) {
            if (IsOneOf(words[j], kTalk) && IsOneOf(words[j - 1], kMay)) return true;
        }
    }
    return false;
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
        const std::uint32_t cp = DecodeCanonical(text, i);
        // A mark that composes with nothing of ours ("приве́т" with a stress mark) is no word break.
        if (cp == kSkip || IsCombiningMark(cp)) continue;
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

std::string FoldForEncoder(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::vector<char32_t> word;  // the word being read, lower-cased
    bool latin = false, cyrillic = false;
    const auto end_word = [&] {
        if (latin && cyrillic) UnmixScripts(word);
        for (char32_t c : word) AppendUtf8(out, c);
        word.clear();
        latin = cyrillic = false;
    };
    for (std::size_t i = 0; i < text.size();) {
        const std::uint32_t cp = DecodeCanonical(text, i);
        if (cp == kSkip) continue;
        const auto lower = static_cast<char32_t>(ToLower(cp));
        if (Fold(cp) == 0 && !IsCyrillic(cp) && !IsCombiningMark(cp)) {
            end_word();
            AppendUtf8(out, lower);
            continue;
        }
        latin = latin || (lower >= U'a' && lower <= U'z');
        cyrillic = cyrillic || IsCyrillic(lower);
        word.push_back(lower);
    }
    end_word();
    return out;
}

std::string EncoderText(std::string_view text) {
    // Letters by case over the whole message; per word, whether it mixes scripts or holds anything
    // beyond ASCII and Cyrillic (marks, fullwidth forms, invisible characters) for FoldForEncoder.
    int upper = 0, lower = 0;
    std::vector<std::pair<std::string_view, bool>> words;  // word, needs folding
    for (std::size_t start = 0; start <= text.size();) {
        const std::size_t end = std::min(text.find(' ', start), text.size());
        const std::string_view word = text.substr(start, end - start);
        bool latin = false, cyrillic = false, other = false;
        for (std::size_t i = 0; i < word.size();) {
            const std::uint32_t cp = DecodeUtf8(word, i);
            const std::uint32_t low = ToLower(cp);
            latin = latin || (low >= 'a' && low <= 'z');
            cyrillic = cyrillic || IsCyrillic(cp);
            other = other || (cp >= 0x80 && !IsCyrillic(cp));
            if (low != cp) ++upper;
            else if (Fold(cp) != 0 && !(cp >= '0' && cp <= '9')) ++lower;
        }
        words.emplace_back(word, (latin && cyrillic) || other);
        start = end + 1;
    }
    if (upper > lower) return FoldForEncoder(text);
    std::string out;
    out.reserve(text.size());
    for (std::size_t w = 0; w < words.size(); ++w) {
        if (w > 0) out += ' ';
        out += words[w].second ? FoldForEncoder(words[w].first) : std::string(words[w].first);
    }
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
    if (WantsAPerson(words)) return Intent::kHumanRequest;
    // Short messages only: in a long one the phrase is more likely part of a new question.
    if (words.size() <= 8) {
        // "Still" says the answer was tried ("still doesn't work"); a bare "doesn't work" may be a
        // new problem the knowledge base can answer.
        static constexpr std::array<std::string_view, 24> kNotHelpful = {
            " didn t help ", " did not help ", " doesn t help ", " does not help ", " not helpful ",
            " no help ", " wrong answer ", " not what i asked ", " useless ", " didn t work ",
            " still doesn t ", " still does not ", " still not ", " still broken ", " не помогло ",
            " не помог ", " не помогает ", " не то ", " бесполезно ", " не подходит ", " не сработало ",
            " все равно не ", " по прежнему не ", " все еще не "};
        for (auto phrase : kNotHelpful) {
            if (padded.find(phrase) != std::string::npos) return Intent::kNotHelpful;
        }
    }
    static constexpr std::array<std::string_view, 22> kGreetingWords = {
        "hi",     "hello",        "hey",        "good",   "morning", "afternoon",  "evening", "there",
        "привет", "здравствуйте", "здравствуй", "добрый", "доброе",  "день",       "утро",    "вечер",
        "hallo",  "hiya",         "greetings",  "yo",     "здрасте", "приветствую"};
    auto only = [&](const auto& vocab) {
        return std::all_of(words.begin(), words.end(),
                           [&](const std::string& w) { return IsOneOf(w, vocab); });
    };
    // Thanks, and only what comes with thanks ("ok thanks", "great, thank you so much", "спасибо,
    // помогло"): any other word, or a question mark, says something more ("thanks, but how do I
    // cancel my plan?", "thanks, is that all?").
    static constexpr std::array<std::string_view, 14> kThanksWords = {
        "thanks", "thank",   "thx", "thanx",    "thnx",      "tnx",   "ty",
        "tysm",   "спасибо", "спс", "спасибки", "благодарю", "мерси", "сенкс"};
    static constexpr std::array<std::string_view, 80> kWithThanks = {
        "you",        "u",          "so",        "very",    "much",     "a",       "lot",     "lots",
        "million",    "bunch",      "ok",        "okay",    "k",        "great",   "perfect", "cool",
        "nice",       "awesome",    "excellent", "good",    "super",    "got",     "it",      "that",
        "this",       "helped",     "helps",     "helpful", "help",     "works",   "worked",  "for",
        "the",        "your",       "all",       "really",  "again",    "alright", "fine",    "understood",
        "clear",      "oh",         "ah",        "wow",     "i",        "see",     "was",     "is",
        "s",          "yes",        "yeah",      "большое", "огромное", "вам",     "тебе",    "за",
        "помощь",     "помогло",    "помогли",   "помог",   "помогла",  "ясно",    "понятно", "хорошо",
        "ок",         "окей",       "отлично",   "супер",   "класс",    "круто",   "все",     "работает",
        "заработало", "получилось", "теперь",    "да",      "ага",      "now",     "bye",     "goodbye"};
    const auto thanks = [](const std::string& w) { return IsOneOf(w, kThanksWords); };
    if (words.size() <= 10 && text.find('?') == std::string_view::npos &&
        std::any_of(words.begin(), words.end(), thanks) &&
        std::all_of(words.begin(), words.end(),
                    [&](const std::string& w) { return thanks(w) || IsOneOf(w, kWithThanks); })) {
        return Intent::kThanks;
    }
    if (words.size() <= 4 && only(kGreetingWords)) return Intent::kGreeting;
    return Intent::kQuestion;
}

std::string PrimaryLanguage(std::string_view tag) {
    std::string out(tag.substr(0, std::min(tag.find_first_of("-_"), tag.size())));
    for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return out;
}

}  // namespace switchboard::kb
