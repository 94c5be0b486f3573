#include "linear.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#if defined(__x86_64__)
#include <immintrin.h>
#define SWITCHBOARD_ENCODER_X86 1
// GCC 12's AVX-512 headers build some conversions from a deliberately undefined register
// (_mm512_undefined_*), which its own -Wuninitialized then reports (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace switchboard::encoder {
namespace {

// Rows of x handled per pass over the weights: a block of x this size stays in L2 while every
// panel streams past it, so the weights are read from memory once per block.
constexpr std::size_t kRowBlock = 96;

#if SWITCHBOARD_ENCODER_X86

// One tile: `kRows` rows of y × one 16-column panel, accumulated over all of `in`. The tile sizes
// keep every accumulator in a register (AVX2: 6 × 2 ymm; SSE: 2 × 4 xmm). The accumulators are
// named variables, not an array: GCC keeps an array in memory and stores it on every iteration.
#define SB_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)

template <std::size_t kRows>
__attribute__((target("avx2,fma"))) void TileAvx2(const float* const* x, const float* panel, std::size_t in,
                                                  const float* bias, float* y, std::size_t y_stride) {
    static_assert(kRows >= 1 && kRows <= 6);
    const __m256 b0 = _mm256_loadu_ps(bias);
    const __m256 b1 = _mm256_loadu_ps(bias + 8);
#define SB_INIT(i)                                          \
    [[maybe_unused]] __m256 acc##i##a = b0, acc##i##b = b1; \
    [[maybe_unused]] const float* x##i = kRows > (i) ? x[i] : nullptr;
    SB_ROWS(SB_INIT)
#undef SB_INIT
    for (std::size_t k = 0; k < in; ++k) {
        const __m256 w0 = _mm256_loadu_ps(panel + k * 16);
        const __m256 w1 = _mm256_loadu_ps(panel + k * 16 + 8);
#define SB_FMA(i)                                        \
    if constexpr (kRows > (i)) {                         \
        const __m256 xv = _mm256_broadcast_ss(x##i + k); \
        acc##i##a = _mm256_fmadd_ps(xv, w0, acc##i##a);  \
        acc##i##b = _mm256_fmadd_ps(xv, w1, acc##i##b);  \
    }
        SB_ROWS(SB_FMA)
#undef SB_FMA
    }
#define SB_STORE(i)                                        \
    if constexpr (kRows > (i)) {                           \
        _mm256_storeu_ps(y + (i)*y_stride, acc##i##a);     \
        _mm256_storeu_ps(y + (i)*y_stride + 8, acc##i##b); \
    }
    SB_ROWS(SB_STORE)
#undef SB_STORE
}

#undef SB_ROWS

// Tiles of one or two rows: TileAvx2 would have only 2 or 4 accumulators, each FMA waiting for
// the previous one on the same accumulator (4 cycles on current cores), so the core would idle
// most of the time. These split the sum over `in` into interleaved partial sums instead: 8
// independent accumulators, like the 4-row and wider tiles. (A single text's sentence-level
// layers, and the last rows of a short text, run here.)
__attribute__((target("avx2,fma"))) void TileAvx2OneRow(const float* const* x, const float* panel,
                                                        std::size_t in, const float* bias, float* y,
                                                        std::size_t /*y_stride*/) {
    const float* x0 = x[0];
    __m256 a0 = _mm256_loadu_ps(bias), b0 = _mm256_loadu_ps(bias + 8);
    __m256 a1 = _mm256_setzero_ps(), b1 = a1, a2 = a1, b2 = a1, a3 = a1, b3 = a1;
    std::size_t k = 0;
    for (; k + 4 <= in; k += 4) {
        const float* w = panel + k * 16;
        __m256 xv = _mm256_broadcast_ss(x0 + k);
        a0 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w), a0);
        b0 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w + 8), b0);
        xv = _mm256_broadcast_ss(x0 + k + 1);
        a1 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w + 16), a1);
        b1 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w + 24), b1);
        xv = _mm256_broadcast_ss(x0 + k + 2);
        a2 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w + 32), a2);
        b2 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w + 40), b2);
        xv = _mm256_broadcast_ss(x0 + k + 3);
        a3 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w + 48), a3);
        b3 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w + 56), b3);
    }
    for (; k < in; ++k) {
        const __m256 xv = _mm256_broadcast_ss(x0 + k);
        a0 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(panel + k * 16), a0);
        b0 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(panel + k * 16 + 8), b0);
    }
    _mm256_storeu_ps(y, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    _mm256_storeu_ps(y + 8, _mm256_add_ps(_mm256_add_ps(b0, b1), _mm256_add_ps(b2, b3)));
}

