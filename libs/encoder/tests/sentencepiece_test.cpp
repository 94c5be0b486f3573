#include "sentencepiece.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace switchboard::encoder {
namespace {

// Protobuf wire format, just enough to write a ModelProto by hand.
std::string Varint(std::uint64_t v) {
    std::string out;
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
    return out;
}
std::string Bytes(int field, const std::string& b) { return Varint(static_cast<std::uint64_t>(field) << 3 | 2) + Varint(b.size()) + b; }
std::string Piece(const std::string& text, float score, int type = 1) {
    std::string f(4, '\0');
    std::memcpy(f.data(), &score, 4);
    return Bytes(1, Bytes(1, text) + Varint(2 << 3 | 5) + f + Varint(3 << 3 | 0) + Varint(static_cast<std::uint64_t>(type)));
}

// No charsmap: the text is only whitespace-normalized. "▁" is U+2581.
UnigramTokenizer Sample() {
    const std::string model = Piece("<unk>", 0, 2) + Piece("<s>", 0, 3) + Piece("</s>", 0, 3) +  // 0, 1, 2
                              Piece("\u2581", -2) + Piece("\u2581a", -1) + Piece("b", -3) +         // 3, 4, 5
                              Piece("\u2581ab", -1.5f) + Piece("a", -3) + Piece("ё", -2) +           // 6, 7, 8
                              Piece("<s>x", 0, 3);                                                   // 9 (control)
    auto t = UnigramTokenizer::Parse(model, "sample");
    EXPECT_TRUE(t) << t.error().message;
    return std::move(t).value();
}

TEST(UnigramTokenizer, ViterbiPicksTheBestScoringSegmentation) {
    const auto t = Sample();
    EXPECT_EQ(t.size(), 10u);
    EXPECT_EQ(t.Encode("ab"), (std::vector<int>{6}));        // "▁ab" -1.5 beats "▁a"+"b" -4
    EXPECT_EQ(t.Encode("a a"), (std::vector<int>{4, 4}));    // "▁a" "▁a"
    EXPECT_EQ(t.Encode("ё"), (std::vector<int>{3, 8}));      // a two-byte character as one piece
}

TEST(UnigramTokenizer, NormalizesWhitespaceLikeSentencePiece) {
    const auto t = Sample();
    EXPECT_EQ(t.Normalize("  a   ab  "), "\u2581a\u2581ab");
    EXPECT_EQ(t.Encode("  a   ab  "), t.Encode("a ab"));
    EXPECT_EQ(t.Encode(""), (std::vector<int>{UnigramTokenizer::kUnk}));
    EXPECT_EQ(t.Encode("   "), (std::vector<int>{UnigramTokenizer::kUnk}));
}

TEST(UnigramTokenizer, UnknownRunsAreOneUnkAndControlPiecesNeverMatch) {
    const auto t = Sample();
    EXPECT_EQ(t.Encode("a zz€"), (std::vector<int>{4, 3, 0}));  // "▁a" "▁" <unk> for "zz€"
    EXPECT_EQ(t.Encode("<s>x"), (std::vector<int>{3, 0}));      // not the control piece 9
    // Malformed UTF-8 is one unknown character per bad byte, never a crash.
    EXPECT_EQ(t.Encode(std::string("a\xff\xfe", 3)), (std::vector<int>{4, 0}));
}

TEST(UnigramTokenizer, RejectsWhatIsNotAModel) {
    for (const std::string& bad : {std::string(), std::string("\x0a\xff", 2), std::string("hello world")}) {
        auto t = UnigramTokenizer::Parse(bad, "bad.model");
        ASSERT_FALSE(t);
        EXPECT_NE(t.error().message.find("bad.model"), std::string::npos) << t.error().message;
    }
    EXPECT_FALSE(UnigramTokenizer::Load("/nonexistent/sp.model"));
}

}  // namespace
}  // namespace switchboard::encoder
