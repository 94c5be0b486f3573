#include "kernels.hpp"

namespace switchboard::kb::kernels {

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SB_KB_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SB_KB_CLONES
#endif

SB_KB_CLONES void Axpy(float a, const float* __restrict x, float* __restrict y, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) y[i] += a * x[i];
}

SB_KB_CLONES void Axpy(float a, const std::int8_t* __restrict x, float* __restrict y, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) y[i] += a * static_cast<float>(x[i]);
}

// Eight partial sums so the compiler may reorder the additions (vectorize) without -ffast-math.
SB_KB_CLONES float Dot(const float* __restrict x, const float* __restrict y, std::size_t n) {
    float acc[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (std::size_t j = 0; j < 8; ++j) acc[j] += x[i + j] * y[i + j];
    }
    float sum = 0;
    for (; i < n; ++i) sum += x[i] * y[i];
    for (const float a : acc) sum += a;
    return sum;
}

SB_KB_CLONES float Dot(const std::int8_t* __restrict x, const float* __restrict y, std::size_t n) {
    float acc[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (std::size_t j = 0; j < 8; ++j) acc[j] += static_cast<float>(x[i + j]) * y[i + j];
    }
    float sum = 0;
    for (; i < n; ++i) sum += static_cast<float>(x[i]) * y[i];
    for (const float a : acc) sum += a;
    return sum;
}

}  // namespace switchboard::kb::kernels
