// Payloads are the Bot API's own examples (core.telegram.org/bots/webhooks "Testing your bot with
// updates") plus objects built field by field from core.telegram.org/bots/api (PhotoSize, Sticker,
// Location, Contact, Venue).
#include "update_parser.hpp"

#include <gtest/gtest.h>

#include "switchboard/core/ids.hpp"

namespace switchboard::gateway_telegram {
namespace {

// The message shell of the documented examples with `content` spliced in.
std::string DocMessage(const std::string& content, const std::string& field = "message") {
    return R"({"update_id":10000,")" + field + R"(":{"date":1441645532,
      "chat":{"last_name":"Test Lastname","type":"private","id":1111111,"first_name":"Test Firstname",
              "username":"Testusername"},
      "message_id":1365,
      "from":{"last_name":"Test Lastname","id":1111111,"first_name":"Test Firstname","username":"Testusername"},
      )" + content +
           "}}";
}

TEST(ParseUpdate, DocumentedTextMessage) {
    auto u = ParseUpdate(DocMessage(R"("text":"/start")"));
    ASSERT_EQ(u.kind, ParsedUpdate::Kind::kMessage) << u.error;
    EXPECT_EQ(u.update_id, 10000);
    EXPECT_EQ(u.conversation_id, "tg-1111111");
    EXPECT_EQ(u.message.text(), "/start");
    EXPECT_EQ(u.message.customer().id(), "1111111");
    EXPECT_EQ(u.message.customer().display_name(), "Test Firstname Test Lastname");
    EXPECT_EQ(u.message.customer().language(), "");
    EXPECT_EQ(u.message.attachments_size(), 0);
    const auto& meta = u.message.channel_metadata();
    EXPECT_EQ(meta.at("telegram.chat_type"), "private");
    EXPECT_EQ(meta.at("telegram.message_id"), "1365");
    EXPECT_EQ(meta.at("telegram.username"), "Testusername");
    EXPECT_EQ(meta.at("telegram.date"), "1441645532");
}

TEST(ParseUpdate, LanguageAndNameFallsBackToUsername) {
    auto u = ParseUpdate(R"({"update_id":5,"message":{"message_id":1,"date":1,
        "chat":{"id":42,"type":"private"},
        "from":{"id":42,"is_bot":false,"first_name":"","username":"anna_k","language_code":"ru"},
        "text":"Привет"}})");
    ASSERT_EQ(u.kind, ParsedUpdate::Kind::kMessage);
    EXPECT_EQ(u.message.customer().display_name(), "anna_k");
    EXPECT_EQ(u.message.customer().language(), "ru");
    EXPECT_EQ(u.message.text(), "Привет");
}

TEST(ParseUpdate, DocumentedAudioVoiceAndDocument) {
    struct Case {
        const char* content;
        const char* kind;
        const char* mime;
        const char* file_name;
        std::int64_t size;
    };
    for (
        const Case& c : {
            Case{
                R"("audio":{"file_id":"AwADBAADbXXXXXXXXXXXGBdhD2l6_XX","duration":243,"mime_type":"audio/mpeg",
                  "file_size":3897500,"title":"Test music file"})",
                "audio", "audio/mpeg", "", 3897500},
            Case{R"("voice":{"file_id":"AwADBAADbXXXXXXXXXXXGBdhD2l6_XX","duration":5,"mime_type":"audio/ogg",
                  "file_size":23000})",
                 "voice", "audio/ogg", "", 23000},
            Case{R"("document":{"file_id":"AwADBAADbXXXXXXXXXXXGBdhD2l6_XX","file_name":"Testfile.pdf",
                  "mime_type":"application/pdf","file_size":536392})",
                 "document", "application/pdf", "Testfile.pdf", 536392},
        }) {
        auto u = ParseUpdate(DocMessage(c.content));
        ASSERT_EQ(u.kind, ParsedUpdate::Kind::kMessage) << c.kind;
        EXPECT_EQ(u.message.text(), "") << c.kind;
        ASSERT_EQ(u.message.attachments_size(), 1) << c.kind;
        const auto& a = u.message.attachments(0);
        EXPECT_EQ(a.kind(), c.kind);
        EXPECT_EQ(a.file_id(), "AwADBAADbXXXXXXXXXXXGBdhD2l6_XX");
        EXPECT_EQ(a.mime_type(), c.mime);
        EXPECT_EQ(a.file_name(), c.file_name);
        EXPECT_EQ(a.size_bytes(), c.size);
    }
}

TEST(ParseUpdate, PhotoTakesTheLargestSizeAndTheCaptionIsTheText) {
    auto u = ParseUpdate(DocMessage(R"("photo":[
        {"file_id":"small","file_unique_id":"u1","width":90,"height":67,"file_size":1254},
        {"file_id":"medium","file_unique_id":"u2","width":320,"height":240,"file_size":20180},
        {"file_id":"large","file_unique_id":"u3","width":1280,"height":960,"file_size":153846}],
        "caption":"my router <looks> like this & blinks red")"));
    ASSERT_EQ(u.kind, ParsedUpdate::Kind::kMessage);
    EXPECT_EQ(u.message.text(), "my router <looks> like this & blinks red");
    ASSERT_EQ(u.message.attachments_size(), 1);
    EXPECT_EQ(u.message.attachments(0).kind(), "photo");
    EXPECT_EQ(u.message.attachments(0).file_id(), "large");
    EXPECT_EQ(u.message.attachments(0).size_bytes(), 153846);
}

