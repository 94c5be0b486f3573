#include "switchboard/encoder/encoder.hpp"

#include <algorithm>
#include <cassert>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <utility>

#include "bert_model.hpp"
#include "batching.hpp"
#include "model_dir.hpp"
#include "safetensors.hpp"

namespace switchboard::encoder {
namespace {

namespace fs = std::filesystem;

// EncodeBatch runs at most this many tokens through the model at once: plenty for efficient
// matrix products, few enough to bound scratch memory (~8 MiB per thread).
constexpr std::size_t kBatchTokens = 512;

constexpr const char* kFetchHint =
    " (install the model with tools/encoder/fetch-model, or point SWITCHBOARD_MODEL_DIR at it)";

Result<std::string> ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::Fatal("cannot open " + path.string());
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Result<BertConfig> ParseConfig(const fs::path& path) {
    auto text = ReadFile(path);
    if (!text) return text.error();
    const auto j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    const auto fail = [&](const std::string& what) { return Error::Fatal(path.string() + ": " + what); };
    if (j.is_discarded() || !j.is_object()) return fail("not a JSON object");
    const auto string_field = [&](const char* key, const char* expected) -> std::string {
        const auto it = j.find(key);
        if (it == j.end()) return {};
        if (!it->is_string() || it->get<std::string>() != expected) {
            return std::string(key) + " is " + it->dump() + ", only \"" + expected + "\" is supported";
        }
        return {};
    };
    for (const auto& [key, expected] : {std::pair{"model_type", "bert"}, std::pair{"hidden_act", "gelu"},
                                        std::pair{"position_embedding_type", "absolute"}}) {
        if (auto problem = string_field(key, expected); !problem.empty()) return fail(problem);
    }
    BertConfig c;
    for (const auto& [key, field] :
         {std::pair{"vocab_size", &c.vocab_size}, std::pair{"hidden_size", &c.hidden},
          std::pair{"num_hidden_layers", &c.layers}, std::pair{"num_attention_heads", &c.heads},
          std::pair{"intermediate_size", &c.intermediate},
          std::pair{"max_position_embeddings", &c.max_positions},
          std::pair{"type_vocab_size", &c.type_vocab}}) {
        const auto it = j.find(key);
        if (it == j.end() || !it->is_number_unsigned() || it->get<std::int64_t>() == 0) {
            return fail(std::string("missing or bad ") + key);
        }
        *field = it->get<std::int64_t>();
    }
    if (const auto it = j.find("layer_norm_eps"); it != j.end()) {
        if (!it->is_number()) return fail("bad layer_norm_eps");
        c.layer_norm_eps = it->get<float>();
    }
    return c;
}

// sentence-transformers' pooling config, when present, must name exactly one of the two poolings
// this encoder does: mean (the default when there is no config) or the [CLS] token.
Result<BertConfig::Pooling> ReadPooling(const fs::path& path) {
    if (!fs::exists(path)) return BertConfig::Pooling::kMean;
    auto text = ReadFile(path);
    if (!text) return text.error();
    const auto j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return Error::Fatal(path.string() + ": not a JSON object");
    const auto on = [&](const char* key) {
        const auto it = j.find(key);
        return it != j.end() && it->is_boolean() && it->get<bool>();
    };
    int modes = 0;
    for (const auto& [key, _] : j.items()) modes += key.starts_with("pooling_mode_") && on(key.c_str()) ? 1 : 0;
    if (modes == 1 && on("pooling_mode_mean_tokens")) return BertConfig::Pooling::kMean;
    if (modes == 1 && on("pooling_mode_cls_token")) return BertConfig::Pooling::kCls;
    return Error::Fatal(path.string() +
                        ": exactly one of pooling_mode_mean_tokens and pooling_mode_cls_token must be true");
}

}  // namespace

Encoder::Encoder(EncoderOptions options, WordPieceTokenizer tokenizer, std::unique_ptr<BertModel> model)
    : options_(options), tokenizer_(std::move(tokenizer)), model_(std::move(model)) {}

Encoder::~Encoder() = default;

Result<std::unique_ptr<Encoder>> Encoder::Load(const std::string& model_dir, EncoderOptions options) {
    const fs::path dir(model_dir);
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return Error::Fatal("model directory " + model_dir + " does not exist" + kFetchHint);
    for (const char* name : {"config.json", "vocab.txt", "model.safetensors"}) {
        if (!fs::is_regular_file(dir / name, ec)) {
            return Error::Fatal("model directory " + model_dir + " has no " + name + kFetchHint);
        }
    }
    auto config = ParseConfig(dir / "config.json");
    if (!config) return config.error();
    auto pooling = ReadPooling(dir / "1_Pooling" / "config.json");
    if (!pooling) return pooling.error();
    config->pooling = *pooling;
    if (options.max_tokens < 2 || static_cast<std::int64_t>(options.max_tokens) > config->max_positions) {
        return Error::Fatal("max_tokens must be between 2 and " + std::to_string(config->max_positions) +
                            ", got " + std::to_string(options.max_tokens));
    }
    auto tokenizer = WordPieceTokenizer::LoadVocabFile((dir / "vocab.txt").string());
    if (!tokenizer) return tokenizer.error();
    if (static_cast<std::int64_t>(tokenizer->vocab_size()) != config->vocab_size) {
        return Error::Fatal("vocab.txt has " + std::to_string(tokenizer->vocab_size()) +
                            " tokens, config.json says " + std::to_string(config->vocab_size));
    }
    auto weights = SafetensorsFile::Read((dir / "model.safetensors").string());
    if (!weights) return weights.error();
    auto model = BertModel::Load(*weights, *config);
    if (!model) return model.error();
    return std::unique_ptr<Encoder>(new Encoder(options, std::move(*tokenizer), std::move(*model)));
}

std::size_t Encoder::dim() const { return static_cast<std::size_t>(model_->config().hidden); }

std::vector<float> Encoder::Encode(std::string_view text) const {
    const std::vector<std::int32_t> ids = tokenizer_.Encode(text, options_.max_tokens);
    std::vector<float> out(dim());
    model_->Embed(std::span(&ids, 1), out.data());
    return out;
}

std::vector<std::vector<float>> Encoder::EncodeBatch(std::span<const std::string> texts) const {
    return EmbedInBatches(*model_, dim(), kBatchTokens, texts, [this](const std::string& t) { return tokenizer_.Encode(t, options_.max_tokens); });
}

float Similarity(std::span<const float> a, std::span<const float> b) {
    assert(a.size() == b.size());
    float dot = 0;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) dot += a[i] * b[i];
    return dot;
}

std::string DefaultModelDir() { return ModelDir("SWITCHBOARD_MODEL_DIR", "all-MiniLM-L6-v2"); }

std::string DefaultBgeModelDir() { return ModelDir("SWITCHBOARD_BGE_MODEL_DIR", "bge-small-en-v1.5"); }

}  // namespace switchboard::encoder
