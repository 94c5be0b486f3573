#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace switchboard::encoder {

// EncodeBatch for either model: tokenizes each text and runs the model over groups of texts of at
// most `max_tokens` tokens together (each weight matrix streamed once per group), `dim` floats
// out per text, in order. `model.Embed(sequences, out)` and `tokenize(text)` as in BertModel and
// UseModel.
template <class Model, class Tokenize>
std::vector<std::vector<float>> EmbedInBatches(const Model& model, std::size_t dim, std::size_t max_tokens,
                                               std::span<const std::string> texts, Tokenize&& tokenize) {
    std::vector<std::vector<float>> out;
    out.reserve(texts.size());
    std::vector<std::vector<std::int32_t>> batch;
    std::vector<float> flat;
    std::size_t batch_tokens = 0;
    const auto run = [&] {
        if (batch.empty()) return;
        flat.resize(batch.size() * dim);
        model.Embed(batch, flat.data());
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const auto first = flat.begin() + static_cast<std::ptrdiff_t>(i * dim);
            out.emplace_back(first, first + static_cast<std::ptrdiff_t>(dim));
        }
        batch.clear();
        batch_tokens = 0;
    };
    for (const std::string& text : texts) {
        auto ids = tokenize(text);
        if (batch_tokens + ids.size() > max_tokens) run();
        batch_tokens += ids.size();
        batch.push_back(std::move(ids));
    }
    run();
    return out;
}

}  // namespace switchboard::encoder
