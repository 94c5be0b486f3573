#include "bert_model.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>
#include <string>
#include <unsupported/Eigen/SpecialFunctions>
#include <utility>

#include "linear.hpp"

namespace switchboard::encoder {
namespace {

using Index = Eigen::Index;
// Tokens are rows: each linear layer is one matrix product over every token of every sequence.
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;
using MatrixMap = Eigen::Map<Matrix>;

struct Layer {
    PackedLinear qkv;       // H → 3H: query (pre-scaled by 1/sqrt(head dim)), key, value
    PackedLinear attn_out;  // H → H
    RowVector attn_ln_g, attn_ln_b;
    PackedLinear ffn_in;   // H → I
    PackedLinear ffn_out;  // I → H
    RowVector ffn_ln_g, ffn_ln_b;
};

constexpr float kInvSqrt2 = 1.0F / std::numbers::sqrt2_v<float>;

// Scratch memory for one Embed call, kept per thread between calls while it is small.
constexpr std::size_t kKeepScratchFloats = std::size_t{2} << 20;  // 8 MiB

void LayerNormRows(MatrixMap x, const RowVector& gain, const RowVector& bias, float eps) {
    const auto n = static_cast<float>(x.cols());
    for (Index r = 0; r < x.rows(); ++r) {
        auto row = x.row(r).array();
        const float mean = row.sum() / n;
        row -= mean;
        const float inv_std = 1.0F / std::sqrt(row.square().sum() / n + eps);
        row = row * inv_std * gain.array() + bias.array();
    }
}

void Linear(const MatrixMap& x, const PackedLinear& layer, MatrixMap y) {
    assert(static_cast<std::size_t>(x.cols()) == layer.in() &&
           static_cast<std::size_t>(y.cols()) == layer.out());
    layer.Apply(x.data(), static_cast<std::size_t>(x.cols()), static_cast<std::size_t>(x.rows()), y.data(),
                static_cast<std::size_t>(y.cols()));
}

}  // namespace

struct BertModel::Weights {
    Matrix word;      // [vocab, H]
    Matrix position;  // [max_positions, H]
    RowVector token_type0;
    RowVector emb_ln_g, emb_ln_b;
    std::vector<Layer> layers;
};

BertModel::BertModel(const BertConfig& config, std::unique_ptr<Weights> weights)
    : config_(config), weights_(std::move(weights)) {}

BertModel::~BertModel() = default;

Result<std::unique_ptr<BertModel>> BertModel::Load(const SafetensorsFile& file, const BertConfig& c) {
    if (c.hidden <= 0 || c.heads <= 0 || c.hidden % c.heads != 0) {
        return Error::Fatal("config: hidden size " + std::to_string(c.hidden) + " is not a multiple of " +
                            std::to_string(c.heads) + " heads");
    }
    auto w = std::make_unique<Weights>();
    std::string error;
    const auto matrix = [&](const std::string& name, std::int64_t rows, std::int64_t cols) {
        Matrix m;
        if (!error.empty()) return m;
        auto r = file.Float32(name, {rows, cols});
        if (!r) {
            error = r.error().message;
            return m;
        }
        m = Eigen::Map<const Matrix>(r->data(), rows, cols);
        return m;
    };
    const auto vector = [&](const std::string& name, std::int64_t size) {
        RowVector v;
        if (!error.empty()) return v;
        auto r = file.Float32(name, {size});
        if (!r) {
            error = r.error().message;
            return v;
        }
        v = Eigen::Map<const RowVector>(r->data(), size);
        return v;
    };
    const std::int64_t h = c.hidden;
    w->word = matrix("embeddings.word_embeddings.weight", c.vocab_size, h);
    w->position = matrix("embeddings.position_embeddings.weight", c.max_positions, h);
    const Matrix token_types = matrix("embeddings.token_type_embeddings.weight", c.type_vocab, h);
    w->emb_ln_g = vector("embeddings.LayerNorm.weight", h);
    w->emb_ln_b = vector("embeddings.LayerNorm.bias", h);
    if (error.empty()) w->token_type0 = token_types.row(0);

    const float query_scale = 1.0F / std::sqrt(static_cast<float>(h / c.heads));
    for (std::int64_t i = 0; i < c.layers && error.empty(); ++i) {
        const std::string p = "encoder.layer." + std::to_string(i) + ".";
        Layer l;
        const Matrix q = matrix(p + "attention.self.query.weight", h, h);
        const Matrix k = matrix(p + "attention.self.key.weight", h, h);
        const Matrix v = matrix(p + "attention.self.value.weight", h, h);
        const RowVector qb = vector(p + "attention.self.query.bias", h);
        const RowVector kb = vector(p + "attention.self.key.bias", h);
        const RowVector vb = vector(p + "attention.self.value.bias", h);
        const Matrix attn_out_w = matrix(p + "attention.output.dense.weight", h, h);
        const RowVector attn_out_b = vector(p + "attention.output.dense.bias", h);
        l.attn_ln_g = vector(p + "attention.output.LayerNorm.weight", h);
        l.attn_ln_b = vector(p + "attention.output.LayerNorm.bias", h);
        const Matrix ffn_in_w = matrix(p + "intermediate.dense.weight", c.intermediate, h);
        const RowVector ffn_in_b = vector(p + "intermediate.dense.bias", c.intermediate);
        const Matrix ffn_out_w = matrix(p + "output.dense.weight", h, c.intermediate);
        const RowVector ffn_out_b = vector(p + "output.dense.bias", h);
        l.ffn_ln_g = vector(p + "output.LayerNorm.weight", h);
        l.ffn_ln_b = vector(p + "output.LayerNorm.bias", h);
        if (!error.empty()) break;
        // Scaling the query projection once here saves scaling every score matrix later.
        Matrix qkv_w(3 * h, h);
        qkv_w << q * query_scale, k, v;
        RowVector qkv_b(3 * h);
        qkv_b << qb * query_scale, kb, vb;
        const auto packed = [](const Matrix& wm, const RowVector& b) {
            return PackedLinear(wm.data(), b.data(), static_cast<std::size_t>(wm.rows()),
                                static_cast<std::size_t>(wm.cols()));
        };
        l.qkv = packed(qkv_w, qkv_b);
        l.attn_out = packed(attn_out_w, attn_out_b);
        l.ffn_in = packed(ffn_in_w, ffn_in_b);
        l.ffn_out = packed(ffn_out_w, ffn_out_b);
        w->layers.push_back(std::move(l));
    }
    if (!error.empty()) return Error::Fatal(error);
    return std::unique_ptr<BertModel>(new BertModel(c, std::move(w)));
}

void BertModel::Embed(std::span<const std::vector<std::int32_t>> sequences, float* out) const {
    const Index h = config_.hidden;
    const Index heads = config_.heads;
    const Index d = h / heads;
    const Index inter = config_.intermediate;
    Index tokens = 0;
    Index longest = 0;
    for (const auto& s : sequences) {
        assert(!s.empty() && static_cast<std::int64_t>(s.size()) <= config_.max_positions);
        tokens += static_cast<Index>(s.size());
        longest = std::max(longest, static_cast<Index>(s.size()));
    }
    if (tokens == 0) return;

    thread_local std::vector<float> scratch;
    const auto need = static_cast<std::size_t>(tokens * (h * 6 + inter) + longest * longest);
    if (scratch.size() < need) scratch.resize(need);
    float* next = scratch.data();
    const auto take = [&](Index rows, Index cols) {
        MatrixMap m(next, rows, cols);
        next += rows * cols;
        return m;
    };
    MatrixMap x = take(tokens, h);
    MatrixMap qkv = take(tokens, 3 * h);
    MatrixMap ctx = take(tokens, h);
    MatrixMap sum = take(tokens, h);
    MatrixMap ffn = take(tokens, inter);
    float* const scores_mem = next;

    const Weights& w = *weights_;
    Index row = 0;
    for (const auto& s : sequences) {
        for (std::size_t i = 0; i < s.size(); ++i, ++row) {
            x.row(row) = w.word.row(s[i]) + w.position.row(static_cast<Index>(i)) + w.token_type0;
        }
    }
    LayerNormRows(x, w.emb_ln_g, w.emb_ln_b, config_.layer_norm_eps);

    for (const Layer& l : w.layers) {
        Linear(x, l.qkv, qkv);
        Index offset = 0;
        for (const auto& s : sequences) {
            const auto n = static_cast<Index>(s.size());
            MatrixMap scores(scores_mem, n, n);
            for (Index head = 0; head < heads; ++head) {
                const auto q = qkv.block(offset, head * d, n, d);
                const auto k = qkv.block(offset, h + head * d, n, d);
                const auto v = qkv.block(offset, 2 * h + head * d, n, d);
                scores.noalias() = q * k.transpose();
                for (Index r = 0; r < n; ++r) {
                    auto sr = scores.row(r).array();
                    sr = (sr - sr.maxCoeff()).exp();
                    sr *= 1.0F / sr.sum();
                }
                ctx.block(offset, head * d, n, d).noalias() = scores * v;
            }
            offset += n;
        }
        Linear(ctx, l.attn_out, sum);
        x += sum;  // residual
        LayerNormRows(x, l.attn_ln_g, l.attn_ln_b, config_.layer_norm_eps);

        Linear(x, l.ffn_in, ffn);
        // Exact (erf) GELU, as BERT's "gelu".
        ffn.array() = 0.5F * ffn.array() * (1.0F + (ffn.array() * kInvSqrt2).erf());
        Linear(ffn, l.ffn_out, sum);
        x += sum;  // residual
        LayerNormRows(x, l.ffn_ln_g, l.ffn_ln_b, config_.layer_norm_eps);
    }

    row = 0;
    for (const auto& s : sequences) {
        const auto n = static_cast<Index>(s.size());
        Eigen::Map<RowVector> pooled(out, h);
        if (config_.pooling == BertConfig::Pooling::kCls) {
            pooled = x.row(row);
        } else {
            pooled = x.block(row, 0, n, h).colwise().sum() / static_cast<float>(n);
        }
        pooled /= std::max(pooled.norm(), 1e-12F);
        out += h;
        row += n;
    }
    if (scratch.size() > kKeepScratchFloats) scratch = {};
}

}  // namespace switchboard::encoder
