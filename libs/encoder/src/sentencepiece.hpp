#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "switchboard/core/error.hpp"

namespace switchboard::encoder {

// SentencePiece's unigram tokenizer, reading a `.model` file (a serialized ModelProto): the
// precompiled normalizer (nmt_nfkc charsmap: a darts-clone double-array trie plus replacement
// strings), whitespace handling (dummy prefix, U+2581 for spaces, extra spaces removed) and the
// Viterbi segmentation over the pieces' scores. Id for id what libsentencepiece's Encode gives.
//
// Our own, not Debian's libsentencepiece: that library carries its own copy of protobuf 3.14,
// which aborts at load time in a process linked with the system protobuf (every service).
// Immutable after Load: Encode is thread-safe.
class UnigramTokenizer {
public:
    static constexpr int kUnk = 0;

    static Result<UnigramTokenizer> Load(const std::string& path);
    // Parses the bytes of a .model file; `what` names it in errors.
    static Result<UnigramTokenizer> Parse(std::string_view model, const std::string& what);

    // The pieces' ids, without BOS/EOS. Text that normalizes to nothing gives {kUnk}.
    std::vector<int> Encode(std::string_view text) const;
    // The normalized text Encode segments ("▁hello▁world").
    std::string Normalize(std::string_view text) const;
    std::size_t size() const { return scores_.size(); }

private:
    // The normalized bytes of the longest charsmap key at text[pos...], and how many bytes it took.
    std::string_view NormalizePrefix(std::string_view text, std::size_t pos, std::size_t* consumed) const;

    std::vector<float> scores_;
    // Every piece (value: its id) and every proper prefix of one (value: -1), for the Viterbi walk.
    std::unordered_map<std::string, int> prefixes_;
    std::size_t max_piece_bytes_ = 0;
    float unk_score_ = 0;
    std::vector<std::uint32_t> units_;  // the double-array trie
    std::string normalized_;            // NUL-terminated replacement strings
};

}  // namespace switchboard::encoder
