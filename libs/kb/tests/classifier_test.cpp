#include "switchboard/kb/classifier.hpp"

#include <gtest/gtest.h>

#include <numeric>

namespace switchboard::kb {
namespace {

// Three classes: class 0 marked by sparse feature 0, class 1 by sparse feature 1, class 2 by the
// dense block pointing along its second axis. Feature 2 appears everywhere (no evidence).
struct Data {
    std::vector<std::vector<SparseFeature>> sparse{{{0, 1.0f}, {2, 0.5f}}, {{0, 0.8f}}, {{1, 1.0f}, {2, 0.5f}},
                                                   {{1, 0.9f}}, {{2, 0.5f}}, {{2, 0.4f}}};
    std::vector<std::vector<float>> dense{{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 1}, {0.1f, 0.9f}};
    std::vector<std::uint32_t> labels{0, 0, 1, 1, 2, 2};

    std::vector<LinearClassifier::Example> Examples() const {
        std::vector<LinearClassifier::Example> out;
        for (std::size_t i = 0; i < labels.size(); ++i) out.push_back({{sparse[i], dense[i]}, labels[i]});
        return out;
    }
};

TEST(LinearClassifier, LearnsSparseAndDenseEvidence) {
    const Data data;
    LinearClassifier c(3, 2, 3);
    c.Train(data.Examples(), {});
    std::vector<float> p;
    const std::vector<SparseFeature> only0{{0, 1.0f}};
    c.Probabilities({only0, std::vector<float>{0, 0}}, p);
    ASSERT_EQ(p.size(), 3u);
    EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0f), 1.0f, 1e-5f);
    EXPECT_GT(p[0], 0.6f);
    const std::vector<SparseFeature> none;
    c.Probabilities({none, std::vector<float>{0, 1}}, p);
    EXPECT_GT(p[2], 0.6f) << "the dense block alone picks class 2";
    // A feature index past the hashed range and a short dense block are ignored, not read.
    const std::vector<SparseFeature> out_of_range{{99, 5.0f}, {1, 1.0f}};
    c.Probabilities({out_of_range, std::vector<float>{}}, p);
    EXPECT_GT(p[1], p[0]);
    EXPECT_GT(p[1], p[2]);
}

TEST(LinearClassifier, SameDataSameModelAndNoTrainingMeansUniform) {
    const Data data;
    LinearClassifier a(3, 2, 3), b(3, 2, 3), untrained(3, 2, 3);
    a.Train(data.Examples(), {});
    b.Train(data.Examples(), {});
    std::vector<float> pa, pb, pu;
    const std::vector<SparseFeature> x{{1, 0.7f}, {2, 0.3f}};
    a.Probabilities({x, std::vector<float>{0.2f, 0.1f}}, pa);
    b.Probabilities({x, std::vector<float>{0.2f, 0.1f}}, pb);
    EXPECT_EQ(pa, pb);
    untrained.Probabilities({x, std::vector<float>{0.2f, 0.1f}}, pu);
    for (const float v : pu) EXPECT_NEAR(v, 1.0f / 3, 1e-6f);
    LinearClassifier none;
    none.Probabilities({x, {}}, pu);
    EXPECT_TRUE(pu.empty());
    EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace switchboard::kb
