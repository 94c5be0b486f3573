#include "kernels.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SB_KB_X86 1
// GCC 12's AVX-512 headers build some conversions from a deliberately undefined register
// (_mm512_undefined_*), which its own -Wuninitialized then reports (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace switchboard::kb::kernels {

namespace {

// Plain loops, for CPUs without AVX2 (and other architectures). Eight partial sums let the
// compiler reorder a dot product's additions (vectorize) without -ffast-math.
void AxpyPlain(float a, const float* __restrict x, float* __restrict y, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) y[i] += a * x[i];
}

void AxpyPlain(float a, const std::int8_t* __restrict x, float* __restrict y, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) y[i] += a * static_cast<float>(x[i]);
}

template <typename T>
float DotPlain(const T* __restrict x, const float* __restrict y, std::size_t n) {
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

#if SB_KB_X86

// Written with intrinsics: GCC 12 vectorizes the int8 loops above with 128-bit registers, two
// values per conversion, even when told it may use AVX-512. Each kernel keeps two independent
// accumulators (or stores) in flight so an FMA does not wait for the previous one.

__attribute__((target("avx2,fma"))) __m256 LoadInt8Avx2(const std::int8_t* x) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x))));
}

__attribute__((target("avx512f"))) __m512 LoadInt8Avx512(const std::int8_t* x) {
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x))));
}

__attribute__((target("avx2,fma"))) float Sum(__m256 v) {
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

__attribute__((target("avx2,fma"))) void AxpyAvx2(float a, const float* x, float* y, std::size_t n) {
    const __m256 av = _mm256_set1_ps(a);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] += a * x[i];
}

__attribute__((target("avx2,fma"))) void AxpyAvx2(float a, const std::int8_t* x, float* y, std::size_t n) {
    const __m256 av = _mm256_set1_ps(a);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, LoadInt8Avx2(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] += a * static_cast<float>(x[i]);
}

__attribute__((target("avx2,fma"))) float DotAvx2(const float* x, const float* y, std::size_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0;
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    float sum = Sum(_mm256_add_ps(a0, a1));
    for (; i < n; ++i) sum += x[i] * y[i];
    return sum;
}

__attribute__((target("avx2,fma"))) float DotAvx2(const std::int8_t* x, const float* y, std::size_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0;
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(LoadInt8Avx2(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(LoadInt8Avx2(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    float sum = Sum(_mm256_add_ps(a0, a1));
    for (; i < n; ++i) sum += static_cast<float>(x[i]) * y[i];
    return sum;
}

__attribute__((target("avx512f"))) void AxpyAvx512(float a, const float* x, float* y, std::size_t n) {
    const __m512 av = _mm512_set1_ps(a);
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, _mm512_fmadd_ps(av, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] += a * x[i];
}

__attribute__((target("avx512f"))) void AxpyAvx512(float a, const std::int8_t* x, float* y, std::size_t n) {
    const __m512 av = _mm512_set1_ps(a);
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, _mm512_fmadd_ps(av, LoadInt8Avx512(x + i), _mm512_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] += a * static_cast<float>(x[i]);
}

__attribute__((target("avx512f"))) float DotAvx512(const float* x, const float* y, std::size_t n) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0;
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16), a1);
    }
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
    for (; i < n; ++i) sum += x[i] * y[i];
    return sum;
}

__attribute__((target("avx512f"))) float DotAvx512(const std::int8_t* x, const float* y, std::size_t n) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0;
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm512_fmadd_ps(LoadInt8Avx512(x + i), _mm512_loadu_ps(y + i), a0);
        a1 = _mm512_fmadd_ps(LoadInt8Avx512(x + i + 16), _mm512_loadu_ps(y + i + 16), a1);
    }
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
    for (; i < n; ++i) sum += static_cast<float>(x[i]) * y[i];
    return sum;
}

#endif  // SB_KB_X86

}  // namespace

std::vector<Implementation> Implementations() {
    std::vector<Implementation> out{{"plain", AxpyPlain, AxpyPlain, DotPlain<float>, DotPlain<std::int8_t>}};
#if SB_KB_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        out.push_back({"avx2", AxpyAvx2, AxpyAvx2, DotAvx2, DotAvx2});
    }
    if (__builtin_cpu_supports("avx512f")) out.push_back({"avx512", AxpyAvx512, AxpyAvx512, DotAvx512, DotAvx512});
#endif
    return out;
}

namespace {

// The best kernels for this CPU, chosen once.
const Implementation& Kernels() {
    static const Implementation best = Implementations().back();
    return best;
}

}  // namespace

void Axpy(float a, const float* x, float* y, std::size_t n) { Kernels().axpy(a, x, y, n); }
void Axpy(float a, const std::int8_t* x, float* y, std::size_t n) { Kernels().axpy_i8(a, x, y, n); }
float Dot(const float* x, const float* y, std::size_t n) { return Kernels().dot(x, y, n); }
float Dot(const std::int8_t* x, const float* y, std::size_t n) { return Kernels().dot_i8(x, y, n); }

}  // namespace switchboard::kb::kernels
