#include "switchboard/kb/classifier.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "kernels.hpp"

namespace switchboard::kb {

namespace {

void Softmax(std::vector<float>& z) {
    const float top = *std::max_element(z.begin(), z.end());
    float sum = 0;
    for (auto& v : z) {
        v = std::exp(v - top);
        sum += v;
    }
    for (auto& v : z) v /= sum;
}

}  // namespace

LinearClassifier::LinearClassifier(std::size_t sparse_dim, std::size_t dense_dim, std::size_t classes)
    : sparse_dim_(sparse_dim),
      dense_dim_(dense_dim),
      classes_(classes),
      weights_((sparse_dim + dense_dim) * classes, 0.0f),
      bias_(classes, 0.0f) {}

void LinearClassifier::Logits(const FeatureView& x, std::vector<float>& out) const {
    out.assign(bias_.begin(), bias_.end());
    if (!quantized_.empty()) {
        auto row = [&](std::size_t r, float v) {
            kernels::Axpy(v * row_scale_[r], &quantized_[r * classes_], out.data(), classes_);
        };
        for (const auto& f : x.sparse) {
            if (f.index < sparse_dim_) row(f.index, f.value);
        }
        const std::size_t dense = std::min(dense_dim_, x.dense.size());
        for (std::size_t k = 0; k < dense; ++k) {
            if (x.dense[k] != 0) row(sparse_dim_ + k, x.dense[k]);
        }
        return;
    }
    for (const auto& f : x.sparse) {
        if (f.index < sparse_dim_) kernels::Axpy(f.value, &weights_[f.index * classes_], out.data(), classes_);
    }
    const std::size_t dense = std::min(dense_dim_, x.dense.size());
    for (std::size_t k = 0; k < dense; ++k) {
        if (x.dense[k] != 0) kernels::Axpy(x.dense[k], &weights_[(sparse_dim_ + k) * classes_], out.data(), classes_);
    }
}

void LinearClassifier::Probabilities(const FeatureView& x, std::vector<float>& out) const {
    if (classes_ == 0) {
        out.clear();
        return;
    }
    Logits(x, out);
    Softmax(out);
}

void LinearClassifier::Train(const std::vector<Example>& examples, const Options& options) {
    if (classes_ < 2 || examples.empty()) return;
    if (!quantized_.empty()) {  // trained before: go on from the stored weights
        weights_.resize(quantized_.size());
        for (std::size_t i = 0; i < quantized_.size(); ++i) {
            weights_[i] = static_cast<float>(quantized_[i]) * row_scale_[i / classes_];
        }
        quantized_.clear();
    }
    std::vector<std::size_t> order(examples.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::vector<float> p;
    std::vector<std::uint32_t> active;
    std::vector<float> step;
    double features = 0;
    for (const auto& ex : examples) features += static_cast<double>(ex.features.sparse.size() + ex.features.dense.size());
    const double epoch_work = features * static_cast<double>(classes_);
    const int epochs = std::clamp(static_cast<int>(options.max_work / std::max(epoch_work, 1.0)),
                                  std::min(options.min_epochs, options.epochs), options.epochs);
    std::uint64_t rng = 0x9E3779B97F4A7C15ULL;
    for (int epoch = 0; epoch < epochs; ++epoch) {
        for (std::size_t i = order.size(); i > 1; --i) {  // Fisher-Yates with a fixed xorshift stream
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            std::swap(order[i - 1], order[rng % i]);
        }
        const float lr = options.learning_rate / (1.0f + static_cast<float>(epoch));
        for (std::size_t e : order) {
            const Example& ex = examples[e];
            Probabilities(ex.features, p);
            p[ex.label] -= 1.0f;  // the gradient of the loss with respect to the logits
            // Once the model fits, most classes' gradients are negligible: update only the others.
            active.clear();
            step.clear();
            for (std::uint32_t c = 0; c < classes_; ++c) {
                if (std::abs(p[c]) < 1e-4f) continue;
                active.push_back(c);
                step.push_back(lr * p[c]);
                bias_[c] -= lr * p[c];
            }
            auto update = [&](std::size_t row, float value) {
                float* w = &weights_[row * classes_];
                for (std::size_t j = 0; j < active.size(); ++j) w[active[j]] -= value * step[j];
            };
            for (const auto& f : ex.features.sparse) {
                if (f.index < sparse_dim_) update(f.index, f.value);
            }
            const std::size_t dense = std::min(dense_dim_, ex.features.dense.size());
            for (std::size_t k = 0; k < dense; ++k) update(sparse_dim_ + k, ex.features.dense[k]);
        }
        // L2 as weight decay, once an epoch for the examples it saw.
        const float keep = std::max(0.0f, 1.0f - lr * options.l2 * static_cast<float>(examples.size()));
        if (keep < 1.0f) {
            for (auto& w : weights_) w *= keep;
        }
    }
    Quantize();
}

void LinearClassifier::Quantize() {
    const std::size_t rows = sparse_dim_ + dense_dim_;
    quantized_.resize(rows * classes_);
    row_scale_.resize(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        const float* w = &weights_[r * classes_];
        float top = 0;
        for (std::size_t c = 0; c < classes_; ++c) top = std::max(top, std::abs(w[c]));
        row_scale_[r] = top > 0 ? top / 127.0f : 1.0f;
        for (std::size_t c = 0; c < classes_; ++c) {
            quantized_[r * classes_ + c] = static_cast<std::int8_t>(std::lround(w[c] / row_scale_[r]));
        }
    }
    std::vector<float>().swap(weights_);
}

}  // namespace switchboard::kb
