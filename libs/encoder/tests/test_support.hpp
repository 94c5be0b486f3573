#pragma once

// What both encoders' integration tests need: their fixtures (tests/data) and a cosine against
// a reference vector in double precision.
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "linear.hpp"
#include "switchboard/core/error.hpp"

namespace switchboard::encoder::testing {

inline nlohmann::json ReadJson(const std::string& name) {
    std::ifstream in(std::string(SWITCHBOARD_ENCODER_TEST_DATA) + "/" + name);
    EXPECT_TRUE(in) << "cannot open test data " << name;
    return nlohmann::json::parse(in);
}

// How far a component may be from a float32 reference: `float32` when the encoder runs in
// float32, more when it multiplies in bfloat16 (SimdLevel::kAvx512Bf16, about 1e-3 off).
inline double Tolerance(double float32) { return BestSimdLevel() == SimdLevel::kAvx512Bf16 ? 3e-3 : float32; }

inline double Cosine(const std::vector<float>& a, const std::vector<double>& b) {
    double dot = 0, na = 0, nb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        dot += a[i] * b[i];
        na += static_cast<double>(a[i]) * a[i];
        nb += b[i] * b[i];
    }
    return dot / std::sqrt(na * nb);
}

// The reference fixture `file` ({"max_tokens", "cases": [{"text", "ids", "embedding"}]}, at least
// `min_cases`) against an encoder with `max_tokens`: `tokenize(text)` gives the ids, `encode(text)`
// an embedding of `dim` floats within cosine 0.9999 and Tolerance(1e-4) per component of the
// reference, unit length. Prints the worst case.
template <class Tokenize, class Encode>
void ExpectMatchesReference(const std::string& file, std::size_t max_tokens, std::size_t min_cases, std::size_t dim,
                            Tokenize tokenize, Encode encode) {
    const auto fixtures = ReadJson(file);
    ASSERT_EQ(fixtures["max_tokens"].get<std::size_t>(), max_tokens);
    ASSERT_GE(fixtures["cases"].size(), min_cases);
    double min_cosine = 1;
    double worst_diff = 0;
    for (const auto& c : fixtures["cases"]) {
        const auto text = c["text"].get<std::string>();
        SCOPED_TRACE("text: " + text.substr(0, 80));
        EXPECT_EQ(tokenize(text), c["ids"].get<std::vector<std::int32_t>>());
        const std::vector<float> got = encode(text);
        ASSERT_EQ(got.size(), dim);
        const auto want = c["embedding"].get<std::vector<double>>();
        const double cosine = Cosine(got, want);
        EXPECT_GE(cosine, 0.9999);
        double max_diff = 0;
        double norm = 0;
        for (std::size_t i = 0; i < got.size(); ++i) {
            max_diff = std::max(max_diff, std::abs(got[i] - want[i]));
            norm += static_cast<double>(got[i]) * got[i];
        }
        EXPECT_LT(max_diff, Tolerance(1e-4));
        EXPECT_NEAR(norm, 1.0, 1e-5);
        min_cosine = std::min(min_cosine, cosine);
        worst_diff = std::max(worst_diff, max_diff);
    }
    std::cout << "vs reference: min cosine 1 - " << std::setprecision(3) << 1 - min_cosine << ", max |difference| "
              << worst_diff << "\n";
}

// A suite sharing one loaded model. Derived suites call LoadOnce from SetUpTestSuite. A model
// that fails to load fails every test (a missing model is a broken install, not an optional extra).
template <class Model>
class ModelSuite : public ::testing::Test {
protected:
    static void LoadOnce(Result<std::unique_ptr<Model>> loaded, const std::string& what) {
        if (loaded.ok()) {
            encoder_ = std::move(loaded).value().release();
        } else {
            load_error_ = "cannot load " + what + ": " + loaded.error().message;
        }
    }
    static void TearDownTestSuite() {
        delete encoder_;
        encoder_ = nullptr;
    }
    void SetUp() override { ASSERT_NE(encoder_, nullptr) << load_error_; }

    static inline const Model* encoder_ = nullptr;
    static inline std::string load_error_;
};

}  // namespace switchboard::encoder::testing