__attribute__((target("avx2,fma"))) void TileAvx2TwoRows(const float* const* x, const float* panel,
                                                         std::size_t in, const float* bias, float* y,
                                                         std::size_t y_stride) {
    const float* x0 = x[0];
    const float* x1 = x[1];
    __m256 a00 = _mm256_loadu_ps(bias), b00 = _mm256_loadu_ps(bias + 8), a10 = a00, b10 = b00;
    __m256 a01 = _mm256_setzero_ps(), b01 = a01, a11 = a01, b11 = a01;
    std::size_t k = 0;
    for (; k + 2 <= in; k += 2) {
        const float* w = panel + k * 16;
        const __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8);
        const __m256 w2 = _mm256_loadu_ps(w + 16), w3 = _mm256_loadu_ps(w + 24);
        __m256 xv = _mm256_broadcast_ss(x0 + k);
        a00 = _mm256_fmadd_ps(xv, w0, a00);
        b00 = _mm256_fmadd_ps(xv, w1, b00);
        xv = _mm256_broadcast_ss(x1 + k);
        a10 = _mm256_fmadd_ps(xv, w0, a10);
        b10 = _mm256_fmadd_ps(xv, w1, b10);
        xv = _mm256_broadcast_ss(x0 + k + 1);
        a01 = _mm256_fmadd_ps(xv, w2, a01);
        b01 = _mm256_fmadd_ps(xv, w3, b01);
        xv = _mm256_broadcast_ss(x1 + k + 1);
        a11 = _mm256_fmadd_ps(xv, w2, a11);
        b11 = _mm256_fmadd_ps(xv, w3, b11);
    }
    if (k < in) {
        const __m256 w0 = _mm256_loadu_ps(panel + k * 16), w1 = _mm256_loadu_ps(panel + k * 16 + 8);
        __m256 xv = _mm256_broadcast_ss(x0 + k);
        a00 = _mm256_fmadd_ps(xv, w0, a00);
        b00 = _mm256_fmadd_ps(xv, w1, b00);
        xv = _mm256_broadcast_ss(x1 + k);
        a10 = _mm256_fmadd_ps(xv, w0, a10);
        b10 = _mm256_fmadd_ps(xv, w1, b10);
    }
    _mm256_storeu_ps(y, _mm256_add_ps(a00, a01));
    _mm256_storeu_ps(y + 8, _mm256_add_ps(b00, b01));
    _mm256_storeu_ps(y + y_stride, _mm256_add_ps(a10, a11));
    _mm256_storeu_ps(y + y_stride + 8, _mm256_add_ps(b10, b11));
}

