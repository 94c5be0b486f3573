#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace switchboard::kb {

// One example's features: a few sparse ones (hashed lexical features, index < sparse_dim) and a
// dense block (sentence embeddings, dense_dim floats; may be empty when dense_dim is 0).
struct SparseFeature {
    std::uint32_t index;
    float value;
};

struct FeatureView {
    std::span<const SparseFeature> sparse;
    std::span<const float> dense;
};

// Multinomial logistic regression (one class per article) over sparse + dense features, trained
// by SGD in a fixed order from a fixed seed: the same examples give the same model. Weights are
// stored feature-major (a row of `classes` values per feature), so an example costs
// (its sparse features + dense_dim) row operations; after training they are kept as int8 with a
// scale per row. Immutable after Train: Probabilities is thread-safe.
class LinearClassifier {
public:
    struct Options {
        int epochs = 20;
        float learning_rate = 0.5f;  // at epoch e the rate is learning_rate / (1 + e)
        float l2 = 1e-6f;            // weight decay per example seen
        // Fewer epochs (at least min_epochs) when one epoch costs more than max_work / epochs
        // multiply-adds (examples × features × classes): bounds training on big knowledge bases.
        double max_work = 4e10;
        int min_epochs = 3;
        // Examples whose gradients are computed with the same weights, then applied one after
        // the other (at most kMaxBatch). Each weight row is then read once per batch, not once per
        // example: with thousands of articles the weights do not fit in cache.
        std::size_t batch = 16;
        // A class whose gradient for an example is below this is not updated for it: once the
        // model fits, that is most of thousands, and the few others are updated by index.
        float min_gradient = 1e-4f;
    };
    struct Example {
        FeatureView features;
        std::uint32_t label;
    };

    static constexpr std::size_t kMaxBatch = 64;

    LinearClassifier() = default;
    LinearClassifier(std::size_t sparse_dim, std::size_t dense_dim, std::size_t classes);

    void Train(const std::vector<Example>& examples, const Options& options);
    // Softmax over the classes, written to `out` (resized to classes()).
    void Probabilities(const FeatureView& x, std::vector<float>& out) const;

    std::size_t classes() const { return classes_; }
    bool empty() const { return classes_ == 0; }

private:
    void Logits(const FeatureView& x, std::vector<float>& out) const;

    std::size_t sparse_dim_ = 0;
    std::size_t dense_dim_ = 0;
    std::size_t classes_ = 0;
    std::vector<float> weights_;  // (sparse_dim + dense_dim) rows of classes floats, while training
    // After training: each row as int8 times its scale, a quarter of the memory a question streams
    // through (a row per feature present: with thousands of articles, memory bandwidth is the cost).
    std::vector<std::int8_t> quantized_;
    std::vector<float> row_scale_;
    std::vector<float> bias_;
    void Quantize();
};

}  // namespace switchboard::kb
