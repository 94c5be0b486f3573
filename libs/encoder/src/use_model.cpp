#include "use_model.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

#include "linear.hpp"

namespace switchboard::encoder {
namespace {

using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;
using RowArrayMap = Eigen::Map<Eigen::Array<float, 1, Eigen::Dynamic>>;

// Zero rows between sentences in the convolution inputs: at least as many as any window reaches
// past either end of its sentence, so a window that leaves its sentence reads zeros — the
// per-sentence zero padding — and sentences of a batch never see each other.
constexpr std::size_t kPad = [] {
    std::size_t pad = 0;
    for (const auto& [n, left] : kUseBranches) {
        pad = std::max({pad, static_cast<std::size_t>(left), static_cast<std::size_t>(n - 1 - left)});
    }
    return pad;
}();

// numpy.py's _layernorm: over each row of `width` values, the row `stride` floats apart.
void LayerNormRows(float* x, std::size_t rows, std::size_t stride, const RowVector& gain,
                   const RowVector& bias, float eps) {
    const auto width = gain.size();
    const auto n = static_cast<float>(width);
    for (std::size_t r = 0; r < rows; ++r) {
        RowArrayMap row(x + r * stride, width);
        row -= row.sum() / n;
        const float inv_std = 1.0F / std::sqrt(row.square().sum() / n + eps);
        row = row * inv_std * gain.array() + bias.array();
    }
}

}  // namespace

struct UseModel::Weights {
    std::vector<std::uint8_t> table;  // [vocab, emb], 6-bit values
    std::vector<float> scale, lo;     // [chunks]
    PackedLinear proj;                // emb → 3·branch: the three branches' projections side by side
    RowVector proj_ln_g, proj_ln_b;   // [3·branch]
    std::array<PackedLinear, 3> conv1, conv2;  // n·branch → branch
    RowVector ln_g, ln_b;                      // [emb + 3·branch]
    PackedLinear cnn;                          // emb + 3·branch → out, bias added ×len separately
    RowVector cnn_b;
    PackedLinear d0_p1;  // out → 2·hidden: [d0 | p1]
    PackedLinear d1;     // hidden → hidden
    PackedLinear d2_p3;  // hidden → 2·out: [d2 | p3]
    PackedLinear d3;     // out → out
    float eps = 0;
};

UseModel::UseModel(const UseDims& dims, std::unique_ptr<Weights> weights)
    : dims_(dims), weights_(std::move(weights)) {}

UseModel::~UseModel() = default;

Result<std::unique_ptr<UseModel>> UseModel::Load(const SafetensorsFile& file, const UseDims& d) {
    if (d.chunks <= 0 || d.vocab <= 0 || d.vocab % d.chunks != 0 || d.emb <= 0 || d.branch <= 0 ||
        d.hidden <= 0 || d.out <= 0) {
        return Error::Fatal("UseModel: bad dimensions");
    }
    auto w = std::make_unique<Weights>();
    std::string error;
    const auto floats = [&](const std::string& name, const std::vector<std::int64_t>& shape) {
        std::vector<float> v;
        if (!error.empty()) return v;
        auto r = file.Float32(name, shape);
        if (r) {
            v = std::move(*r);
        } else {
            error = r.error().message;
        }
        return v;
    };
    const auto row = [&](const std::string& name, std::int64_t n) {
        const auto v = floats(name, {n});
        return v.empty() ? RowVector() : RowVector(Eigen::Map<const RowVector>(v.data(), n));
    };
    // numpy keeps weights [in, out] (y = x · W); PackedLinear wants [out, in]. Several matrices
    // with the same input are stacked along the output, in order.
    const auto linear = [&](std::initializer_list<std::string> names, std::int64_t in, std::int64_t out,
                            std::vector<float> bias = {}) {
        const auto ins = static_cast<std::size_t>(in);
        const auto outs = static_cast<std::size_t>(out);
        std::vector<float> stacked(names.size() * outs * ins);
        std::size_t first = 0;
        for (const auto& name : names) {
            const auto m = floats(name, {in, out});
            if (m.empty()) return PackedLinear();
            for (std::size_t k = 0; k < ins; ++k) {
                for (std::size_t o = 0; o < outs; ++o) stacked[(first + o) * ins + k] = m[k * outs + o];
            }
            first += outs;
        }
        bias.resize(first, 0.0F);
        return PackedLinear(stacked.data(), bias.data(), first, ins);
    };
    const auto concat = [&](const std::string& prefix, std::int64_t n) {
        std::vector<float> all;
        for (const auto& [order, left] : kUseBranches) {
            const auto v = floats(prefix + std::to_string(order), {n});
            all.insert(all.end(), v.begin(), v.end());
        }
        return all;
    };

    if (auto table = file.Uint8("table", {d.vocab, d.emb}); table) {
        w->table = std::move(*table);
    } else {
        return table.error();
    }
    w->scale = floats("scale", {d.chunks});
    w->lo = floats("lo", {d.chunks});
    w->proj = linear({"proj2", "proj3", "proj5"}, d.emb, d.branch, concat("proj_b", d.branch));
    const auto proj_ln_g = concat("ln_g", d.branch);
    const auto proj_ln_b = concat("ln_b", d.branch);
    if (error.empty()) {
        w->proj_ln_g = Eigen::Map<const RowVector>(proj_ln_g.data(), 3 * d.branch);
        w->proj_ln_b = Eigen::Map<const RowVector>(proj_ln_b.data(), 3 * d.branch);
    }
    for (std::size_t i = 0; i < kUseBranches.size(); ++i) {
        const auto n = std::to_string(kUseBranches[i][0]);
        const std::int64_t in = kUseBranches[i][0] * d.branch;
        w->conv1[i] = linear({"w1_" + n}, in, d.branch, floats("b1_" + n, {d.branch}));
        w->conv2[i] = linear({"w2_" + n}, in, d.branch, floats("b2_" + n, {d.branch}));
    }
    const std::int64_t features = d.emb + 3 * d.branch;
    w->ln_g = row("ln_g", features);
    w->ln_b = row("ln_b", features);
    w->cnn = linear({"cnn_W"}, features, d.out);
    w->cnn_b = row("cnn_b", d.out);
    w->d0_p1 = linear({"d0", "p1"}, d.out, d.hidden);
    w->d1 = linear({"d1"}, d.hidden, d.hidden);
    w->d2_p3 = linear({"d2", "p3"}, d.hidden, d.out);
    w->d3 = linear({"d3"}, d.out, d.out);
    if (!error.empty()) return Error::Fatal(error);
    auto eps = file.Float64("eps", {});
    if (!eps) return eps.error();
    w->eps = static_cast<float>(eps->front());
    return std::unique_ptr<UseModel>(new UseModel(d, std::move(w)));
}

void UseModel::Embed(std::span<const std::vector<std::int32_t>> sequences, float* out) const {
    const Weights& w = *weights_;
    const auto E = static_cast<std::size_t>(dims_.emb);
    const auto B = static_cast<std::size_t>(dims_.branch);
    const auto H = static_cast<std::size_t>(dims_.hidden);
    const auto O = static_cast<std::size_t>(dims_.out);
    const auto chunks = static_cast<std::size_t>(dims_.chunks);
    const std::size_t F = E + 3 * B;  // features per token: [emb | branch 2 | branch 3 | branch 5]
    const std::size_t S = sequences.size();
    std::size_t T = 0;
    for (const auto& ids : sequences) T += ids.size();
    if (S == 0) return;

    // All tokens of all sentences are rows of one matrix: each weight matrix streams once per call.
    std::vector<float> feats(T * F);
    std::vector<float> x(T * 3 * B);
    std::vector<float> h(T * B);
    // The convolutions' input: the tokens' rows with kPad zero rows before, between and after the
    // sentences; each output row reads a window of consecutive rows of it (no copies).
    std::vector<float> padded((kPad + T + S * kPad) * B, 0.0F);
    std::vector<std::size_t> padded_row(T);
    std::vector<const float*> windows(T);

    std::size_t t = 0;
    std::size_t r = kPad;
    for (const auto& ids : sequences) {
        assert(!ids.empty());
        for (const std::int32_t id : ids) {
            assert(id >= 0 && id < dims_.vocab);
            const auto row = static_cast<std::size_t>(id);
            const std::uint8_t* q = w.table.data() + row * E;
            const float scale = w.scale[row % chunks];
            const float lo = w.lo[row % chunks];
            float* e = feats.data() + t * F;
            for (std::size_t k = 0; k < E; ++k) e[k] = static_cast<float>(q[k]) * scale + lo;
            padded_row[t++] = r++;
        }
        r += kPad;
    }

    w.proj.Apply(feats.data(), F, T, x.data(), 3 * B);
    LayerNormRows(x.data(), T, 3 * B, w.proj_ln_g, w.proj_ln_b, w.eps);

    const auto to_padded = [&](const float* src, std::size_t stride) {
        for (std::size_t i = 0; i < T; ++i)
            std::memcpy(padded.data() + padded_row[i] * B, src + i * stride, B * sizeof(float));
    };
    for (std::size_t b = 0; b < kUseBranches.size(); ++b) {
        const auto left = static_cast<std::size_t>(kUseBranches[b][1]);
        const float* xs = x.data() + b * B;
        float* c = feats.data() + E + b * B;
        for (std::size_t i = 0; i < T; ++i) windows[i] = padded.data() + (padded_row[i] - left) * B;

        to_padded(xs, 3 * B);
        w.conv1[b].ApplyRows(windows.data(), T, h.data(), B);
        for (std::size_t i = 0; i < T; ++i) {
            for (std::size_t k = 0; k < B; ++k)
                h[i * B + k] = std::max(h[i * B + k], 0.0F) + xs[i * 3 * B + k];
        }
        to_padded(h.data(), B);
        w.conv2[b].ApplyRows(windows.data(), T, c, F);
        for (std::size_t i = 0; i < T; ++i) {
            for (std::size_t k = 0; k < B; ++k) c[i * F + k] = std::max(c[i * F + k], 0.0F) + h[i * B + k];
        }
    }
    LayerNormRows(feats.data(), T, F, w.ln_g, w.ln_b, w.eps);

    // Sum, then project: the sum over tokens commutes with the linear output layer, so that
    // product has one row per sentence instead of one per token.
    std::vector<float> sums(S * F, 0.0F);
    t = 0;
    for (std::size_t s = 0; s < S; ++s) {
        float* sum = sums.data() + s * F;
        for (std::size_t i = 0; i < sequences[s].size(); ++i, ++t) {
            const float* f = feats.data() + t * F;
            for (std::size_t k = 0; k < F; ++k) sum[k] += f[k];
        }
    }
    std::vector<float> mean(S * O);
    w.cnn.Apply(sums.data(), F, S, mean.data(), O);
    for (std::size_t s = 0; s < S; ++s) {
        const auto len = static_cast<float>(sequences[s].size());
        const float inv_sqrt_len = 1.0F / std::sqrt(len);
        for (std::size_t k = 0; k < O; ++k) {
            float& m = mean[s * O + k];
            m += len * w.cnn_b[static_cast<Eigen::Index>(k)];
            m *= inv_sqrt_len;
        }
    }

    // The residual DNN; products sharing an input run as one ([d0 | p1], [d2 | p3]).
    std::vector<float> y0_p1(S * 2 * H);
    std::vector<float> y1(S * H);
    std::vector<float> y2_p3(S * 2 * O);
    std::vector<float> y3(S * O);
    w.d0_p1.Apply(mean.data(), O, S, y0_p1.data(), 2 * H);
    for (std::size_t s = 0; s < S; ++s) {
        for (std::size_t k = 0; k < H; ++k) y0_p1[s * 2 * H + k] = std::max(y0_p1[s * 2 * H + k], 0.0F);
    }
    w.d1.Apply(y0_p1.data(), 2 * H, S, y1.data(), H);
    for (std::size_t s = 0; s < S; ++s) {
        for (std::size_t k = 0; k < H; ++k)
            y1[s * H + k] = std::max(y0_p1[s * 2 * H + H + k] + y1[s * H + k], 0.0F);
    }
    w.d2_p3.Apply(y1.data(), H, S, y2_p3.data(), 2 * O);
    for (std::size_t s = 0; s < S; ++s) {
        for (std::size_t k = 0; k < O; ++k) y2_p3[s * 2 * O + k] = std::max(y2_p3[s * 2 * O + k], 0.0F);
    }
    w.d3.Apply(y2_p3.data(), 2 * O, S, y3.data(), O);
    for (std::size_t s = 0; s < S; ++s) {
        float* z = out + s * O;
        float norm2 = 0;
        for (std::size_t k = 0; k < O; ++k) {
            z[k] = std::tanh(y2_p3[s * 2 * O + O + k] + y3[s * O + k]);
            norm2 += z[k] * z[k];
        }
        const float inv_norm = 1.0F / std::sqrt(std::max(norm2, w.eps));
        for (std::size_t k = 0; k < O; ++k) z[k] *= inv_norm;
    }
}

}  // namespace switchboard::encoder