template <std::size_t kRows>
void TileSse(const float* const* x, const float* panel, std::size_t in, const float* bias, float* y,
             std::size_t y_stride) {
    __m128 acc[kRows][4];
    for (std::size_t r = 0; r < kRows; ++r) {
        for (std::size_t j = 0; j < 4; ++j) acc[r][j] = _mm_loadu_ps(bias + 4 * j);
    }
    for (std::size_t k = 0; k < in; ++k) {
        const float* w = panel + k * 16;
        const __m128 w0 = _mm_loadu_ps(w);
        const __m128 w1 = _mm_loadu_ps(w + 4);
        const __m128 w2 = _mm_loadu_ps(w + 8);
        const __m128 w3 = _mm_loadu_ps(w + 12);
        for (std::size_t r = 0; r < kRows; ++r) {
            const __m128 xv = _mm_set1_ps(x[r][k]);
            acc[r][0] = _mm_add_ps(acc[r][0], _mm_mul_ps(xv, w0));
            acc[r][1] = _mm_add_ps(acc[r][1], _mm_mul_ps(xv, w1));
            acc[r][2] = _mm_add_ps(acc[r][2], _mm_mul_ps(xv, w2));
            acc[r][3] = _mm_add_ps(acc[r][3], _mm_mul_ps(xv, w3));
        }
    }
    for (std::size_t r = 0; r < kRows; ++r) {
        for (std::size_t j = 0; j < 4; ++j) _mm_storeu_ps(y + r * y_stride + 4 * j, acc[r][j]);
    }
}

// bfloat16 of `f`, rounded to nearest even (weights and activations are finite).
std::uint16_t ToBf16(float f) {
    const auto u = std::bit_cast<std::uint32_t>(f);
    return static_cast<std::uint16_t>((u + 0x7FFFU + ((u >> 16) & 1U)) >> 16);
}

// `n` floats as bfloat16 into `out`, padded with a zero to an even count.
__attribute__((target("avx512f,avx512bf16"))) void RowToBf16(const float* x, std::size_t n, std::uint16_t* out) {
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(x + i));
        _mm512_storeu_si512(out + i, __builtin_bit_cast(__m512i, v));
    }
    for (; i < n; ++i) out[i] = ToBf16(x[i]);
    if (n % 2 != 0) out[n] = 0;
}

// A pair of bfloat16 inputs (x[2j], x[2j + 1]) in every 32-bit lane.
__attribute__((target("avx512f,avx512bf16"))) __m512bh BroadcastPair(const std::uint16_t* x) {
    return __builtin_bit_cast(__m512bh, _mm512_broadcastd_epi32(_mm_loadu_si32(x)));
}

// One bfloat16 tile: `kRows` rows × one 16-column panel, over `pairs` pairs of inputs. Each
// VDPBF16PS multiplies 16 columns × 2 inputs and adds them to float32 accumulators.
#define SB_BF16_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

