#pragma once

#include <cstddef>

// The float loops retrieval and the classifier spend their time in. Built with -O3 and cloned for
// AVX-512 and AVX2 (picked at load time by the CPU): binaries are built for any x86-64.
namespace switchboard::kb::kernels {

// y += a * x over n floats.
void Axpy(float a, const float* x, float* y, std::size_t n);
// Σ x[i] * y[i] over n floats.
float Dot(const float* x, const float* y, std::size_t n);

}  // namespace switchboard::kb::kernels
