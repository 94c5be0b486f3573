#pragma once

#include <memory>
#include <string>

#include "switchboard/core/error.hpp"
#include "switchboard/encoder/encoder.hpp"
#include "switchboard/kb/embedder.hpp"

namespace switchboard::assistant {

// The sentence encoder (all-MiniLM-L6-v2, in process) as the knowledge base's Embedder.
// Thread-safe.
class EncoderEmbedder final : public kb::Embedder {
public:
    explicit EncoderEmbedder(std::unique_ptr<encoder::Encoder> encoder) : encoder_(std::move(encoder)) {}

    // "off" → nullptr (lexical retrieval only); "default" → the model fetched by
    // tools/encoder/fetch-model; anything else is a model directory.
    static Result<std::unique_ptr<EncoderEmbedder>> FromSetting(const std::string& setting) {
        if (setting == "off") return std::unique_ptr<EncoderEmbedder>();
        const std::string dir = setting == "default" ? encoder::DefaultModelDir() : setting;
        auto loaded = encoder::Encoder::Load(dir);
        if (!loaded) return loaded.error();
        return std::make_unique<EncoderEmbedder>(std::move(loaded).value());
    }

    std::vector<float> Embed(std::string_view text) const override { return encoder_->Encode(text); }
    std::vector<std::vector<float>> EmbedBatch(const std::vector<std::string>& texts) const override {
        return encoder_->EncodeBatch(texts);
    }
    std::size_t dim() const override { return encoder_->dim(); }

private:
    std::unique_ptr<encoder::Encoder> encoder_;
};

}  // namespace switchboard::assistant
