#include "encoder_embedder.hpp"

#include <sstream>

#include "switchboard/encoder/encoder.hpp"
#include "switchboard/encoder/use_encoder.hpp"
#include "switchboard/kb/text.hpp"

namespace switchboard::assistant {

namespace {

// One of libs/encoder's models as a kb::Embedder (they share Encode/EncodeBatch/dim); the model reads
// kb::EncoderText. Thread-safe.
template <class Model>
class ModelEmbedder final : public kb::Embedder {
public:
    explicit ModelEmbedder(std::unique_ptr<Model> model) : model_(std::move(model)) {}
    std::vector<float> Embed(std::string_view text) const override { return model_->Encode(kb::EncoderText(text)); }
    std::vector<std::vector<float>> EmbedBatch(const std::vector<std::string>& texts) const override {
        std::vector<std::string> read;
        read.reserve(texts.size());
        for (const auto& t : texts) read.push_back(kb::EncoderText(t));
        return model_->EncodeBatch(read);
    }
    std::size_t dim() const override { return model_->dim(); }

private:
    std::unique_ptr<Model> model_;
};

template <class Model>
Result<std::unique_ptr<kb::Embedder>> Load(const std::string& dir) {
    auto loaded = Model::Load(dir);
    if (!loaded) return loaded.error();
    return std::unique_ptr<kb::Embedder>(std::make_unique<ModelEmbedder<Model>>(std::move(loaded).value()));
}

}  // namespace

Result<Encoders> LoadEncoders(const std::string& setting, double retrieval_weight, bool cache) {
    Encoders out;
    out.names = "off";
    if (setting == "off" || setting.empty()) return out;
    out.names.clear();
    std::vector<std::pair<std::string, std::string>> items;  // name, model directory
    std::stringstream list(setting);
    std::string item;
    while (std::getline(list, item, ',')) {
        const auto eq = item.find('=');
        std::string name = item.substr(0, eq);
        for (const auto& [other, _] : items) {
            if (other == name)
                return Error::Fatal("sentence encoder '" + name + "' is named twice in '" + setting + "'");
        }
        items.emplace_back(std::move(name), eq == std::string::npos ? "" : item.substr(eq + 1));
    }
    for (const auto& [name, dir] : items) {
        Result<std::unique_ptr<kb::Embedder>> loaded = Error::Fatal("");
        kb::Index::Semantic space;
        space.weight = retrieval_weight;
        if (name == "minilm") {
            loaded = Load<encoder::Encoder>(dir.empty() ? encoder::DefaultModelDir() : dir);
            space.languages = {"en"};  // English-only: it blurs Russian
        } else if (name == "bge") {
            loaded = Load<encoder::Encoder>(dir.empty() ? encoder::DefaultBgeModelDir() : dir);
            space.languages = {"en"};
        } else if (name == "use") {
            loaded = Load<encoder::UseEncoder>(dir.empty() ? encoder::DefaultUseModelDir() : dir);
        } else {
            return Error::Fatal("unknown sentence encoder '" + name +
                                "' (expected 'off' or a comma-separated list of 'minilm', 'bge' and 'use', each "
                                "optionally name=DIR)");
        }
        if (!loaded) return Error::Fatal("sentence encoder '" + name + "': " + loaded.error().message);
        out.owned.push_back(std::move(loaded).value());
        space.embedder = out.owned.back().get();
        out.uncached.push_back(space);
        if (cache) out.owned.push_back(std::make_unique<kb::CachingEmbedder>(*out.owned.back()));
        space.embedder = out.owned.back().get();
        out.spaces.push_back(std::move(space));
        out.names += (out.names.empty() ? "" : ",") + name;
    }
    if (out.spaces.empty()) return Error::Fatal("no sentence encoder named in '" + setting + "'");
    return out;
}

}  // namespace switchboard::assistant
