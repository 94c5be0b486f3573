#include "switchboard/encoder/tokenizer.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

#include "switchboard/core/utf8.hpp"
#include "unicode_tables.hpp"

namespace switchboard::encoder {
namespace {

using unicode::CharKind;

constexpr char32_t kReplacement = 0xFFFD;
// Hugging Face's WordPiece default: longer words are not split but become [UNK].
constexpr std::size_t kMaxWordChars = 100;

// Decodes one UTF-8 sequence at s[i], advancing i. A malformed sequence (bad lead byte,
// truncated, overlong, surrogate, > U+10FFFF) consumes one byte and yields U+FFFD.
char32_t NextCodePoint(std::string_view s, std::size_t& i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    std::size_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
        ++i;
        return kReplacement;
    }
    if (i + len > s.size()) {
        ++i;
        return kReplacement;
    }
    for (std::size_t k = 1; k < len; ++k) {
        const unsigned char b = byte(i + k);
        if ((b & 0xC0) != 0x80) {
            ++i;
            return kReplacement;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++i;
        return kReplacement;
    }
    i += len;
    return cp;
}

CharKind KindOf(char32_t cp) {
    if (cp < 0x80) {
        // The hot path: ASCII needs no table.
        if (cp >= 'a' && cp <= 'z') return CharKind::kOther;
        if (cp >= 'A' && cp <= 'Z') return CharKind::kOther;
        if (cp >= '0' && cp <= '9') return CharKind::kOther;
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') return CharKind::kSpace;
        if (cp < 0x20 || cp == 0x7F) return CharKind::kRemoved;
        return CharKind::kPunct;
    }
    const auto* end = unicode::kKindRuns + unicode::kKindRunCount;
    const auto* it = std::upper_bound(unicode::kKindRuns, end, cp,
                                      [](char32_t c, const unicode::KindRun& r) { return c < r.first; });
    return (it - 1)->kind;
}

// What normalization turns `cp` into (accents stripped, lower-cased): up to a few code points,
// written to `out`; returns how many.
std::size_t Normalized(char32_t cp, char32_t (&out)[8]) {
    if (cp < 0x80) {
        out[0] = (cp >= 'A' && cp <= 'Z') ? cp + ('a' - 'A') : cp;
        return 1;
    }
    constexpr char32_t kHangulFirst = 0xAC00;
    constexpr char32_t kHangulLast = 0xD7A3;
    if (cp >= kHangulFirst && cp <= kHangulLast) {  // canonical decomposition into jamo
        const char32_t s = cp - kHangulFirst;
        out[0] = 0x1100 + s / 588;
        out[1] = 0x1161 + (s % 588) / 28;
        const char32_t trail = s % 28;
        if (trail == 0) return 2;
        out[2] = 0x11A7 + trail;
        return 3;
    }
    const auto* end = unicode::kMappings + unicode::kMappingCount;
    const auto* it = std::lower_bound(unicode::kMappings, end, cp,
                                      [](const unicode::Mapping& m, char32_t c) { return m.from < c; });
    if (it == end || it->from != cp) {
        out[0] = cp;
        return 1;
    }
    const std::size_t n = std::min<std::size_t>(it->length, 8);
    std::copy_n(unicode::kMappingPool + it->offset, n, out);
    return n;
}

}  // namespace

Result<WordPieceTokenizer> WordPieceTokenizer::FromVocab(std::vector<std::string> tokens) {
    WordPieceTokenizer t;
    t.word_starts_.reserve(tokens.size());
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const std::string& tok = tokens[i];
        if (tok.empty()) return Error::Fatal("vocabulary: empty token at id " + std::to_string(i));
        const auto id = static_cast<std::int32_t>(i);
        const bool continuation = tok.size() > 2 && tok.starts_with("##");
        PieceMap& map = continuation ? t.continuations_ : t.word_starts_;
        std::string key = continuation ? tok.substr(2) : tok;
        std::size_t chars = 0;
        for (std::size_t k = 0; k < key.size(); NextCodePoint(key, k)) ++chars;
        t.max_piece_chars_ = std::max(t.max_piece_chars_, chars);
        if (!map.emplace(std::move(key), id).second) {
            return Error::Fatal("vocabulary: duplicate token \"" + tok + "\" at id " + std::to_string(i));
        }
    }
    const auto find = [&](std::string_view name) -> std::int32_t {
        const auto it = t.word_starts_.find(name);
        return it == t.word_starts_.end() ? -1 : it->second;
    };
    t.cls_ = find("[CLS]");
    t.sep_ = find("[SEP]");
    t.unk_ = find("[UNK]");
    for (const auto& [name, id] :
         {std::pair{"[CLS]", t.cls_}, std::pair{"[SEP]", t.sep_}, std::pair{"[UNK]", t.unk_}}) {
        if (id < 0) return Error::Fatal(std::string("vocabulary: no ") + name + " token");
    }
    for (const char* name : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
        if (const std::int32_t id = find(name); id >= 0) t.specials_.emplace_back(name, id);
    }
    t.tokens_ = std::move(tokens);
    return t;
}

