#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "safetensors.hpp"
#include "switchboard/core/error.hpp"

namespace switchboard::encoder {

// The hyper-parameters of a BERT encoder (config.json).
struct BertConfig {
    std::int64_t vocab_size = 30522;
    std::int64_t hidden = 384;
    std::int64_t layers = 6;
    std::int64_t heads = 12;
    std::int64_t intermediate = 1536;
    std::int64_t max_positions = 512;
    std::int64_t type_vocab = 2;
    float layer_norm_eps = 1e-12F;
    // How a sentence's token vectors become one (sentence-transformers' 1_Pooling/config.json):
    // their mean (all-MiniLM-L6-v2), or the [CLS] token's (bge-small-en-v1.5).
    enum class Pooling { kMean, kCls } pooling = Pooling::kMean;
};

// A BERT encoder's forward pass in float32 on the CPU (Eigen), followed by pooling and L2
// normalization: sentence-transformers' Transformer → Pooling → Normalize. Private to
// libs/encoder. Immutable after Load; Embed is thread-safe (its scratch memory is per thread).
class BertModel {
public:
    // Copies the weights out of `file`; errors name a missing tensor, a wrong shape or dtype.
    static Result<std::unique_ptr<BertModel>> Load(const SafetensorsFile& file, const BertConfig& config);
    ~BertModel();
    BertModel(const BertModel&) = delete;
    BertModel& operator=(const BertModel&) = delete;

    // One embedding of config().hidden floats per sequence, written row after row to `out`.
    // Preconditions: every sequence non-empty, at most max_positions long, ids < vocab_size.
    // Sequences are independent: batching changes nothing but speed.
    void Embed(std::span<const std::vector<std::int32_t>> sequences, float* out) const;

    const BertConfig& config() const { return config_; }

private:
    struct Weights;
    BertModel(const BertConfig& config, std::unique_ptr<Weights> weights);

    BertConfig config_;
    std::unique_ptr<Weights> weights_;
};

}  // namespace switchboard::encoder
