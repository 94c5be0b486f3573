#include <gtest/gtest.h>

#include "encoder_embedder.hpp"

namespace switchboard::assistant {
namespace {

TEST(EncoderText, AShoutedMessageIsReadInLowerCase) {
    EXPECT_EQ(EncoderText("КАК СБРОСИТЬ ПАРОЛЬ?"), "как сбросить пароль?");
    EXPECT_EQ(EncoderText("HOW DO I RESET MY PASSWORD"), "how do i reset my password");
}

TEST(EncoderText, SentenceCaseAndCapitalizedWordsStayAsTyped) {
    for (const char* typed : {"How do I export a PDF?", "Как сбросить пароль в iOS?", "how do i reset my password",
                              "Где найти квитанцию 🙂"}) {
        EXPECT_EQ(EncoderText(typed), typed);
    }
}

TEST(EncoderText, AWordInTwoScriptsOrWithInvisibleCharactersIsFolded) {
    EXPECT_EQ(EncoderText("как сбросить пaроль"), "как сбросить пароль") << "a Latin a among Cyrillic";
    EXPECT_EQ(EncoderText("reset my pаssword"), "reset my password") << "a Cyrillic а among Latin";
    EXPECT_EQ(EncoderText("удале\u0308нные файлы"), "удалённые файлы") << "е + combining diaeresis";
    EXPECT_EQ(EncoderText("pass\u00ADword"), "password") << "soft hyphen";
    EXPECT_EQ(EncoderText("Reset ｐａｓｓｗｏｒｄ"), "Reset password") << "fullwidth; the other word keeps its case";
}

}  // namespace
}  // namespace switchboard::assistant
