#include "../src/kernels.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace switchboard::kb::kernels {
namespace {

// The SIMD kernels against plain double-precision loops, at lengths that exercise the vector
// body, the scalar tail and both (the kernels work in blocks of 8, 16 or 32).
const std::size_t kLengths[] = {0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 384, 512, 515};

struct Vectors {
    std::vector<float> x, y;
    std::vector<std::int8_t> q;
    explicit Vectors(std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            x.push_back(std::sin(static_cast<float>(i) * 0.7f));
            y.push_back(std::cos(static_cast<float>(i) * 1.3f) + 0.25f);
            q.push_back(static_cast<std::int8_t>(static_cast<int>((i * 37) % 255) - 127));
        }
    }
};

TEST(Kernels, TheBestImplementationServes) {
    const auto all = Implementations();
    ASSERT_FALSE(all.empty());
    EXPECT_STREQ(all.front().name, "plain");
    const Vectors v(33);
    EXPECT_EQ(Dot(v.q.data(), v.y.data(), 33), all.back().dot_i8(v.q.data(), v.y.data(), 33));
}

// Every implementation this CPU runs (here: plain, AVX2 and AVX-512 when the CPU has them).
class EachKernel : public ::testing::TestWithParam<Implementation> {};

TEST_P(EachKernel, DotMatchesPlainLoop) {
    const Implementation& k = GetParam();
    for (const std::size_t n : kLengths) {
        const Vectors v(n);
        double want = 0, want_q = 0;
        for (std::size_t i = 0; i < n; ++i) {
            want += double{v.x[i]} * v.y[i];
            want_q += static_cast<double>(v.q[i]) * v.y[i];
        }
        EXPECT_NEAR(k.dot(v.x.data(), v.y.data(), n), want, 1e-4 * (1.0 + std::abs(want))) << "n=" << n;
        EXPECT_NEAR(k.dot_i8(v.q.data(), v.y.data(), n), want_q, 1e-4 * (1.0 + std::abs(want_q))) << "n=" << n;
    }
}

TEST_P(EachKernel, AxpyMatchesPlainLoop) {
    const Implementation& k = GetParam();
    for (const std::size_t n : kLengths) {
        const Vectors v(n);
        std::vector<float> y = v.y, y_q = v.y;
        k.axpy(0.5f, v.x.data(), y.data(), n);
        k.axpy_i8(-0.25f, v.q.data(), y_q.data(), n);
        for (std::size_t i = 0; i < n; ++i) {
            EXPECT_NEAR(y[i], v.y[i] + 0.5 * v.x[i], 1e-5) << "n=" << n << " i=" << i;
            EXPECT_NEAR(y_q[i], v.y[i] - 0.25 * v.q[i], 1e-4) << "n=" << n << " i=" << i;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Cpu, EachKernel, ::testing::ValuesIn(Implementations()),
                         [](const ::testing::TestParamInfo<Implementation>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace switchboard::kb::kernels
