#include "linear.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

namespace switchboard::encoder {
namespace {

// float32 kernels: rounding only. bfloat16 multiplies: each factor is off by up to 2^-9 of itself.
double Tolerance(SimdLevel level, double sum_of_magnitudes) {
    return level == SimdLevel::kAvx512Bf16 ? 1e-4 + sum_of_magnitudes / 128 : 1e-4;
}

// Every kernel against the plain formula, over shapes that exercise every tile height, a partial
// last panel and row blocks (more than 96 rows).
void CheckAgainstNaive(SimdLevel level) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-1.0F, 1.0F);
    for (const std::size_t out : {16U, 20U, 48U}) {
        for (const std::size_t in : {1U, 7U, 64U}) {
            std::vector<float> w(out * in), b(out);
            for (auto& v : w) v = dist(rng);
            for (auto& v : b) v = dist(rng);
            const PackedLinear layer(w.data(), b.data(), out, in);
            for (const std::size_t rows : {1U, 2U, 5U, 6U, 7U, 13U, 100U}) {
                const std::size_t x_stride = in + 3;  // strided rows must work too
                const std::size_t y_stride = out + 5;
                std::vector<float> x(rows * x_stride);
                for (auto& v : x) v = dist(rng);
                std::vector<float> y(rows * y_stride, 42.0F);
                layer.Apply(x.data(), x_stride, rows, y.data(), y_stride, level);
                for (std::size_t r = 0; r < rows; ++r) {
                    for (std::size_t o = 0; o < out; ++o) {
                        double want = b[o], magnitude = 0;
                        for (std::size_t k = 0; k < in; ++k) {
                            want += double{x[r * x_stride + k]} * w[o * in + k];
                            magnitude += std::abs(double{x[r * x_stride + k]} * w[o * in + k]);
                        }
                        ASSERT_NEAR(y[r * y_stride + o], want, Tolerance(level, magnitude))
                            << "out " << out << " in " << in << " rows " << rows << " at " << r << "," << o;
                    }
                    for (std::size_t o = out; o < y_stride; ++o) {
                        ASSERT_EQ(y[r * y_stride + o], 42.0F) << "wrote past the row";
                    }
                }
            }
        }
    }
}

// ApplyRows: the input rows are overlapping windows of one buffer, as in a convolution.
void CheckRowsAgainstNaive(SimdLevel level) {
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> dist(-1.0F, 1.0F);
    const std::size_t out = 20, width = 4, in = 3 * width;  // windows of 3 rows of 4 values
    std::vector<float> w(out * in), b(out), buffer(200 * width);
    for (auto* v : {&w, &b, &buffer}) {
        for (auto& x : *v) x = dist(rng);
    }
    const PackedLinear layer(w.data(), b.data(), out, in);
    for (const std::size_t rows : {1U, 5U, 7U, 100U}) {
        std::vector<const float*> x_rows(rows);
        for (std::size_t r = 0; r < rows; ++r) x_rows[r] = buffer.data() + ((r * 7) % 190) * width;
        std::vector<float> y(rows * out);
        layer.ApplyRows(x_rows.data(), rows, y.data(), out, level);
        for (std::size_t r = 0; r < rows; ++r) {
            for (std::size_t o = 0; o < out; ++o) {
                double want = b[o], magnitude = 0;
                for (std::size_t k = 0; k < in; ++k) {
                    want += double{x_rows[r][k]} * w[o * in + k];
                    magnitude += std::abs(double{x_rows[r][k]} * w[o * in + k]);
                }
                ASSERT_NEAR(y[r * out + o], want, Tolerance(level, magnitude)) << "rows " << rows << " at " << r << "," << o;
            }
        }
    }
}

TEST(PackedLinear, ApplyRowsReadsEachRowThroughItsPointer) {
    CheckRowsAgainstNaive(SimdLevel::kBaseline);
    if (BestSimdLevel() >= SimdLevel::kAvx2) CheckRowsAgainstNaive(SimdLevel::kAvx2);
    if (BestSimdLevel() == SimdLevel::kAvx512Bf16) CheckRowsAgainstNaive(SimdLevel::kAvx512Bf16);
}

TEST(PackedLinear, BaselineKernelComputesXTimesWTransposedPlusBias) {
    CheckAgainstNaive(SimdLevel::kBaseline);
}

TEST(PackedLinear, Avx2KernelComputesXTimesWTransposedPlusBias) {
    if (BestSimdLevel() < SimdLevel::kAvx2) GTEST_SKIP() << "this CPU has no AVX2/FMA";
    CheckAgainstNaive(SimdLevel::kAvx2);
}

TEST(PackedLinear, Bf16KernelComputesXTimesWTransposedPlusBias) {
    if (BestSimdLevel() != SimdLevel::kAvx512Bf16) GTEST_SKIP() << "this CPU has no AVX-512 BF16";
    CheckAgainstNaive(SimdLevel::kAvx512Bf16);
}

}  // namespace
}  // namespace switchboard::encoder
