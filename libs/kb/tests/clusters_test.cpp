#include "switchboard/kb/clusters.hpp"

#include "switchboard/kb/embedder.hpp"

#include <gtest/gtest.h>

namespace switchboard::kb {
namespace {

TEST(ClusterQuestions, GroupsParaphrasesAndRanksByCount) {
    const std::vector<std::string> asked = {
        "do you have a student discount", "Do you have a student discount?", "student discount available?",
        "is there a discount for students",  "can I pay with bitcoin",        "can i pay by bitcoin please",
        "what is the weather tomorrow",
    };
    const auto clusters = ClusterQuestions(asked, 0.3);
    ASSERT_GE(clusters.size(), 3u);
    EXPECT_EQ(clusters[0].count, 4u) << clusters[0].representative;
    EXPECT_EQ(clusters[0].representative, "do you have a student discount");
    EXPECT_EQ(clusters[1].count, 2u) << clusters[1].representative;
    EXPECT_NE(clusters[1].representative.find("bitcoin"), std::string::npos);
    std::size_t total = 0;
    for (const auto& c : clusters) total += c.count;
    EXPECT_EQ(total, asked.size()) << "every question lands in exactly one cluster";
}

TEST(ClusterQuestions, ExamplesAreDistinctAndCapped) {
    std::vector<std::string> asked(10, "how to export to pdf");
    for (int i = 0; i < 8; ++i) asked.push_back("how to export to pdf " + std::string(static_cast<std::size_t>(i + 1), '!'));
    const auto clusters = ClusterQuestions(asked, 0.5, 3);
    ASSERT_EQ(clusters.size(), 1u) << "punctuation-only differences are the same phrasing";
    EXPECT_EQ(clusters[0].count, 18u);
    EXPECT_EQ(clusters[0].examples.size(), 1u);
}

// A stand-in sentence encoder: texts about passwords on one axis, cooking on another.
class TopicEmbedder final : public Embedder {
public:
    std::vector<float> Embed(std::string_view text) const override {
        const std::string t(text);
        if (t.find("password") != std::string::npos || t.find("log in") != std::string::npos) return {1, 0, 0};
        if (t.find("pasta") != std::string::npos || t.find("spaghetti") != std::string::npos) return {0, 1, 0};
        return {0, 0, 1};
    }
    std::size_t dim() const override { return 3; }
};

TEST(ClusterQuestions, AnEncoderGroupsByMeaningNotByTheWordsAround) {
    const std::vector<std::string> asked = {
        "how do i reset my password", "how do i cook pasta", "i cannot log in, password lost",
        "how do i boil spaghetti",
    };
    TopicEmbedder topics;
    const auto clusters = ClusterQuestions(asked, 0.5, 5, {{&topics, 2.5, {}}});
    ASSERT_EQ(clusters.size(), 2u);
    for (const auto& c : clusters) {
        EXPECT_EQ(c.count, 2u) << c.representative;
        const bool passwords = c.representative.find("password") != std::string::npos;
        for (const auto& e : c.examples) {
            EXPECT_EQ(e.find("password") != std::string::npos, passwords) << c.representative << " / " << e;
        }
    }
}

TEST(ClusterQuestions, EmptyInput) {
    EXPECT_TRUE(ClusterQuestions({}).empty());
    EXPECT_TRUE(ClusterQuestions({"", "?!"}).empty());
}

}  // namespace
}  // namespace switchboard::kb
