#pragma once

// What both encoders' integration tests need: their fixtures (tests/data) and a cosine against
// a reference vector in double precision.
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

namespace switchboard::encoder::testing {

inline nlohmann::json ReadJson(const std::string& name) {
    std::ifstream in(std::string(SWITCHBOARD_ENCODER_TEST_DATA) + "/" + name);
    EXPECT_TRUE(in) << "cannot open test data " << name;
    return nlohmann::json::parse(in);
}

inline double Cosine(const std::vector<float>& a, const std::vector<double>& b) {
    double dot = 0, na = 0, nb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        dot += a[i] * b[i];
        na += static_cast<double>(a[i]) * a[i];
        nb += b[i] * b[i];
    }
    return dot / std::sqrt(na * nb);
}

}  // namespace switchboard::encoder::testing
