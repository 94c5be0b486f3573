// Needs the real model (tools/encoder/fetch-model). Compares with tools/encoder/reference.py's
// output (tests/data/*.json): a numpy forward pass checked against sentence-transformers' values,
// and Hugging Face tokenizers' token ids.
#include "switchboard/encoder/encoder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace switchboard::encoder {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using testing::ReadJson;

class EncoderTest : public testing::ModelSuite<Encoder> {
protected:
    static void SetUpTestSuite() {
        LoadOnce(Encoder::Load(DefaultModelDir()),
                 "all-MiniLM-L6-v2 (from $SWITCHBOARD_MODEL_DIR or the fetch-model cache path)");
    }
};

TEST_F(EncoderTest, MatchesTheReferenceTokensAndEmbeddings) {
    testing::ExpectMatchesReference(
        "reference.json", encoder_->max_tokens(), 10, 384,
        [&](const std::string& t) { return encoder_->tokenizer().Encode(t, encoder_->max_tokens()); },
        [&](const std::string& t) { return encoder_->Encode(t); });
}

TEST_F(EncoderTest, TokenizesLikeHuggingFaceOnRandomMultilingualText) {
    const auto fixtures = ReadJson("tokenizer_cases.json");
    const auto max_tokens = fixtures["max_tokens"].get<std::size_t>();
    int mismatches = 0;
    for (const auto& c : fixtures["cases"]) {
        const auto text = c["text"].get<std::string>();
        const auto want = c["ids"].get<std::vector<std::int32_t>>();
        const auto got = encoder_->tokenizer().Encode(text, max_tokens);
        if (got != want && ++mismatches <= 5) ADD_FAILURE() << "token ids differ for: " << text;
    }
    EXPECT_EQ(mismatches, 0) << "of " << fixtures["cases"].size();
}

TEST_F(EncoderTest, ParaphrasesAreCloserThanUnrelatedText) {
    const auto query = encoder_->Encode("how do I reset my password");
    const auto paraphrase = encoder_->Encode("I forgot my password");
    const auto unrelated = encoder_->Encode("what is the weather today");
    const float close = Similarity(query, paraphrase);
    const float far = Similarity(query, unrelated);
    EXPECT_GT(close, far + 0.3F) << "close " << close << ", far " << far;
    EXPECT_GT(close, 0.5F);
}

TEST_F(EncoderTest, BatchEqualsOneByOne) {
    std::string long_text;
    for (int i = 0; i < 200; ++i) long_text += "refund ";  // truncated to 128 tokens
    std::vector<std::string> texts = {"How do I reset my password?", "", long_text, std::string(3000, 'a'),
                                      "Как сбросить пароль?"};
    // ~800 tokens in all: more than one internal batch.
    for (int i = 0; i < 100; ++i) texts.push_back("question number " + std::to_string(i) + " about billing");
    const auto batch = encoder_->EncodeBatch(texts);
    ASSERT_EQ(batch.size(), texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        EXPECT_NEAR(Similarity(batch[i], encoder_->Encode(texts[i])), 1.0, 1e-5) << texts[i].substr(0, 40);
    }
    EXPECT_TRUE(encoder_->EncodeBatch({}).empty());
}

