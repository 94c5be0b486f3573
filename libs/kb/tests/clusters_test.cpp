#include "switchboard/kb/clusters.hpp"

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

TEST(ClusterQuestions, EmptyInput) {
    EXPECT_TRUE(ClusterQuestions({}).empty());
    EXPECT_TRUE(ClusterQuestions({"", "?!"}).empty());
}

}  // namespace
}  // namespace switchboard::kb
