#include "safetensors.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace switchboard::encoder {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A safetensors file in memory: header length, JSON header, then `data`.
std::string File(const std::string& header, const std::vector<float>& data) {
    std::string bytes(8, '\0');
    const std::uint64_t n = header.size();
    std::memcpy(bytes.data(), &n, 8);
    bytes += header;
    bytes.append(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(float));
    return bytes;
}

const std::string kHeader = R"({"__metadata__":{"format":"pt"},)"
                            R"("w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
                            R"("b":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},)"
                            R"("h":{"dtype":"F16","shape":[2],"data_offsets":[32,36]}})";
const std::vector<float> kData = {1, 2, 3, 4, 5, 6, 7, 8, 0};  // the last float holds "h"

std::string ErrorOf(const std::string& bytes) {
    auto r = SafetensorsFile::Parse(bytes, "test.safetensors");
    return r.ok() ? "" : r.error().message;
}

TEST(Safetensors, ReadsFloat32Tensors) {
    auto f = SafetensorsFile::Parse(File(kHeader, kData));
    ASSERT_TRUE(f.ok()) << f.error().message;
    EXPECT_EQ(f->size(), 3U);
    auto w = f->Float32("w", {2, 3});
    ASSERT_TRUE(w.ok()) << w.error().message;
    EXPECT_THAT(*w, ElementsAre(1, 2, 3, 4, 5, 6));
    auto b = f->Float32("b", {2});
    ASSERT_TRUE(b.ok()) << b.error().message;
    EXPECT_THAT(*b, ElementsAre(7, 8));
}

TEST(Safetensors, NamesTheTensorThatDoesNotFit) {
    auto f = SafetensorsFile::Parse(File(kHeader, kData), "model.safetensors");
    ASSERT_TRUE(f.ok()) << f.error().message;
    EXPECT_THAT(f->Float32("w", {3, 2}).error().message,
                HasSubstr("model.safetensors: tensor w has shape [2, 3], expected [3, 2]"));
    EXPECT_THAT(f->Float32("h", {2}).error().message, HasSubstr("tensor h has dtype F16, expected F32"));
    EXPECT_THAT(f->Float32("nope", {1}).error().message, HasSubstr("missing tensor nope"));
}

TEST(Safetensors, ReadsUint8AndFloat64Tensors) {
    // "q": U8 [2, 3] at bytes 0..6, then 2 bytes of padding, "eps": an F64 scalar at 8..16.
    std::string data = {1, 2, 3, 4, 5, 6, 0, 0};
    const double eps = 1e-12;
    data.append(reinterpret_cast<const char*>(&eps), sizeof eps);
    std::string bytes = File(R"({"q":{"dtype":"U8","shape":[2,3],"data_offsets":[0,6]},)"
                             R"("eps":{"dtype":"F64","shape":[],"data_offsets":[8,16]}})",
                             {});
    bytes += data;
    auto f = SafetensorsFile::Parse(bytes, "use.safetensors");
    ASSERT_TRUE(f.ok()) << f.error().message;
    auto q = f->Uint8("q", {2, 3});
    ASSERT_TRUE(q.ok()) << q.error().message;
    EXPECT_THAT(*q, ElementsAre(1, 2, 3, 4, 5, 6));
    auto e = f->Float64("eps", {});
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_THAT(*e, ElementsAre(1e-12));
    EXPECT_THAT(f->Uint8("eps", {}).error().message, HasSubstr("tensor eps has dtype F64, expected U8"));
    EXPECT_THAT(f->Float32("q", {2, 3}).error().message, HasSubstr("tensor q has dtype U8, expected F32"));
    EXPECT_THAT(f->Uint8("q", {6}).error().message, HasSubstr("has shape [2, 3], expected [6]"));
}

TEST(Safetensors, RejectsBrokenFiles) {
    EXPECT_THAT(ErrorOf("abc"), HasSubstr("too short"));
    const std::string whole = File(kHeader, kData);
    EXPECT_THAT(ErrorOf(whole.substr(0, 20)), HasSubstr("exceeds the file size"));
    EXPECT_THAT(ErrorOf(whole.substr(0, whole.size() - 8)), HasSubstr("outside the data section"));
    EXPECT_THAT(ErrorOf(File("{not json", {})), HasSubstr("not a JSON object"));
    EXPECT_THAT(ErrorOf(File(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", {1, 2})),
                HasSubstr("tensor x: holds 4 bytes, but F32 [2] needs 8"));
    EXPECT_THAT(ErrorOf(File(R"({"x":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}})", {1})),
                HasSubstr("unknown dtype Q4"));
    EXPECT_THAT(ErrorOf(File(R"({"x":{"dtype":"F32","shape":[1]}})", {1})), HasSubstr("data_offsets"));
    EXPECT_THAT(ErrorOf(File(R"({"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", {1})),
                HasSubstr("bad shape"));
}

}  // namespace
}  // namespace switchboard::encoder
