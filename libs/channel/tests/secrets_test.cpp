#include "switchboard/channel/secrets.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace switchboard::channel {
namespace {

TEST(HmacSha256Hex, MatchesRfc4231TestCase2) {
    EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256Hex, DependsOnKeyAndData) {
    EXPECT_NE(HmacSha256Hex("k1", "body"), HmacSha256Hex("k2", "body"));
    EXPECT_NE(HmacSha256Hex("k1", "body"), HmacSha256Hex("k1", "body "));
    EXPECT_EQ(HmacSha256Hex("k1", "body").size(), 64u);
}

TEST(ConstantTimeEquals, ComparesWholeStrings) {
    EXPECT_TRUE(ConstantTimeEquals("secret-token", "secret-token"));
    EXPECT_FALSE(ConstantTimeEquals("secret-token", "secret-tokem"));
    EXPECT_FALSE(ConstantTimeEquals("secret-token", "Secret-token"));
    EXPECT_FALSE(ConstantTimeEquals("secret", "secret-token"));
    EXPECT_FALSE(ConstantTimeEquals("", "x"));
    EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(ReadSecret, FromTheEnvironment) {
    ::setenv("SB_TEST_SECRET_A", "s3cr3t", 1);
    auto s = ReadSecret("SB_TEST_SECRET_A");
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(*s, "s3cr3t");
    ::unsetenv("SB_TEST_SECRET_A");
}

TEST(ReadSecret, FromAFileWithoutTheTrailingNewline) {
    const auto path = std::filesystem::temp_directory_path() / "sb_test_secret_b";
    std::ofstream(path) << "from-file\n";
    ::unsetenv("SB_TEST_SECRET_B");
    ::setenv("SB_TEST_SECRET_B_FILE", path.c_str(), 1);
    auto s = ReadSecret("SB_TEST_SECRET_B");
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(*s, "from-file");
    ::unsetenv("SB_TEST_SECRET_B_FILE");
    std::filesystem::remove(path);
}

TEST(ReadSecret, MissingNamesTheVariables) {
    ::unsetenv("SB_TEST_SECRET_C");
    ::unsetenv("SB_TEST_SECRET_C_FILE");
    auto s = ReadSecret("SB_TEST_SECRET_C");
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("SB_TEST_SECRET_C"), std::string::npos);
    EXPECT_NE(s.error().message.find("SB_TEST_SECRET_C_FILE"), std::string::npos);
}

TEST(RequireSecret, ThrowsWithTheVariablesNameForAStartUpStep) {
    ::unsetenv("SB_TEST_SECRET_E");
    ::unsetenv("SB_TEST_SECRET_E_FILE");
    try {
        (void)RequireSecret("SB_TEST_SECRET_E");
        FAIL() << "expected an exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("SB_TEST_SECRET_E"), std::string::npos) << e.what();
    }
    ::setenv("SB_TEST_SECRET_E", "value", 1);
    EXPECT_EQ(RequireSecret("SB_TEST_SECRET_E"), "value");
    ::unsetenv("SB_TEST_SECRET_E");
}

TEST(ReadSecret, UnreadableFileIsAnError) {
    ::unsetenv("SB_TEST_SECRET_D");
    ::setenv("SB_TEST_SECRET_D_FILE", "/nonexistent/secret", 1);
    EXPECT_FALSE(ReadSecret("SB_TEST_SECRET_D").ok());
    ::unsetenv("SB_TEST_SECRET_D_FILE");
}

}  // namespace
}  // namespace switchboard::channel
