#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

// The float loops retrieval and the classifier spend their time in, in AVX-512 and AVX2 versions
// picked once by the CPU it runs on (and plain loops for others): binaries are built for any x86-64.
namespace switchboard::kb::kernels {

// y += a * x over n floats.
void Axpy(float a, const float* x, float* y, std::size_t n);
// y += a * x over n values, x quantized to int8.
void Axpy(float a, const std::int8_t* x, float* y, std::size_t n);
// Σ x[i] * y[i] over n floats.
float Dot(const float* x, const float* y, std::size_t n);
// Σ x[i] * y[i] over n values, x quantized to int8.
float Dot(const std::int8_t* x, const float* y, std::size_t n);

// Every implementation this CPU can run, the one the functions above use last (for tests).
struct Implementation {
    const char* name;
    void (*axpy)(float a, const float* x, float* y, std::size_t n);
    void (*axpy_i8)(float a, const std::int8_t* x, float* y, std::size_t n);
    float (*dot)(const float* x, const float* y, std::size_t n);
    float (*dot_i8)(const std::int8_t* x, const float* y, std::size_t n);
};
std::vector<Implementation> Implementations();

}  // namespace switchboard::kb::kernels
