// Needs the real model (tools/encoder/fetch-use-model). Compares with the output of the numpy
// backend UseEncoder was ported from (tests/data/use_reference.json, from
// tools/encoder/use_reference.py): token ids (the package's, checked against the SentencePiece
// library's) and embeddings.
#include "switchboard/encoder/use_encoder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "switchboard/encoder/encoder.hpp"  // Similarity

#include "test_support.hpp"

namespace switchboard::encoder {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using testing::ReadJson;

class UseEncoderTest : public testing::ModelSuite<UseEncoder> {
protected:
    static void SetUpTestSuite() {
        LoadOnce(UseEncoder::Load(DefaultUseModelDir()),
                 "USE multilingual v3 (from $SWITCHBOARD_USE_MODEL_DIR or the fetch-use-model cache path)");
    }
};

TEST_F(UseEncoderTest, MatchesTheReferenceTokensAndEmbeddings) {
    testing::ExpectMatchesReference(
        "use_reference.json", encoder_->max_tokens(), 12, 512, [&](const std::string& t) { return encoder_->Tokenize(t); },
        [&](const std::string& t) { return encoder_->Encode(t); });
}

TEST_F(UseEncoderTest, TokenizesLikeSentencePieceOnRandomMultilingualText) {
    const auto fixtures = ReadJson("use_reference.json");
    ASSERT_GE(fixtures["tokenizer_cases"].size(), 100U);
    int mismatches = 0;
    for (const auto& c : fixtures["tokenizer_cases"]) {
        const auto text = c["text"].get<std::string>();
        if (encoder_->Tokenize(text) != c["ids"].get<std::vector<std::int32_t>>() && ++mismatches <= 5)
            ADD_FAILURE() << "token ids differ for: " << text;
    }
    EXPECT_EQ(mismatches, 0) << "of " << fixtures["tokenizer_cases"].size();
}

TEST_F(UseEncoderTest, ParaphrasesAreCloserThanUnrelatedTextAlsoAcrossLanguages) {
    struct Case {
        const char* query;
        const char* paraphrase;
        const char* unrelated;
    };
    for (const auto& [query, paraphrase, unrelated] : {
             Case{"how do I reset my password", "I forgot my password", "what's the weather tomorrow"},
             Case{"how do I reset my password", "Я забыл свой пароль", "Какая погода будет завтра?"},
             Case{"Как сбросить пароль?", "I forgot my password", "what's the weather tomorrow"},
             Case{"cancel my subscription", "Отменить подписку", "Какая погода будет завтра?"},
         }) {
        const auto q = encoder_->Encode(query);
        const float close = Similarity(q, encoder_->Encode(paraphrase));
        const float far = Similarity(q, encoder_->Encode(unrelated));
        EXPECT_GT(close, far + 0.3F) << query << " / " << paraphrase << ": " << close << ", / " << unrelated
                                     << ": " << far;
        EXPECT_GT(close, 0.5F) << query << " / " << paraphrase;
    }
}

TEST_F(UseEncoderTest, AnyInputGivesAUnitVector) {
    std::string huge;
    while (huge.size() < (std::size_t{1} << 20)) huge += "Пароль не подходит, помогите! ";
    const std::string blank(200000, ' ');
    for (const std::string& text :
         {std::string(""), std::string("\xff\xfe\xc3"), std::string("a\0b", 3), std::string("\xed\xa0\x80 x"),
          huge, blank, huge.substr(0, 65535) /* cut inside a character */}) {
        SCOPED_TRACE("text of " + std::to_string(text.size()) + " bytes");
        const auto ids = encoder_->Tokenize(text);
        ASSERT_GE(ids.size(), 3U);
        EXPECT_LE(ids.size(), encoder_->max_tokens());
        EXPECT_EQ(ids.front(), 1);
        EXPECT_EQ(ids.back(), 2);
        const auto v = encoder_->Encode(text);
        EXPECT_TRUE(std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); }));
        EXPECT_NEAR(Similarity(v, v), 1.0, 1e-5);
    }
    EXPECT_EQ(encoder_->Tokenize(""), (std::vector<std::int32_t>{1, 0, 2}));
    EXPECT_EQ(encoder_->Tokenize(huge).size(), encoder_->max_tokens());
    EXPECT_EQ(encoder_->Tokenize(blank), encoder_->Tokenize(""));
}

