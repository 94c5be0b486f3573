#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "switchboard/core/error.hpp"

namespace switchboard::encoder {

// A parsed .safetensors file (8-byte little-endian header length, JSON header
// {name: {dtype, shape, data_offsets}}, raw little-endian tensor data). Owns the file's bytes.
// Private to libs/encoder. Immutable after parsing: thread-safe.
class SafetensorsFile {
public:
    struct Tensor {
        std::string dtype;  // "F32", "F16", "I64", …
        std::vector<std::int64_t> shape;
        std::size_t begin = 0;  // byte range in the data section
        std::size_t end = 0;
    };

    // Validates the header: its length, JSON, every tensor's dtype/shape/offsets and that the
    // offsets agree with dtype × shape and lie inside the data. `origin` names the source in errors.
    static Result<SafetensorsFile> Parse(std::string bytes, const std::string& origin = "safetensors");
    static Result<SafetensorsFile> Read(const std::string& path);

    // The tensor's values (row-major), checked: present, of that dtype (F32, F64, U8), exactly
    // `shape` ({} for a scalar).
    Result<std::vector<float>> Float32(const std::string& name, const std::vector<std::int64_t>& shape) const;
    Result<std::vector<double>> Float64(const std::string& name,
                                        const std::vector<std::int64_t>& shape) const;
    Result<std::vector<std::uint8_t>> Uint8(const std::string& name,
                                            const std::vector<std::int64_t>& shape) const;

    const Tensor* Find(const std::string& name) const;
    std::size_t size() const { return tensors_.size(); }

private:
    template <typename T>
    Result<std::vector<T>> Values(const std::string& name, const char* dtype,
                                  const std::vector<std::int64_t>& shape) const;

    std::string origin_;
    std::string bytes_;
    std::size_t data_offset_ = 0;
    std::unordered_map<std::string, Tensor> tensors_;
};

// "[30522, 384]"
std::string ShapeString(const std::vector<std::int64_t>& shape);

}  // namespace switchboard::encoder