TEST_F(EncoderTest, ConcurrentEncodesAgree) {
    const std::vector<std::string> texts = {"reset password", "cancel my subscription", "where is my order",
                                            "talk to a human"};
    std::vector<std::vector<float>> expected;
    for (const auto& t : texts) expected.push_back(encoder_->Encode(t));
    std::vector<int> wrong(4, 0);
    std::vector<std::thread> threads;
    for (int th = 0; th < 4; ++th) {
        threads.emplace_back([&, th] {
            for (int i = 0; i < 20; ++i) {
                const auto& t = texts[static_cast<std::size_t>((th + i) % 4)];
                if (encoder_->Encode(t) != expected[static_cast<std::size_t>((th + i) % 4)]) {
                    ++wrong[static_cast<std::size_t>(th)];
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

// bge-small-en-v1.5: the same BERT code with 12 layers and [CLS] pooling, converted from an ONNX
// export (tools/encoder/fetch-bge-model); its reference was checked against onnxruntime.
class BgeEncoderTest : public testing::ModelSuite<Encoder> {
protected:
    static void SetUpTestSuite() {
        LoadOnce(Encoder::Load(DefaultBgeModelDir()),
                 "bge-small-en-v1.5 (from $SWITCHBOARD_BGE_MODEL_DIR or the fetch-bge-model cache path)");
    }
};

TEST_F(BgeEncoderTest, MatchesTheReferenceTokensAndEmbeddings) {
    testing::ExpectMatchesReference(
        "bge_reference.json", encoder_->max_tokens(), 10, 384,
        [&](const std::string& t) { return encoder_->tokenizer().Encode(t, encoder_->max_tokens()); },
        [&](const std::string& t) { return encoder_->Encode(t); });
}

TEST_F(BgeEncoderTest, BatchEqualsOneByOne) {
    const std::vector<std::string> texts = {"where is my parcel", "", "cancel my order please, it is late"};
    const auto batch = encoder_->EncodeBatch(texts);
    ASSERT_EQ(batch.size(), texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        EXPECT_GE(Similarity(batch[i], encoder_->Encode(texts[i])), 0.99999F) << texts[i];
    }
}

// Load errors say which file is wrong; they use the real files where they need weights.
class EncoderLoadErrors : public EncoderTest {
protected:
    void SetUp() override {
        EncoderTest::SetUp();
        dir_ = fs::temp_directory_path() / ("encoder_test_" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    void Write(const std::string& name, const std::string& content) { std::ofstream(dir_ / name) << content; }
    void LinkReal(const std::string& name) {
        fs::create_symlink(fs::path(DefaultModelDir()) / name, dir_ / name);
    }
    std::string LoadError() {
        auto r = Encoder::Load(dir_.string());
        return r.ok() ? "" : r.error().message;
    }
    fs::path dir_;
};

TEST_F(EncoderLoadErrors, MissingFilesPointToFetchModel) {
    EXPECT_THAT(LoadError(), HasSubstr("has no config.json"));
    EXPECT_THAT(LoadError(), HasSubstr("tools/encoder/fetch-model"));
    EXPECT_THAT(Encoder::Load("/nonexistent/model").error().message, HasSubstr("does not exist"));
}

TEST_F(EncoderLoadErrors, WrongShapeDtypeAndConfig) {
    LinkReal("vocab.txt");
    LinkReal("model.safetensors");
    std::ifstream in(fs::path(DefaultModelDir()) / "config.json");
    auto config = nlohmann::json::parse(in);

    config["hidden_size"] = 768;
    config["intermediate_size"] = 3072;
    Write("config.json", config.dump());
    EXPECT_THAT(LoadError(), HasSubstr("has shape [30522, 384], expected [30522, 768]"));

    config["hidden_size"] = 384;
    config["intermediate_size"] = 1536;
    config["hidden_act"] = "relu";
    Write("config.json", config.dump());
    EXPECT_THAT(LoadError(), HasSubstr("only \"gelu\" is supported"));

    config["hidden_act"] = "gelu";
    config["vocab_size"] = 30000;
    Write("config.json", config.dump());
    EXPECT_THAT(LoadError(), HasSubstr("vocab.txt has 30522 tokens, config.json says 30000"));

    config["vocab_size"] = 30522;
    Write("config.json", config.dump());
    EXPECT_EQ(Encoder::Load(dir_.string(), {.max_tokens = 1000}).error().message,
              "max_tokens must be between 2 and 512, got 1000");
    EXPECT_EQ(LoadError(), "");
}

TEST_F(EncoderLoadErrors, PoolingComesFromThePoolingConfig) {
    for (const char* name : {"vocab.txt", "model.safetensors", "config.json"}) LinkReal(name);
    fs::create_directories(dir_ / "1_Pooling");
    const auto pooling = [&](bool mean, bool cls) {
        Write("1_Pooling/config.json", nlohmann::json{{"word_embedding_dimension", 384},
                                                      {"pooling_mode_mean_tokens", mean},
                                                      {"pooling_mode_cls_token", cls},
                                                      {"pooling_mode_max_tokens", false}}
                                           .dump());
    };
    const std::string text = "how do I reset my password";

    pooling(true, false);
    auto mean = Encoder::Load(dir_.string());
    ASSERT_TRUE(mean.ok()) << mean.error().message;
    EXPECT_GE(Similarity((*mean)->Encode(text), encoder_->Encode(text)), 0.99999F);

    pooling(false, true);
    auto cls = Encoder::Load(dir_.string());
    ASSERT_TRUE(cls.ok()) << cls.error().message;
    const float cosine = Similarity((*cls)->Encode(text), encoder_->Encode(text));
    EXPECT_LT(cosine, 0.99F) << "the [CLS] vector is not the mean of the tokens";

    for (const auto& [m, c] : {std::pair{true, true}, std::pair{false, false}}) {
        pooling(m, c);
        EXPECT_THAT(LoadError(), HasSubstr("exactly one of pooling_mode_mean_tokens and pooling_mode_cls_token"));
    }
    Write("1_Pooling/config.json", "[1]");
    EXPECT_THAT(LoadError(), HasSubstr("not a JSON object"));
}

TEST_F(EncoderLoadErrors, TruncatedWeights) {
    LinkReal("vocab.txt");
    LinkReal("config.json");
    std::ifstream in(fs::path(DefaultModelDir()) / "model.safetensors", std::ios::binary);
    std::string head(1 << 20, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    Write("model.safetensors", head);
    EXPECT_THAT(LoadError(), HasSubstr("outside the data section"));
}

}  // namespace
}  // namespace switchboard::encoder