TEST_F(UseEncoderTest, BatchEqualsOneByOne) {
    std::string long_text;
    for (int i = 0; i < 300; ++i) long_text += "refund ";  // cut at 256 tokens
    std::vector<std::string> texts = {"How do I reset my password?", "", long_text, "\xff bad utf-8",
                                      "Как сбросить пароль?"};
    // ~1200 tokens in all: several internal batches, and one text alone in one.
    for (int i = 0; i < 100; ++i) texts.push_back("вопрос номер " + std::to_string(i) + " про оплату");
    const auto batch = encoder_->EncodeBatch(texts);
    ASSERT_EQ(batch.size(), texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        EXPECT_NEAR(Similarity(batch[i], encoder_->Encode(texts[i])), 1.0, 1e-5) << texts[i].substr(0, 40);
    }
    EXPECT_TRUE(encoder_->EncodeBatch({}).empty());
}

TEST_F(UseEncoderTest, ConcurrentEncodesAgree) {
    const std::vector<std::string> texts = {"reset password", "отменить подписку", "where is my order",
                                            "позовите оператора"};
    std::vector<std::vector<float>> expected;
    for (const auto& t : texts) expected.push_back(encoder_->Encode(t));
    std::vector<int> wrong(4, 0);
    std::vector<std::thread> threads;
    for (int th = 0; th < 4; ++th) {
        threads.emplace_back([&, th] {
            for (int i = 0; i < 50; ++i) {
                const auto k = static_cast<std::size_t>((th + i) % 4);
                if (encoder_->Encode(texts[k]) != expected[k]) ++wrong[static_cast<std::size_t>(th)];
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

// Load errors say which file is wrong; they use the real files where they need them.
class UseEncoderLoadErrors : public UseEncoderTest {
protected:
    void SetUp() override {
        UseEncoderTest::SetUp();
        dir_ = fs::temp_directory_path() / ("use_encoder_test_" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    void Write(const std::string& name, const std::string& content) { std::ofstream(dir_ / name) << content; }
    void LinkReal(const std::string& name) {
        fs::create_symlink(fs::path(DefaultUseModelDir()) / name, dir_ / name);
    }
    std::string LoadError(UseEncoderOptions options = {}) {
        auto r = UseEncoder::Load(dir_.string(), options);
        return r.ok() ? "" : r.error().message;
    }
    fs::path dir_;
};

TEST_F(UseEncoderLoadErrors, MissingFilesPointToFetchUseModel) {
    EXPECT_THAT(LoadError(), HasSubstr("has no sp.model"));
    EXPECT_THAT(LoadError(), HasSubstr("tools/encoder/fetch-use-model"));
    LinkReal("sp.model");
    EXPECT_THAT(LoadError(), HasSubstr("has no use.safetensors"));
    EXPECT_THAT(UseEncoder::Load("/nonexistent/model").error().message, HasSubstr("does not exist"));
    EXPECT_THAT(LoadError({.max_tokens = 2}), HasSubstr("max_tokens must be at least 3"));
}

TEST_F(UseEncoderLoadErrors, BrokenFiles) {
    Write("sp.model", "not a sentencepiece model");
    LinkReal("use.safetensors");
    EXPECT_THAT(LoadError(), HasSubstr("sp.model: "));
    EXPECT_THAT(LoadError(), HasSubstr("fetch-use-model"));

    fs::remove(dir_ / "sp.model");
    fs::remove(dir_ / "use.safetensors");
    LinkReal("sp.model");
    std::ifstream in(fs::path(DefaultUseModelDir()) / "use.safetensors", std::ios::binary);
    std::string head(1 << 20, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    Write("use.safetensors", head);
    EXPECT_THAT(LoadError(), HasSubstr("outside the data section"));
    EXPECT_THAT(LoadError(), HasSubstr("fetch-use-model"));

    fs::remove(dir_ / "use.safetensors");
    LinkReal("use.safetensors");
    EXPECT_EQ(LoadError(), "");
}

}  // namespace
}  // namespace switchboard::encoder
