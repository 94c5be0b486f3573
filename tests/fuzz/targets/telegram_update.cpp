// Telegram Bot API webhook body → ParseUpdate (services/gateway-telegram/src/update_parser.*).
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "update_parser.hpp"

using switchboard::gateway_telegram::ParsedUpdate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace tg = switchboard::gateway_telegram;
    const auto body = switchboard::fuzz::AsText(data, size);
    const ParsedUpdate u = tg::ParseUpdate(body);  // documented: never throws
    switch (u.kind) {
        case ParsedUpdate::Kind::kMessage: {
            std::int64_t chat = 0;
            FUZZ_CHECK(tg::ChatIdFromConversation(u.conversation_id, chat),
                       "a parsed message's conversation id is one ChatIdFromConversation accepts");
            FUZZ_CHECK(tg::ConversationIdForChat(chat) == u.conversation_id,
                       "conversation id round-trips through the chat id");
            // The message goes to Kafka as a protobuf: proto3 string fields must be UTF-8, or every
            // consumer fails to parse it (a poison message).
            std::string wire;
            FUZZ_CHECK(u.message.SerializeToString(&wire), "the parsed InboundMessage serializes");
            switchboard::chat::v1::InboundMessage back;
            FUZZ_CHECK(back.ParseFromString(wire), "consumers can parse the InboundMessage back");
            break;
        }
        case ParsedUpdate::Kind::kInvalid:
            FUZZ_CHECK(!u.error_code.empty(), "an invalid update names its error code");
            break;
        case ParsedUpdate::Kind::kIgnored:
            // ignored_type is the update's first field name, any string ("" included): the probe
            // folds odd ones into "other", so nothing to check here.
            break;
    }
    // The conversation-id helpers also read outside input (ids coming back from routing).
    std::int64_t chat = 0;
    if (tg::ChatIdFromConversation(body, chat)) {
        std::int64_t again = 0;
        FUZZ_CHECK(tg::ChatIdFromConversation(tg::ConversationIdForChat(chat), again) && again == chat,
                   "a chat id read from a conversation id round-trips");
    }
    return 0;
}
