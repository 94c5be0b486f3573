#include "sentencepiece.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace switchboard::encoder {

namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581, what a space becomes
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD, for a malformed UTF-8 byte

// A minimal protobuf wire-format reader: just what ModelProto needs.
class Wire {
public:
    explicit Wire(std::string_view data) : data_(data) {}
    bool done() const { return pos_ >= data_.size(); }
    bool ok() const { return ok_; }

    // The next field: its number, wire type, and (for length-delimited or fixed32) its bytes.
    bool Next(std::uint32_t* field, std::uint32_t* type, std::string_view* bytes, std::uint64_t* varint) {
        std::uint64_t tag = 0;
        if (!Varint(&tag)) return false;
        *field = static_cast<std::uint32_t>(tag >> 3);
        *type = static_cast<std::uint32_t>(tag & 7);
        switch (*type) {
            case 0:
                return Varint(varint);
            case 1:
                return Skip(8, bytes);
            case 2: {
                std::uint64_t len = 0;
                if (!Varint(&len)) return false;
                return Skip(len, bytes);
            }
            case 5:
                return Skip(4, bytes);
            default:
                return ok_ = false;
        }
    }

private:
    bool Varint(std::uint64_t* out) {
        *out = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos_ >= data_.size()) return ok_ = false;
            const auto b = static_cast<unsigned char>(data_[pos_++]);
            *out |= static_cast<std::uint64_t>(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return true;
        }
        return ok_ = false;
    }
    bool Skip(std::uint64_t n, std::string_view* bytes) {
        if (n > data_.size() - pos_) return ok_ = false;
        *bytes = data_.substr(pos_, n);
        pos_ += n;
        return true;
    }

    std::string_view data_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

std::uint32_t Offset(std::uint32_t unit) { return (unit >> 10) << ((unit & 0x200) >> 6); }

// Length of the well-formed UTF-8 sequence at s[pos], or 0 if malformed.
std::size_t Utf8Length(std::string_view s, std::size_t pos) {
    const auto first = static_cast<unsigned char>(s[pos]);
    std::size_t len = first < 0x80 ? 1 : (first >> 5) == 0x6 ? 2 : (first >> 4) == 0xE ? 3 : (first >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || pos + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        if ((static_cast<unsigned char>(s[pos + k]) & 0xC0) != 0x80) return 0;
    }
    return len;
}

}  // namespace

Result<UnigramTokenizer> UnigramTokenizer::Load(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return Error::Fatal("cannot read " + path);
    std::stringstream buf;
    buf << f.rdbuf();
    return Parse(buf.str(), path);
}

Result<UnigramTokenizer> UnigramTokenizer::Parse(std::string_view model, const std::string& what) {
    UnigramTokenizer t;
    std::string_view charsmap;
    Wire top(model);
    std::uint32_t field = 0, type = 0;
    std::string_view bytes;
    std::uint64_t varint = 0;
    std::vector<std::pair<std::string, int>> pieces;  // text, type
    while (!top.done() && top.Next(&field, &type, &bytes, &varint)) {
        if (field == 1 && type == 2) {  // ModelProto.pieces: {piece = 1, score = 2, type = 3}
            Wire p(bytes);
            std::string piece;
            float score = 0;
            int piece_type = 1;  // NORMAL
            while (!p.done() && p.Next(&field, &type, &bytes, &varint)) {
                if (field == 1 && type == 2) piece.assign(bytes);
                if (field == 2 && type == 5) std::memcpy(&score, bytes.data(), 4);
                if (field == 3 && type == 0) piece_type = static_cast<int>(varint);
            }
            if (!p.ok()) return Error::Fatal(what + ": malformed piece " + std::to_string(pieces.size()));
            pieces.emplace_back(std::move(piece), piece_type);
            t.scores_.push_back(score);
        } else if (field == 3 && type == 2) {  // ModelProto.normalizer_spec: {precompiled_charsmap = 2}
            Wire n(bytes);
            while (!n.done() && n.Next(&field, &type, &bytes, &varint)) {
                if (field == 2 && type == 2) charsmap = bytes;
            }
            if (!n.ok()) return Error::Fatal(what + ": malformed normalizer_spec");
        }
    }
    if (!top.ok()) return Error::Fatal(what + ": not a SentencePiece model (malformed protobuf)");
    if (pieces.empty()) return Error::Fatal(what + ": no pieces (not a SentencePiece model?)");
    t.unk_score_ = *std::min_element(t.scores_.begin(), t.scores_.end()) - 10.0f;  // kUnkPenalty
    for (std::size_t id = 0; id < pieces.size(); ++id) {
        const auto& [piece, piece_type] = pieces[id];
        // Only normal and user-defined pieces are matched (not <unk>, <s>, </s>, unused, bytes).
        if ((piece_type != 1 && piece_type != 4) || piece.empty()) continue;
        for (std::size_t k = 1; k < piece.size(); ++k) t.prefixes_.emplace(piece.substr(0, k), -1);
        t.prefixes_[piece] = static_cast<int>(id);
        t.max_piece_bytes_ = std::max(t.max_piece_bytes_, piece.size());
    }
    if (!charsmap.empty()) {
        std::uint32_t trie_size = 0;
        if (charsmap.size() < 4) return Error::Fatal(what + ": truncated charsmap");
        std::memcpy(&trie_size, charsmap.data(), 4);
        if (trie_size % 4 != 0 || trie_size > charsmap.size() - 4 || trie_size == 0) {
            return Error::Fatal(what + ": malformed charsmap");
        }
        t.units_.resize(trie_size / 4);
        std::memcpy(t.units_.data(), charsmap.data() + 4, trie_size);
        t.normalized_.assign(charsmap.substr(4 + trie_size));
    }
    return t;
}

