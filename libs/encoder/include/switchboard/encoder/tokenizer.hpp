#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "switchboard/core/error.hpp"

namespace switchboard::encoder {

// BERT-uncased WordPiece tokenization, token for token what Hugging Face's fast BertTokenizer
// (the one sentence-transformers runs) produces:
//   1. normalize: drop control/format characters and U+FFFD, white space → ' ', pad CJK
//      ideographs with spaces, NFD and drop non-spacing marks (é → e, й → и, ё → е), lower-case;
//   2. split on white space and punctuation, each punctuation character a word of its own;
//   3. WordPiece: greedy longest match from the vocabulary, "##" marking continuations; a word
//      longer than 100 characters, or one that cannot be matched, becomes [UNK];
//   4. [CLS] pieces… [SEP], truncated to a maximum length.
// As in Hugging Face, the special tokens [PAD] [UNK] [CLS] [SEP] [MASK] written literally in the
// text (case-sensitive) are taken as those tokens, not as words.
// Invalid UTF-8 is not an error: each bad byte counts as U+FFFD and is dropped.
//
// Immutable after construction: all methods are thread-safe. Copyable and movable (it owns its
// vocabulary).
class WordPieceTokenizer {
public:
    // `tokens[i]` is the token with id i (the vocab.txt order). The vocabulary must hold [CLS],
    // [SEP] and [UNK]; an empty or duplicate token is an error.
    static Result<WordPieceTokenizer> FromVocab(std::vector<std::string> tokens);
    // vocab.txt: one token per line. Errors name the file (missing, unreadable, bad vocabulary).
    static Result<WordPieceTokenizer> LoadVocabFile(const std::string& path);

    // Token ids of `text`: [CLS], at most max_tokens - 2 word pieces, [SEP]. max_tokens >= 2.
    std::vector<std::int32_t> Encode(std::string_view text, std::size_t max_tokens) const;
    // The word pieces of `text` as strings, without [CLS]/[SEP] or truncation. For debugging.
    std::vector<std::string> Tokenize(std::string_view text) const;

    std::size_t vocab_size() const { return tokens_.size(); }
    const std::string& token(std::int32_t id) const { return tokens_.at(static_cast<std::size_t>(id)); }
    std::int32_t cls_id() const { return cls_; }
    std::int32_t sep_id() const { return sep_; }
    std::int32_t unk_id() const { return unk_; }

private:
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    using PieceMap = std::unordered_map<std::string, std::int32_t, StringHash, std::equal_to<>>;

    WordPieceTokenizer() = default;
    // Calls `on_piece(id)` for every word piece of `text` until it returns false.
    template <typename OnPiece>
    void ForEachPiece(std::string_view text, OnPiece&& on_piece) const;
    // Appends the pieces of one normalized word (UTF-8, `char_starts` = byte offset of each
    // character plus the end offset) to `out`.
    void SplitWord(std::string_view word, const std::vector<std::size_t>& char_starts,
                   std::vector<std::int32_t>& out) const;

    std::vector<std::string> tokens_;
    PieceMap word_starts_;                                        // pieces that begin a word
    PieceMap continuations_;                                      // "##x" pieces, stored as "x"
    std::vector<std::pair<std::string, std::int32_t>> specials_;  // matched in the raw text
    std::size_t max_piece_chars_ = 0;
    std::int32_t cls_ = -1;
    std::int32_t sep_ = -1;
    std::int32_t unk_ = -1;
};

}  // namespace switchboard::encoder
