#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/encoder/tokenizer.hpp"

namespace switchboard::encoder {

class BertModel;

struct EncoderOptions {
    // Longer texts are truncated to this many tokens, [CLS] and [SEP] included. sentence-
    // transformers uses 256 for this model; 128 is plenty for questions and costs less. At most
    // the model's max_position_embeddings (512).
    std::size_t max_tokens = 128;
};

// A BERT sentence encoder running in-process on the CPU, L2-normalized: the sentence-transformers
// model all-MiniLM-L6-v2 (6 layers, hidden 384, mean pooling) or bge-small-en-v1.5 (12 layers,
// hidden 384, [CLS] pooling) — the same vectors as sentence-transformers' up to float rounding
// (cosine > 0.9999). Similar texts get vectors with a high dot product (= cosine similarity).
//
// The model files come from tools/encoder/fetch-model (fetch-bge-model); nothing is downloaded
// at run time. Memory: about 90 (130) MB of weights, plus a few MB of scratch per thread that
// encodes.
//
// Thread-safety: immutable after Load; Encode and EncodeBatch may be called concurrently from
// any number of threads (scratch memory is per thread, nothing is shared and mutable).
class Encoder {
public:
    static constexpr std::size_t kDim = 384;  // all-MiniLM-L6-v2's; dim() is the loaded model's

    // Loads <model_dir>/config.json, vocab.txt and model.safetensors (and, when present,
    // 1_Pooling/config.json: mean or [CLS] pooling). Errors (not retryable) say
    // which file is missing or which tensor has the wrong shape or dtype, and point to
    // tools/encoder/fetch-model.
    static Result<std::unique_ptr<Encoder>> Load(const std::string& model_dir, EncoderOptions options = {});
    ~Encoder();
    Encoder(const Encoder&) = delete;
    Encoder& operator=(const Encoder&) = delete;

    // The L2-normalized embedding of `text` (dim() floats). Any input is accepted: empty text
    // encodes "[CLS] [SEP]", invalid UTF-8 bytes are dropped, long text is truncated.
    std::vector<float> Encode(std::string_view text) const;
    // Encode for each text, in order; faster per text than one call each (bigger matrix products).
    std::vector<std::vector<float>> EncodeBatch(std::span<const std::string> texts) const;

    std::size_t dim() const;
    std::size_t max_tokens() const { return options_.max_tokens; }
    const WordPieceTokenizer& tokenizer() const { return tokenizer_; }

private:
    Encoder(EncoderOptions options, WordPieceTokenizer tokenizer, std::unique_ptr<BertModel> model);

    EncoderOptions options_;
    WordPieceTokenizer tokenizer_;
    std::unique_ptr<BertModel> model_;
};

// Dot product of two embeddings of equal size; for Encoder output, their cosine similarity.
float Similarity(std::span<const float> a, std::span<const float> b);

// Where the model files are expected: $SWITCHBOARD_MODEL_DIR if set, else
// ${SWITCHBOARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard}/models/all-MiniLM-L6-v2,
// the default destination of tools/encoder/fetch-model.
std::string DefaultModelDir();
// The same for bge-small-en-v1.5 (BERT, 12 layers, [CLS] pooling; tools/encoder/fetch-bge-model):
// $SWITCHBOARD_BGE_MODEL_DIR, else .../switchboard/models/bge-small-en-v1.5.
std::string DefaultBgeModelDir();

}  // namespace switchboard::encoder
