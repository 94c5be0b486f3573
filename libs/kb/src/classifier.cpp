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
    double features = 0;
    for (const auto& ex : examples) features += static_cast<double>(ex.features.sparse.size() + ex.features.dense.size());
    const double epoch_work = features * static_cast<double>(classes_);
    const int epochs = std::clamp(static_cast<int>(options.max_work / std::max(epoch_work, 1.0)),
                                  std::min(options.min_epochs, options.epochs), options.epochs);
    std::uint64_t rng = 0x9E3779B97F4A7C15ULL;
    const std::size_t batch = std::clamp<std::size_t>(options.batch, 1, kMaxBatch);
    // Per example of a batch: its logits (then probabilities), and the classes it updates.
    std::vector<std::vector<float>> p(batch);
    std::vector<std::vector<std::uint32_t>> active(batch);
    std::vector<std::vector<float>> step(batch);
    std::vector<char> every_class(batch);  // the step is p[b] itself, for every class
    for (int epoch = 0; epoch < epochs; ++epoch) {
        for (std::size_t i = order.size(); i > 1; --i) {  // Fisher-Yates with a fixed xorshift stream
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            std::swap(order[i - 1], order[rng % i]);
        }
        const float lr = options.learning_rate / (1.0f + static_cast<float>(epoch));
        for (std::size_t first = 0; first < order.size(); first += batch) {
            const std::size_t n = std::min(batch, order.size() - first);
            const Example* ex[kMaxBatch];
            for (std::size_t b = 0; b < n; ++b) ex[b] = &examples[order[first + b]];
            // Forward, all of the batch with the same weights: each dense row is read once for
            // the batch (the rows of thousands of classes do not fit in cache; reading them once
            // per example made training memory-bound).
            for (std::size_t b = 0; b < n; ++b) {
                p[b].assign(bias_.begin(), bias_.end());
                for (const auto& f : ex[b]->features.sparse) {
                    if (f.index < sparse_dim_) kernels::Axpy(f.value, &weights_[f.index * classes_], p[b].data(), classes_);
                }
            }
            for (std::size_t k = 0; k < dense_dim_; ++k) {
                const float* row = &weights_[(sparse_dim_ + k) * classes_];
                for (std::size_t b = 0; b < n; ++b) {
                    const auto& dense = ex[b]->features.dense;
                    if (k < dense.size() && dense[k] != 0) kernels::Axpy(dense[k], row, p[b].data(), classes_);
                }
            }
            for (std::size_t b = 0; b < n; ++b) {
                Softmax(p[b]);
                p[b][ex[b]->label] -= 1.0f;  // the gradient of the loss with respect to the logits
                // Once the model fits, most classes' gradients are negligible: update only the
                // others, by index. While many are not (early on), every class, vectorized: the
                // step of the negligible ones set to 0.
                active[b].clear();
                step[b].clear();
                for (std::uint32_t c = 0; c < classes_; ++c) {
                    if (std::abs(p[b][c]) < options.min_gradient) continue;
                    active[b].push_back(c);
                    step[b].push_back(lr * p[b][c]);
                    bias_[c] -= lr * p[b][c];
                }
                every_class[b] = active[b].size() * 4 > classes_;
                if (every_class[b]) {
                    for (auto& v : p[b]) v = std::abs(v) < options.min_gradient ? 0.0f : lr * v;
                }
            }
            auto update = [&](std::size_t b, std::size_t row, float value) {
                float* w = &weights_[row * classes_];
                if (every_class[b]) {
                    kernels::Axpy(-value, p[b].data(), w, classes_);
                    return;
                }
                for (std::size_t j = 0; j < active[b].size(); ++j) w[active[b][j]] -= value * step[b][j];
            };
            for (std::size_t b = 0; b < n; ++b) {
                for (const auto& f : ex[b]->features.sparse) {
                    if (f.index < sparse_dim_) update(b, f.index, f.value);
                }
            }
            for (std::size_t k = 0; k < dense_dim_; ++k) {
                for (std::size_t b = 0; b < n; ++b) {
                    const auto& dense = ex[b]->features.dense;
                    if (k < dense.size()) update(b, sparse_dim_ + k, dense[k]);
                }
            }
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