TEST(ParseUpdate, StickerWithMimeFromItsFormatAndEmoji) {
    auto u = ParseUpdate(
        DocMessage(R"("sticker":{"file_id":"CAACAgIAAxkBAAI","file_unique_id":"AgAD","type":"regular",
        "width":512,"height":512,"is_animated":true,"is_video":false,"emoji":"👍","set_name":"HotCherry",
        "file_size":24512})"));
    ASSERT_EQ(u.kind, ParsedUpdate::Kind::kMessage);
    ASSERT_EQ(u.message.attachments_size(), 1);
    EXPECT_EQ(u.message.attachments(0).kind(), "sticker");
    EXPECT_EQ(u.message.attachments(0).mime_type(), "application/x-tgsticker");
    EXPECT_EQ(u.message.attachments(0).size_bytes(), 24512);
    EXPECT_EQ(u.message.channel_metadata().at("telegram.sticker_emoji"), "👍");
}

TEST(ParseUpdate, AnimationIsRecordedOnceThoughTelegramAlsoSendsItAsDocument) {
    auto u = ParseUpdate(DocMessage(R"(
        "animation":{"file_id":"anim","file_unique_id":"a","width":320,"height":240,"duration":3,
                     "file_name":"cat.mp4","mime_type":"video/mp4","file_size":90000},
        "document":{"file_id":"anim","file_unique_id":"a","file_name":"cat.mp4","mime_type":"video/mp4",
                    "file_size":90000})"));
    ASSERT_EQ(u.kind, ParsedUpdate::Kind::kMessage);
    ASSERT_EQ(u.message.attachments_size(), 1);
    EXPECT_EQ(u.message.attachments(0).kind(), "video");
    EXPECT_EQ(u.message.attachments(0).file_name(), "cat.mp4");
}

TEST(ParseUpdate, LocationVenueAndContact) {
    auto loc = ParseUpdate(DocMessage(R"("location":{"latitude":52.520008,"longitude":13.404954})"));
    ASSERT_EQ(loc.kind, ParsedUpdate::Kind::kMessage);
    ASSERT_EQ(loc.message.attachments_size(), 1);
    EXPECT_EQ(loc.message.attachments(0).kind(), "location");
    EXPECT_EQ(loc.message.attachments(0).file_id(), "geo:52.520008,13.404954");

    auto venue = ParseUpdate(DocMessage(R"("location":{"latitude":1.5,"longitude":-2.25},
        "venue":{"location":{"latitude":1.5,"longitude":-2.25},"title":"Office","address":"Main St 1"})"));
    ASSERT_EQ(venue.message.attachments_size(), 1);
    EXPECT_EQ(venue.message.attachments(0).file_id(), "geo:1.500000,-2.250000");
    EXPECT_EQ(venue.message.attachments(0).file_name(), "Office Main St 1");

    auto contact = ParseUpdate(DocMessage(R"("contact":{"phone_number":"4915112345678","first_name":"Max",
        "last_name":"Muster","user_id":777})"));
    ASSERT_EQ(contact.message.attachments_size(), 1);
    EXPECT_EQ(contact.message.attachments(0).kind(), "contact");
    EXPECT_EQ(contact.message.attachments(0).file_id(), "tel:+4915112345678");
    EXPECT_EQ(contact.message.attachments(0).file_name(), "Max Muster");
}

TEST(ParseUpdate, PollIsOtherContent) {
    auto u = ParseUpdate(
        DocMessage(R"("poll":{"id":"1","question":"Which plan?","options":[],"is_anonymous":true})"));
    ASSERT_EQ(u.kind, ParsedUpdate::Kind::kMessage);
    ASSERT_EQ(u.message.attachments_size(), 1);
    EXPECT_EQ(u.message.attachments(0).kind(), "other");
    EXPECT_EQ(u.message.attachments(0).file_name(), "poll: Which plan?");
}

TEST(ParseUpdate, GroupChatHasANegativeIdThatIsStillAValidConversationId) {
    auto u = ParseUpdate(R"({"update_id":7,"message":{"message_id":3,"date":1,
        "chat":{"id":-1001234567890,"type":"supergroup","title":"Nimbus users"},
        "from":{"id":99,"is_bot":false,"first_name":"Bo"},"text":"hi all"}})");
    ASSERT_EQ(u.kind, ParsedUpdate::Kind::kMessage);
    EXPECT_EQ(u.conversation_id, "tg--1001234567890");
    EXPECT_TRUE(IsValidExternalId(u.conversation_id));
    EXPECT_EQ(u.message.channel_metadata().at("telegram.chat_title"), "Nimbus users");
    std::int64_t chat = 0;
    ASSERT_TRUE(ChatIdFromConversation(u.conversation_id, chat));
    EXPECT_EQ(chat, -1001234567890);
}

