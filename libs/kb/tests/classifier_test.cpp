#include "switchboard/kb/classifier.hpp"

#include <gtest/gtest.h>

#include <algorithm>
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

TEST(LinearClassifier, LearnsOneExampleAtATimeOrInBatchesAndWhileEveryClassMoves) {
    const Data data;
    for (const std::size_t batch : {std::size_t{1}, std::size_t{4}, std::size_t{1000}}) {
        LinearClassifier c(3, 2, 3);
        LinearClassifier::Options options;
        options.batch = batch;  // 1000: capped at kMaxBatch, one batch an epoch
        c.Train(data.Examples(), options);
        std::vector<float> p;
        const std::vector<SparseFeature> only1{{1, 1.0f}};
        c.Probabilities({only1, std::vector<float>{0, 0}}, p);
        EXPECT_GT(p[1], 0.6f) << "batch " << batch;
        const std::vector<SparseFeature> none;
        c.Probabilities({none, std::vector<float>{0, 1}}, p);
        EXPECT_GT(p[2], 0.6f) << "batch " << batch;
    }
}

// Forty classes: once the model fits, most classes' gradients are negligible and only the few
// others are updated, by index (with three classes every update is the all-classes one).
TEST(LinearClassifier, ManyClassesEachFoundByItsFeature) {
    constexpr std::uint32_t kClasses = 40;
    std::vector<std::vector<SparseFeature>> sparse;
    std::vector<LinearClassifier::Example> examples;
    for (std::uint32_t c = 0; c < kClasses; ++c) {
        for (const float v : {1.0f, 0.8f, 0.6f}) sparse.push_back({{c, v}, {kClasses, 0.5f}});  // kClasses: everywhere
    }
    for (std::size_t i = 0; i < sparse.size(); ++i) examples.push_back({{sparse[i], {}}, static_cast<std::uint32_t>(i / 3)});
    LinearClassifier::Options confident;  // to p > 0.99: the other classes' gradients fall below 1e-4
    confident.epochs = 200;
    confident.learning_rate = 20;
    LinearClassifier::Options every_class = confident;
    every_class.min_gradient = 0;
    LinearClassifier c(kClasses + 1, 0, kClasses), full(kClasses + 1, 0, kClasses);
    c.Train(examples, confident);
    full.Train(examples, every_class);
    std::vector<float> p, p_full;
    for (std::uint32_t k = 0; k < kClasses; ++k) {
        const std::vector<SparseFeature> x{{k, 0.9f}, {kClasses, 0.5f}};
        c.Probabilities({x, {}}, p);
        full.Probabilities({x, {}}, p_full);
        EXPECT_EQ(std::max_element(p.begin(), p.end()) - p.begin(), k);
        EXPECT_GT(p[k], 0.99f) << k;
        // Skipping the negligible gradients (and updating the rest by index) is the same model.
        EXPECT_NEAR(p[k], p_full[k], 2e-4f) << k;
    }
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
