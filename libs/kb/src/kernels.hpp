#pragma once

#include <cstddef>
#include <cstdint>

// The float loops retrieval and the classifier spend their time in. Built with -O3 and cloned for
// AVX-512 and AVX2 (picked at load time by the CPU): binaries are built for any x86-64.
namespace switchboard::kb::kernels {

// y += a * x over n floats.
void Axpy(float a, const float* x, float* y, std::size_t n);
// y += a * x over n values, x quantized to int8.
void Axpy(float a, const std::int8_t* x, float* y, std::size_t n);
// Σ x[i] * y[i] over n floats.
float Dot(const float* x, const float* y, std::size_t n);
// Σ x[i] * y[i] over n values, x quantized to int8.
float Dot(const std::int8_t* x, const float* y, std::size_t n);

}  // namespace switchboard::kb::kernels
