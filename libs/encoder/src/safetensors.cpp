#include "safetensors.hpp"

#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

namespace switchboard::encoder {
namespace {

std::size_t DtypeSize(const std::string& dtype) {
    if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
    if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
    if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
    if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2")
        return 1;
    return 0;
}

}  // namespace

std::string ShapeString(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

Result<SafetensorsFile> SafetensorsFile::Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::Fatal("cannot open " + path);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return Error::Fatal("cannot read " + path);
    return Parse(std::move(bytes), path);
}

Result<SafetensorsFile> SafetensorsFile::Parse(std::string bytes, const std::string& origin) {
    static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");
    const auto fail = [&](const std::string& what) { return Error::Fatal(origin + ": " + what); };
    if (bytes.size() < 8) return fail("too short for a safetensors header");
    std::uint64_t header_len = 0;
    std::memcpy(&header_len, bytes.data(), 8);
    if (header_len > bytes.size() - 8) {
        return fail("header length " + std::to_string(header_len) + " exceeds the file size " +
                    std::to_string(bytes.size()) + " (truncated download?)");
    }
    SafetensorsFile file;
    file.origin_ = origin;
    file.data_offset_ = 8 + static_cast<std::size_t>(header_len);
    const std::size_t data_size = bytes.size() - file.data_offset_;

    const auto header = nlohmann::json::parse(bytes.begin() + 8,
                                              bytes.begin() + static_cast<std::ptrdiff_t>(file.data_offset_),
                                              nullptr, /*allow_exceptions=*/false);
    if (header.is_discarded() || !header.is_object()) return fail("header is not a JSON object");
    for (const auto& [name, info] : header.items()) {
        if (name == "__metadata__") continue;
        const auto where = "tensor " + name + ": ";
        if (!info.is_object()) return fail(where + "entry is not an object");
        const auto dtype = info.find("dtype");
        const auto shape = info.find("shape");
        const auto offsets = info.find("data_offsets");
        if (dtype == info.end() || !dtype->is_string()) return fail(where + "missing dtype");
        if (shape == info.end() || !shape->is_array()) return fail(where + "missing shape");
        if (offsets == info.end() || !offsets->is_array() || offsets->size() != 2 ||
            !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned()) {
            return fail(where + "missing or bad data_offsets");
        }
        Tensor t;
        t.dtype = dtype->get<std::string>();
        const std::size_t elem = DtypeSize(t.dtype);
        if (elem == 0) return fail(where + "unknown dtype " + t.dtype);
        std::uint64_t count = 1;
        for (const auto& dim : *shape) {
            if (!dim.is_number_unsigned()) return fail(where + "bad shape");
            const auto d = dim.get<std::uint64_t>();
            if (d != 0 && count > std::numeric_limits<std::uint32_t>::max() / d)
                return fail(where + "shape too large");
            count *= d;
            t.shape.push_back(static_cast<std::int64_t>(d));
        }
        const auto begin = (*offsets)[0].get<std::uint64_t>();
        const auto end = (*offsets)[1].get<std::uint64_t>();
        if (begin > end || end > data_size) {
            return fail(where + "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                        ") outside the data section of " + std::to_string(data_size) + " bytes");
        }
        if (end - begin != count * elem) {
            return fail(where + "holds " + std::to_string(end - begin) + " bytes, but " + t.dtype + " " +
                        ShapeString(t.shape) + " needs " + std::to_string(count * elem));
        }
        t.begin = static_cast<std::size_t>(begin);
        t.end = static_cast<std::size_t>(end);
        file.tensors_.emplace(name, std::move(t));
    }
    file.bytes_ = std::move(bytes);
    return file;
}

const SafetensorsFile::Tensor* SafetensorsFile::Find(const std::string& name) const {
    const auto it = tensors_.find(name);
    return it == tensors_.end() ? nullptr : &it->second;
}

template <typename T>
Result<std::vector<T>> SafetensorsFile::Values(const std::string& name, const char* dtype,
                                               const std::vector<std::int64_t>& shape) const {
    const Tensor* t = Find(name);
    if (t == nullptr) return Error::Fatal(origin_ + ": missing tensor " + name);
    if (t->dtype != dtype) {
        return Error::Fatal(origin_ + ": tensor " + name + " has dtype " + t->dtype + ", expected " + dtype);
    }
    if (t->shape != shape) {
        return Error::Fatal(origin_ + ": tensor " + name + " has shape " + ShapeString(t->shape) +
                            ", expected " + ShapeString(shape));
    }
    std::vector<T> values((t->end - t->begin) / sizeof(T));
    std::memcpy(values.data(), bytes_.data() + data_offset_ + t->begin, t->end - t->begin);
    return values;
}

Result<std::vector<float>> SafetensorsFile::Float32(const std::string& name,
                                                    const std::vector<std::int64_t>& shape) const {
    return Values<float>(name, "F32", shape);
}

Result<std::vector<double>> SafetensorsFile::Float64(const std::string& name,
                                                     const std::vector<std::int64_t>& shape) const {
    return Values<double>(name, "F64", shape);
}

Result<std::vector<std::uint8_t>> SafetensorsFile::Uint8(const std::string& name,
                                                         const std::vector<std::int64_t>& shape) const {
    return Values<std::uint8_t>(name, "U8", shape);
}

}  // namespace switchboard::encoder