std::string_view UnigramTokenizer::NormalizePrefix(std::string_view text, std::size_t pos,
                                                   std::size_t* consumed) const {
    std::size_t best_len = 0;
    std::uint32_t best_value = 0;
    if (!units_.empty()) {
        std::uint32_t node = Offset(units_[0]);
        for (std::size_t i = pos; i < text.size(); ++i) {
            const auto c = static_cast<unsigned char>(text[i]);
            node ^= c;
            if (node >= units_.size()) break;
            const std::uint32_t unit = units_[node];
            if ((unit & 0x800000FF) != c) break;  // label mismatch
            node ^= Offset(unit);
            if (node >= units_.size()) break;
            if ((unit & 0x100) != 0) {  // has a leaf: a key ends here
                best_len = i + 1 - pos;
                best_value = units_[node] & 0x7FFFFFFF;
            }
        }
    }
    if (best_len == 0 || best_value >= normalized_.size()) {
        const std::size_t len = Utf8Length(text, pos);
        *consumed = len == 0 ? 1 : len;
        return len == 0 ? kReplacement : text.substr(pos, len);
    }
    *consumed = best_len;
    const char* start = normalized_.data() + best_value;
    return {start, ::strnlen(start, normalized_.size() - best_value)};
}

std::string UnigramTokenizer::Normalize(std::string_view text) const {
    std::size_t pos = 0, consumed = 0;
    while (pos < text.size()) {  // leading whitespace
        if (NormalizePrefix(text, pos, &consumed) != " ") break;
        pos += consumed;
    }
    std::string out;
    if (pos >= text.size()) return out;
    out += kSpace;  // the dummy prefix
    bool prev_space = true;
    while (pos < text.size()) {
        std::string_view p = NormalizePrefix(text, pos, &consumed);
        pos += consumed;
        if (prev_space) {
            while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
        }
        if (p.empty()) continue;
        for (const char c : p) {
            if (c == ' ') {
                out += kSpace;
            } else {
                out += c;
            }
        }
        prev_space = p.back() == ' ';
    }
    while (out.size() >= kSpace.size() && out.compare(out.size() - kSpace.size(), kSpace.size(), kSpace) == 0) {
        out.resize(out.size() - kSpace.size());
    }
    return out;
}

std::vector<int> UnigramTokenizer::Encode(std::string_view text) const {
    const std::string s = Normalize(text);
    if (s.empty()) return {kUnk};
    // Viterbi over code point boundaries: best[p] is the best score of a segmentation of s[0, p).
    const std::size_t n = s.size();
    std::vector<float> best(n + 1, -std::numeric_limits<float>::infinity());
    std::vector<std::size_t> start_of(n + 1, 0);
    std::vector<int> piece_of(n + 1, kUnk);
    best[0] = 0;
    std::string key;
    for (std::size_t i = 0; i < n; ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80 || best[i] == -std::numeric_limits<float>::infinity()) {
            continue;  // not a code point start, or unreachable
        }
        std::size_t first_len = Utf8Length(s, i);
        if (first_len == 0) first_len = 1;
        bool has_single = false;
        key.clear();
        for (std::size_t j = i; j < n && j - i < max_piece_bytes_; ++j) {
            key += s[j];
            const std::size_t end = j + 1;
            if (end < n && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) continue;  // mid code point
            auto it = prefixes_.find(key);
            if (it == prefixes_.end()) break;
            if (it->second < 0) continue;
            const float score = best[i] + scores_[static_cast<std::size_t>(it->second)];
            if (score > best[end]) {
                best[end] = score;
                start_of[end] = i;
                piece_of[end] = it->second;
            }
            if (end == i + first_len) has_single = true;
        }
        if (!has_single) {  // an unknown character: one UNK node
            const std::size_t end = i + first_len;
            const float score = best[i] + unk_score_;
            if (score > best[end]) {
                best[end] = score;
                start_of[end] = i;
                piece_of[end] = kUnk;
            }
        }
    }
    std::vector<int> ids;
    for (std::size_t p = n; p > 0; p = start_of[p]) {
        // A run of unknown characters is one UNK, as libsentencepiece merges them.
        if (piece_of[p] == kUnk && !ids.empty() && ids.back() == kUnk) continue;
        ids.push_back(piece_of[p]);
    }
    std::reverse(ids.begin(), ids.end());
    return ids;
}

}  // namespace switchboard::encoder