TEST(ParseUpdate, ReplyAndForwardAreNotedInMetadata) {
    auto u = ParseUpdate(DocMessage(R"("forward_from":{"last_name":"Forward Lastname","id":222222,
        "first_name":"Forward Firstname"},"forward_date":1441645550,"text":"/start",
        "reply_to_message":{"date":1441645000,"chat":{"id":1111112,"type":"private"},"message_id":1334,
        "text":"Original"})"));
    ASSERT_EQ(u.kind, ParsedUpdate::Kind::kMessage);
    EXPECT_EQ(u.message.channel_metadata().at("telegram.forwarded"), "true");
    EXPECT_EQ(u.message.channel_metadata().at("telegram.reply_to_message_id"), "1334");
    EXPECT_EQ(u.message.customer().id(), "1111111");  // the sender, not the forwarded author
}

TEST(ParseUpdate, UpdatesWithNothingForUsAreIgnoredByType) {
    EXPECT_EQ(ParseUpdate(DocMessage(R"("text":"Edited text","edit_date":1441646600)", "edited_message"))
                  .ignored_type,
              "edited_message");
    EXPECT_EQ(ParseUpdate(DocMessage(R"("text":"post")", "channel_post")).ignored_type, "channel_post");
    auto inline_query = ParseUpdate(R"({"update_id":10000,"inline_query":{"id":134567890097,
        "from":{"last_name":"Test Lastname","type":"private","id":1111111,"first_name":"Test Firstname",
        "username":"Testusername"},"query":"inline query","offset":""}})");
    EXPECT_EQ(inline_query.kind, ParsedUpdate::Kind::kIgnored);
    EXPECT_EQ(inline_query.ignored_type, "inline_query");
    auto callback = ParseUpdate(R"({"update_id":10000,"callback_query":{"id":"4382bfdwdsb323b2d9",
        "from":{"id":1111111,"first_name":"Test Firstname"},"data":"Data from button callback",
        "inline_message_id":"1234csdbsk4839"}})");
    EXPECT_EQ(callback.ignored_type, "callback_query");
    auto member = ParseUpdate(R"({"update_id":3,"my_chat_member":{"chat":{"id":5,"type":"private"},
        "from":{"id":5,"first_name":"A"},"date":1,"old_chat_member":{"status":"member"},
        "new_chat_member":{"status":"kicked"}}})");
    EXPECT_EQ(member.kind, ParsedUpdate::Kind::kIgnored);
    EXPECT_EQ(member.ignored_type, "my_chat_member");
    auto joined =
        ParseUpdate(DocMessage(R"("new_chat_members":[{"id":5,"is_bot":false,"first_name":"New"}])"));
    EXPECT_EQ(joined.kind, ParsedUpdate::Kind::kIgnored);
    EXPECT_EQ(joined.ignored_type, "service_message");
}

TEST(ParseUpdate, MalformedBodiesAreInvalidWithAReason) {
    struct Case {
        const char* body;
        const char* code;
    };
    for (const Case& c :
         {Case{"", "invalid_json"}, Case{"{oops", "invalid_json"}, Case{"[1,2]", "invalid_json"},
          Case{"\"update\"", "invalid_json"}, Case{"{\"text\":\"\xC3\"}", "invalid_json"},
          Case{R"({"message":{"chat":{"id":1},"text":"x"}})", "invalid_update"},
          Case{R"({"update_id":"7","message":{"chat":{"id":1},"text":"x"}})", "invalid_update"},
          Case{R"({"update_id":-1})", "invalid_update"},
          Case{R"({"update_id":8,"message":{"text":"no chat"}})", "invalid_update"},
          Case{R"({"update_id":8,"message":{"chat":{"id":"abc"},"text":"x"}})", "invalid_update"},
          Case{R"({"update_id":8,"message":{"chat":{"id":1.5},"text":"x"}})", "invalid_update"}}) {
        auto u = ParseUpdate(c.body);
        EXPECT_EQ(u.kind, ParsedUpdate::Kind::kInvalid) << c.body;
        EXPECT_EQ(u.error_code, c.code) << c.body;
        EXPECT_FALSE(u.error.empty());
    }
}

TEST(ChatIdFromConversation, AcceptsOnlyOurIds) {
    std::int64_t id = 0;
    EXPECT_TRUE(ChatIdFromConversation("tg-42", id));
    EXPECT_EQ(id, 42);
    EXPECT_FALSE(ChatIdFromConversation("tg-", id));
    EXPECT_FALSE(ChatIdFromConversation("tg-12x", id));
    EXPECT_FALSE(ChatIdFromConversation("web-12", id));
    EXPECT_FALSE(ChatIdFromConversation("tg-99999999999999999999", id));
    EXPECT_EQ(ConversationIdForChat(-5), "tg--5");
}

}  // namespace
}  // namespace switchboard::gateway_telegram