template <std::size_t kRows>
__attribute__((target("avx512f,avx512bf16"))) void TileBf16(const std::uint16_t* x, std::size_t x_stride,
                                                            const std::uint16_t* panel, std::size_t pairs,
                                                            const float* bias, float* y, std::size_t y_stride) {
    static_assert(kRows >= 2 && kRows <= 8);
    const __m512 b = _mm512_loadu_ps(bias);
#define SB_INIT(i) [[maybe_unused]] __m512 acc##i = b;
    SB_BF16_ROWS(SB_INIT)
#undef SB_INIT
    for (std::size_t j = 0; j < pairs; ++j) {
        const __m512bh w = __builtin_bit_cast(__m512bh, _mm512_loadu_si512(panel + j * 32));
#define SB_DP(i) \
    if constexpr (kRows > (i)) acc##i = _mm512_dpbf16_ps(acc##i, BroadcastPair(x + (i)*x_stride + 2 * j), w);
        SB_BF16_ROWS(SB_DP)
#undef SB_DP
    }
#define SB_STORE(i) \
    if constexpr (kRows > (i)) _mm512_storeu_ps(y + (i)*y_stride, acc##i);
    SB_BF16_ROWS(SB_STORE)
#undef SB_STORE
}

#undef SB_BF16_ROWS

// One row: four accumulators over interleaved pairs, so each VDPBF16PS need not wait for the last.
__attribute__((target("avx512f,avx512bf16"))) void TileBf16OneRow(const std::uint16_t* x, std::size_t /*x_stride*/,
                                                                  const std::uint16_t* panel, std::size_t pairs,
                                                                  const float* bias, float* y, std::size_t /*y_stride*/) {
    __m512 a0 = _mm512_loadu_ps(bias), a1 = _mm512_setzero_ps(), a2 = a1, a3 = a1;
    std::size_t j = 0;
    for (; j + 4 <= pairs; j += 4) {
        const std::uint16_t* w = panel + j * 32;
        a0 = _mm512_dpbf16_ps(a0, BroadcastPair(x + 2 * j), __builtin_bit_cast(__m512bh, _mm512_loadu_si512(w)));
        a1 = _mm512_dpbf16_ps(a1, BroadcastPair(x + 2 * j + 2), __builtin_bit_cast(__m512bh, _mm512_loadu_si512(w + 32)));
        a2 = _mm512_dpbf16_ps(a2, BroadcastPair(x + 2 * j + 4), __builtin_bit_cast(__m512bh, _mm512_loadu_si512(w + 64)));
        a3 = _mm512_dpbf16_ps(a3, BroadcastPair(x + 2 * j + 6), __builtin_bit_cast(__m512bh, _mm512_loadu_si512(w + 96)));
    }
    for (; j < pairs; ++j) {
        a0 = _mm512_dpbf16_ps(a0, BroadcastPair(x + 2 * j), __builtin_bit_cast(__m512bh, _mm512_loadu_si512(panel + j * 32)));
    }
    _mm512_storeu_ps(y, _mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
}

using TileBf16Fn = void (*)(const std::uint16_t*, std::size_t, const std::uint16_t*, std::size_t, const float*,
                            float*, std::size_t);
constexpr TileBf16Fn kBf16Tiles[] = {nullptr,     TileBf16OneRow, TileBf16<2>, TileBf16<3>, TileBf16<4>,
                                     TileBf16<5>, TileBf16<6>,    TileBf16<7>, TileBf16<8>};
constexpr std::size_t kMaxBf16Tile = 8;

// A tile reads its `kRows` input rows through pointers, so rows may lie anywhere (ApplyRows).
using TileFn = void (*)(const float* const*, const float*, std::size_t, const float*, float*, std::size_t);

// Tiles by row count (index = rows, 1..max).
constexpr TileFn kAvx2Tiles[] = {nullptr,     TileAvx2OneRow, TileAvx2TwoRows, TileAvx2<3>,
                                 TileAvx2<4>, TileAvx2<5>,    TileAvx2<6>};
constexpr TileFn kBaselineTiles[] = {nullptr, TileSse<1>, TileSse<2>};
constexpr std::size_t kMaxAvx2Tile = 6;
constexpr std::size_t kMaxBaselineTile = 2;

#else  // portable C++ for other architectures; the compiler vectorizes the inner loop

template <std::size_t kRows>
void TilePortable(const float* const* x, const float* panel, std::size_t in, const float* bias, float* y,
                  std::size_t y_stride) {
    float acc[kRows][16];
    for (std::size_t r = 0; r < kRows; ++r) std::copy_n(bias, 16, acc[r]);
    for (std::size_t k = 0; k < in; ++k) {
        for (std::size_t r = 0; r < kRows; ++r) {
            const float xv = x[r][k];
            for (std::size_t j = 0; j < 16; ++j) acc[r][j] += xv * panel[k * 16 + j];
        }
    }
    for (std::size_t r = 0; r < kRows; ++r) std::copy_n(acc[r], 16, y + r * y_stride);
}

// A tile reads its `kRows` input rows through pointers, so rows may lie anywhere (ApplyRows).
using TileFn = void (*)(const float* const*, const float*, std::size_t, const float*, float*, std::size_t);
constexpr TileFn kBaselineTiles[] = {nullptr, TilePortable<1>, TilePortable<2>, TilePortable<3>,
                                     TilePortable<4>};
constexpr const TileFn* kAvx2Tiles = kBaselineTiles;
constexpr std::size_t kMaxAvx2Tile = 4;
constexpr std::size_t kMaxBaselineTile = 4;

#endif

}  // namespace

SimdLevel BestSimdLevel() {
#if SWITCHBOARD_ENCODER_X86
    static const SimdLevel level = [] {
        // A diagnostic override, to measure or check the baseline kernel on an AVX2 machine.
        const char* forced = std::getenv("SWITCHBOARD_ENCODER_SIMD");  // NOLINT(concurrency-mt-unsafe)
        const std::string_view cap = forced != nullptr ? forced : "";
        if (cap == "baseline") return SimdLevel::kBaseline;
        __builtin_cpu_init();
        if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return SimdLevel::kBaseline;
        if (cap == "avx2") return SimdLevel::kAvx2;
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bf16") ? SimdLevel::kAvx512Bf16
                                                                                        : SimdLevel::kAvx2;
    }();
    return level;
#else
    return SimdLevel::kBaseline;
#endif
}

PackedLinear::PackedLinear(const float* w, const float* bias, std::size_t out, std::size_t in)
    : out_(out), in_(in) {
    const std::size_t panels = (out + kPanel - 1) / kPanel;
    panels_.assign(panels * in * kPanel, 0.0F);
    bias_.assign(panels * kPanel, 0.0F);
    std::copy_n(bias, out, bias_.begin());
    for (std::size_t o = 0; o < out; ++o) {
        float* dst = panels_.data() + (o / kPanel) * in * kPanel + o % kPanel;
        const float* src = w + o * in;
        for (std::size_t k = 0; k < in; ++k) dst[k * kPanel] = src[k];
    }
#if SWITCHBOARD_ENCODER_X86
    if (BestSimdLevel() == SimdLevel::kAvx512Bf16) {
        const std::size_t pairs = (in + 1) / 2;
        bf16_panels_.assign(panels * pairs * kPanel * 2, 0);
        for (std::size_t o = 0; o < out; ++o) {
            std::uint16_t* dst = bf16_panels_.data() + (o / kPanel) * pairs * kPanel * 2 + (o % kPanel) * 2;
            for (std::size_t k = 0; k < in; ++k) dst[(k / 2) * kPanel * 2 + k % 2] = ToBf16(w[o * in + k]);
        }
    }
#endif
}

void PackedLinear::Apply(const float* x, std::size_t x_stride, std::size_t rows, float* y,
                         std::size_t y_stride, SimdLevel level) const {
    const float* x_rows[kRowBlock];
    for (std::size_t r0 = 0; r0 < rows; r0 += kRowBlock) {
        const std::size_t block_rows = std::min(kRowBlock, rows - r0);
        for (std::size_t r = 0; r < block_rows; ++r) x_rows[r] = x + (r0 + r) * x_stride;
        ApplyRows(x_rows, block_rows, y + r0 * y_stride, y_stride, level);
    }
}

void PackedLinear::ApplyRows(const float* const* x_rows, std::size_t rows, float* y, std::size_t y_stride,
                             SimdLevel level) const {
    if (level == SimdLevel::kAvx512Bf16) {
        if (!bf16_panels_.empty()) return ApplyRowsBf16(x_rows, rows, y, y_stride);
        level = SimdLevel::kAvx2;  // capped by SWITCHBOARD_ENCODER_SIMD when the layer was built
    }
    const bool avx2 = level == SimdLevel::kAvx2;
    const TileFn* tiles = avx2 ? kAvx2Tiles : kBaselineTiles;
    const std::size_t max_tile = avx2 ? kMaxAvx2Tile : kMaxBaselineTile;
    const std::size_t panels = panels_.size() / (in_ * kPanel);
    // A partial last panel is computed here, then its valid columns copied.
    float last[kPanel * kMaxAvx2Tile];
    for (std::size_t r0 = 0; r0 < rows; r0 += kRowBlock) {
        const std::size_t block_rows = std::min(kRowBlock, rows - r0);
        for (std::size_t p = 0; p < panels; ++p) {
            const float* panel = panels_.data() + p * in_ * kPanel;
            const float* b = bias_.data() + p * kPanel;
            const std::size_t cols = std::min(kPanel, out_ - p * kPanel);
            // Rows are spread evenly over the fewest tiles (13 rows: 5 + 4 + 4, not 6 + 6 + 1):
            // narrow tiles use the core less well.
            const std::size_t tile_count = (block_rows + max_tile - 1) / max_tile;
            for (std::size_t r = 0, tile = 0; r < block_rows; ++tile) {
                const std::size_t n = block_rows / tile_count + (tile < block_rows % tile_count ? 1 : 0);
                const float* const* xr = x_rows + r0 + r;
                float* yr = y + (r0 + r) * y_stride + p * kPanel;
                if (cols == kPanel) {
                    tiles[n](xr, panel, in_, b, yr, y_stride);
                } else {
                    tiles[n](xr, panel, in_, b, last, kPanel);
                    for (std::size_t i = 0; i < n; ++i)
                        std::memcpy(yr + i * y_stride, last + i * kPanel, cols * sizeof(float));
                }
                r += n;
            }
        }
    }
}

void PackedLinear::ApplyRowsBf16(const float* const* x_rows, std::size_t rows, float* y, std::size_t y_stride) const {
#if SWITCHBOARD_ENCODER_X86
    const std::size_t pairs = (in_ + 1) / 2;
    const std::size_t x_stride = 2 * pairs;  // bfloat16 values per converted row
    const std::size_t panels = (out_ + kPanel - 1) / kPanel;
    // The rows in bfloat16, a block at a time; per thread and kept, so a query allocates nothing.
    thread_local std::vector<std::uint16_t> xb;
    if (xb.size() < std::min(rows, kRowBlock) * x_stride) xb.resize(std::min(rows, kRowBlock) * x_stride);
    float last[kPanel * kMaxBf16Tile];
    for (std::size_t r0 = 0; r0 < rows; r0 += kRowBlock) {
        const std::size_t block_rows = std::min(kRowBlock, rows - r0);
        for (std::size_t r = 0; r < block_rows; ++r) {
            RowToBf16(x_rows[r0 + r], in_, xb.data() + r * x_stride);
            // An odd width's last pair meets a zero weight; a stale Inf there would still make NaN.
            if (x_stride > in_) xb[r * x_stride + in_] = 0;
        }
        for (std::size_t p = 0; p < panels; ++p) {
            const std::uint16_t* panel = bf16_panels_.data() + p * pairs * kPanel * 2;
            const float* b = bias_.data() + p * kPanel;
            const std::size_t cols = std::min(kPanel, out_ - p * kPanel);
            const std::size_t tile_count = (block_rows + kMaxBf16Tile - 1) / kMaxBf16Tile;
            for (std::size_t r = 0, tile = 0; r < block_rows; ++tile) {
                const std::size_t n = block_rows / tile_count + (tile < block_rows % tile_count ? 1 : 0);
                const std::uint16_t* xr = xb.data() + r * x_stride;
                float* yr = y + (r0 + r) * y_stride + p * kPanel;
                if (cols == kPanel) {
                    kBf16Tiles[n](xr, x_stride, panel, pairs, b, yr, y_stride);
                } else {
                    kBf16Tiles[n](xr, x_stride, panel, pairs, b, last, kPanel);
                    for (std::size_t i = 0; i < n; ++i)
                        std::memcpy(yr + i * y_stride, last + i * kPanel, cols * sizeof(float));
                }
                r += n;
            }
        }
    }
#else
    ApplyRows(x_rows, rows, y, y_stride, SimdLevel::kBaseline);
#endif
}

}  // namespace switchboard::encoder
