#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace switchboard::encoder {

// Which SIMD kernel a PackedLinear uses, chosen at run time by what the CPU has, so the library
// itself is built for plain x86-64. kAvx2 needs AVX2 and FMA. kAvx512Bf16 (AVX-512 with BF16:
// Zen 4, Sapphire Rapids) multiplies in bfloat16 (8-bit mantissa) and adds in float32: twice the
// multiply-adds per instruction and half the weight memory of float32, at about 1e-3 relative
// error (cosine ≥ 0.999 to the float32 embedding). SWITCHBOARD_ENCODER_SIMD=baseline or =avx2 in
// the environment caps the level, for comparison or for float32 results on any CPU.
enum class SimdLevel { kBaseline, kAvx2, kAvx512Bf16 };
SimdLevel BestSimdLevel();

// A linear layer y = x · wᵀ + b (PyTorch's Linear, w stored [out, in]) whose weights are
// repacked once, at load time, into 16-column panels. Eigen's general matrix product repacks the
// weight matrix on every call, which for the few rows of a short text costs more than the
// arithmetic; with prepacked panels each call streams the weights exactly once.
// Immutable after construction: Apply is thread-safe.
class PackedLinear {
public:
    static constexpr std::size_t kPanel = 16;  // output columns per panel

    PackedLinear() = default;
    // `w` is [out, in] row-major, `bias` has `out` values.
    PackedLinear(const float* w, const float* bias, std::size_t out, std::size_t in);

    // y[r, :] = x[r, :] · wᵀ + b for r < rows. Rows are `x_stride` / `y_stride` floats apart.
    void Apply(const float* x, std::size_t x_stride, std::size_t rows, float* y, std::size_t y_stride) const {
        Apply(x, x_stride, rows, y, y_stride, BestSimdLevel());
    }
    void Apply(const float* x, std::size_t x_stride, std::size_t rows, float* y, std::size_t y_stride,
               SimdLevel level) const;

    // y[r, :] = x_rows[r][0 .. in) · wᵀ + b for r < rows: Apply with every input row anywhere in
    // memory, e.g. overlapping windows of a sequence (a convolution without copying them out).
    void ApplyRows(const float* const* x_rows, std::size_t rows, float* y, std::size_t y_stride) const {
        ApplyRows(x_rows, rows, y, y_stride, BestSimdLevel());
    }
    void ApplyRows(const float* const* x_rows, std::size_t rows, float* y, std::size_t y_stride,
                   SimdLevel level) const;

    std::size_t out() const { return out_; }
    std::size_t in() const { return in_; }

private:
    void ApplyRowsBf16(const float* const* x_rows, std::size_t rows, float* y, std::size_t y_stride) const;

    std::vector<float> panels_;  // [ceil(out / 16)][in][16], zero-padded
    // The same weights as bfloat16, in pairs along `in` ([ceil(out / 16)][ceil(in / 2)][16][2]),
    // only when the CPU can use them.
    std::vector<std::uint16_t> bf16_panels_;
    std::vector<float> bias_;    // padded to a multiple of 16
    std::size_t out_ = 0;
    std::size_t in_ = 0;
};

}  // namespace switchboard::encoder
