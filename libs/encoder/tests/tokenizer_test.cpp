#include "switchboard/encoder/tokenizer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace switchboard::encoder {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Pieces = std::vector<std::string>;

// A hand-made vocabulary: ids are positions.
WordPieceTokenizer TinyTokenizer() {
    // clang-format off
    auto t = WordPieceTokenizer::FromVocab({
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",                      // 0-4
        "hello", "world", "cafe", "naive", "un", "##aff", "##able",          // 5-11
        ",", "!", "?", "'", "s", "$", "1", "##2", ".", "5",                   // 12-21
        "как", "и", "##од", "е", "##лка", "日", "本", "a", "##b", "##c",     // 22-31
        "strasse", "stra", "##ß", "##e", "aa", "##a", "-", "σ", "##ς",       // 32-40
    });
    // clang-format on
    EXPECT_TRUE(t.ok()) << t.error().message;
    return std::move(t).value();
}

TEST(WordPieceTokenizer, LowerCasesStripsAccentsAndSplitsPunctuation) {
    const auto t = TinyTokenizer();
    EXPECT_EQ(t.Tokenize("Hello, WORLD!"), (Pieces{"hello", ",", "world", "!"}));
    EXPECT_EQ(t.Tokenize("Café naïve?"), (Pieces{"cafe", "naive", "?"}));
    EXPECT_EQ(t.Tokenize("CAFÉ"), (Pieces{"cafe"}));  // É → e: decomposed, mark dropped, lower-cased
    EXPECT_EQ(t.Tokenize("hello's"), (Pieces{"hello", "'", "s"}));
    EXPECT_EQ(t.Tokenize("$12.5"), (Pieces{"$", "1", "##2", ".", "5"}));
    EXPECT_EQ(t.Tokenize("a-b"), (Pieces{"a", "-", "[UNK]"}));  // "b" alone is not in the vocabulary
}

TEST(WordPieceTokenizer, CyrillicKeepsLettersButLosesBreveAndDiaeresis) {
    const auto t = TinyTokenizer();
    // As BERT-uncased: й → и, ё → е (NFD then the combining mark is dropped), Ё → е.
    EXPECT_EQ(t.Tokenize("Как йод"), (Pieces{"как", "и", "##од"}));
    EXPECT_EQ(t.Tokenize("ёлка Ёлка"), (Pieces{"е", "##лка", "е", "##лка"}));
}

TEST(WordPieceTokenizer, SplitsCjkIdeographsIntoWords) {
    const auto t = TinyTokenizer();
    EXPECT_EQ(t.Tokenize("日本hello"), (Pieces{"日", "本", "hello"}));
}

TEST(WordPieceTokenizer, GreedyLongestMatchWithContinuations) {
    const auto t = TinyTokenizer();
    EXPECT_EQ(t.Tokenize("unaffable"), (Pieces{"un", "##aff", "##able"}));
    EXPECT_EQ(t.Tokenize("abc"), (Pieces{"a", "##b", "##c"}));
    EXPECT_EQ(t.Tokenize("aaa"), (Pieces{"aa", "##a"}));  // longest first, not a + ##a + ##a
    // One unmatchable part makes the whole word [UNK], not a partial split.
    EXPECT_EQ(t.Tokenize("unaffablex hello"), (Pieces{"[UNK]", "hello"}));
    EXPECT_EQ(t.Tokenize("STRASSE Straße"), (Pieces{"strasse", "stra", "##ß", "##e"}));
    // No final-sigma rule: every Σ lower-cases to σ, as in the Rust tokenizer.
    EXPECT_EQ(t.Tokenize("ΣΣ"), (Pieces{"[UNK]"}));
    EXPECT_EQ(t.Tokenize("Σς"), (Pieces{"σ", "##ς"}));
}