Result<WordPieceTokenizer> WordPieceTokenizer::LoadVocabFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::Fatal("cannot open vocabulary " + path);
    std::vector<std::string> tokens;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        tokens.push_back(std::move(line));
    }
    if (in.bad()) return Error::Fatal("cannot read vocabulary " + path);
    auto r = FromVocab(std::move(tokens));
    if (!r) return Error::Fatal(path + ": " + r.error().message);
    return r;
}

void WordPieceTokenizer::SplitWord(std::string_view word, const std::vector<std::size_t>& char_starts,
                                   std::vector<std::int32_t>& out) const {
    const std::size_t chars = char_starts.size() - 1;
    if (chars > kMaxWordChars) {
        out.push_back(unk_);
        return;
    }
    const std::size_t first = out.size();
    std::size_t start = 0;
    while (start < chars) {
        const PieceMap& map = start == 0 ? word_starts_ : continuations_;
        std::size_t end = std::min(chars, start + max_piece_chars_);
        std::int32_t found = -1;
        for (; end > start; --end) {
            const auto it = map.find(word.substr(char_starts[start], char_starts[end] - char_starts[start]));
            if (it != map.end()) {
                found = it->second;
                break;
            }
        }
        if (found < 0) {  // one unmatchable part makes the whole word unknown
            out.resize(first);
            out.push_back(unk_);
            return;
        }
        out.push_back(found);
        start = end;
    }
}

template <typename OnPiece>
void WordPieceTokenizer::ForEachPiece(std::string_view text, OnPiece&& on_piece) const {
    std::string word;
    std::vector<std::size_t> char_starts;
    std::vector<std::int32_t> pieces;
    bool more = true;
    const auto flush = [&] {
        if (word.empty() || !more) return;
        char_starts.push_back(word.size());
        pieces.clear();
        SplitWord(word, char_starts, pieces);
        for (const std::int32_t id : pieces) {
            if (!(more = on_piece(id))) break;
        }
        word.clear();
        char_starts.clear();
    };
    const auto append = [&](char32_t cp) {
        char_starts.push_back(word.size());
        AppendUtf8(word, cp);
    };
    char32_t mapped[8];
    for (std::size_t i = 0; i < text.size() && more;) {
        if (text[i] == '[') {
            const auto special = std::find_if(specials_.begin(), specials_.end(), [&](const auto& sp) {
                return text.substr(i).starts_with(sp.first);
            });
            if (special != specials_.end()) {
                flush();
                if (more) more = on_piece(special->second);
                i += special->first.size();
                continue;
            }
        }
        const char32_t cp = NextCodePoint(text, i);
        switch (KindOf(cp)) {
            case CharKind::kRemoved:
                break;
            case CharKind::kSpace:
                flush();
                break;
            case CharKind::kCjk: {
                flush();
                const std::size_t n = Normalized(cp, mapped);
                for (std::size_t k = 0; k < n; ++k) append(mapped[k]);
                flush();
                break;
            }
            case CharKind::kOther:
            case CharKind::kPunct: {
                // Punctuation is judged after normalization, on what the character became.
                const std::size_t n = Normalized(cp, mapped);
                for (std::size_t k = 0; k < n; ++k) {
                    if (KindOf(mapped[k]) == CharKind::kPunct) {
                        flush();
                        append(mapped[k]);
                        flush();
                    } else {
                        append(mapped[k]);
                    }
                }
                break;
            }
        }
    }
    flush();
}

std::vector<std::int32_t> WordPieceTokenizer::Encode(std::string_view text, std::size_t max_tokens) const {
    const std::size_t budget = max_tokens > 2 ? max_tokens - 2 : 0;
    std::vector<std::int32_t> ids;
    ids.reserve(std::min<std::size_t>(budget, text.size() + 1) + 2);
    ids.push_back(cls_);
    if (budget > 0) {
        ForEachPiece(text, [&](std::int32_t id) {
            ids.push_back(id);
            return ids.size() - 1 < budget;
        });
    }
    ids.push_back(sep_);
    return ids;
}

std::vector<std::string> WordPieceTokenizer::Tokenize(std::string_view text) const {
    std::vector<std::string> out;
    ForEachPiece(text, [&](std::int32_t id) {
        out.push_back(tokens_[static_cast<std::size_t>(id)]);
        return true;
    });
    return out;
}

}  // namespace switchboard::encoder