TEST(WordPieceTokenizer, WordsOverAHundredCharactersAreUnknown) {
    const auto t = TinyTokenizer();
    EXPECT_EQ(t.Tokenize(std::string(100, 'a')).size(), 99U);  // aa ##a × 98
    EXPECT_EQ(t.Tokenize(std::string(101, 'a')), (Pieces{"[UNK]"}));
}

TEST(WordPieceTokenizer, WhitespaceAndControlCharacters) {
    const auto t = TinyTokenizer();
    EXPECT_EQ(t.Tokenize(" \thello\r\n\u00a0world\u3000"), (Pieces{"hello", "world"}));
    // Zero-width space (Cf), BEL (Cc) and soft hyphen are dropped, joining the word.
    EXPECT_EQ(t.Tokenize("hel\u200blo wor\x07ld c\u00adafe"), (Pieces{"hello", "world", "cafe"}));
    EXPECT_TRUE(t.Tokenize("").empty());
    EXPECT_TRUE(t.Tokenize(" \t\n").empty());
}

TEST(WordPieceTokenizer, InvalidUtf8BytesAreDropped) {
    const auto t = TinyTokenizer();
    EXPECT_EQ(t.Tokenize(std::string("hel\xfflo", 6)), (Pieces{"hello"}));
    EXPECT_EQ(t.Tokenize(std::string("hello\xe2\x82", 7)), (Pieces{"hello"}));  // truncated
    EXPECT_EQ(t.Tokenize(std::string("a\xc0\xaf"
                                     "b",
                                     4)),
              (Pieces{"a", "##b"}));  // overlong '/'
    EXPECT_EQ(t.Tokenize(std::string("a\xed\xa0\x80"
                                     "b",
                                     5)),
              (Pieces{"a", "##b"}));  // surrogate
}

TEST(WordPieceTokenizer, SpecialTokensInTheTextAreKept) {
    const auto t = TinyTokenizer();
    EXPECT_EQ(t.Tokenize("hello[SEP]world [MASK]"), (Pieces{"hello", "[SEP]", "world", "[MASK]"}));
    EXPECT_EQ(t.Tokenize("[mask]"), (Pieces{"[UNK]", "[UNK]", "[UNK]"}));  // case matters: 3 words
}

TEST(WordPieceTokenizer, EncodeAddsClsSepAndTruncates) {
    const auto t = TinyTokenizer();
    EXPECT_THAT(t.Encode("hello world", 128), ElementsAre(2, 5, 6, 3));
    EXPECT_THAT(t.Encode("", 128), ElementsAre(2, 3));
    EXPECT_THAT(t.Encode("hello world hello", 4), ElementsAre(2, 5, 6, 3));
    EXPECT_THAT(t.Encode("unaffable", 4), ElementsAre(2, 9, 10, 3));  // cut inside a word, as HF does
    EXPECT_THAT(t.Encode("hello", 2), ElementsAre(2, 3));
}

TEST(WordPieceTokenizer, RejectsBadVocabularies) {
    auto missing = WordPieceTokenizer::FromVocab({"[CLS]", "[SEP]", "hello"});
    ASSERT_FALSE(missing.ok());
    EXPECT_THAT(missing.error().message, HasSubstr("no [UNK]"));
    auto duplicate = WordPieceTokenizer::FromVocab({"[CLS]", "[SEP]", "[UNK]", "a", "a"});
    ASSERT_FALSE(duplicate.ok());
    EXPECT_THAT(duplicate.error().message, HasSubstr("duplicate token \"a\" at id 4"));
    auto empty = WordPieceTokenizer::FromVocab({"[CLS]", "", "[SEP]", "[UNK]"});
    ASSERT_FALSE(empty.ok());
    EXPECT_THAT(empty.error().message, HasSubstr("empty token at id 1"));
    auto file = WordPieceTokenizer::LoadVocabFile("/nonexistent/vocab.txt");
    ASSERT_FALSE(file.ok());
    EXPECT_THAT(file.error().message, HasSubstr("/nonexistent/vocab.txt"));
}

}  // namespace
}  // namespace switchboard::encoder
