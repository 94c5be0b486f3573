#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "switchboard/chat/v1/messages.pb.h"

namespace switchboard::gateway_telegram {

// What a Bot API webhook body (one Update object) means to us.
//
// kMessage: `update.message` with something a customer said: text, a caption, or content we record
// as attachments (photo, voice, audio, video, video_note, animation, document, sticker, location,
// venue, contact, poll, dice…). `message` holds text, customer, attachments and channel_metadata;
// the InboundPublisher fills the envelope and ids.
// kIgnored: a well-formed update that carries nothing for us (edited_message, channel_post,
// callback_query, my_chat_member, service messages such as new_chat_members…): answered 200 so
// Telegram does not retry it, counted by `ignored_type`.
// kInvalid: not JSON, not an object, or no usable update_id / chat id: answered 400.
struct ParsedUpdate {
    enum class Kind { kMessage, kIgnored, kInvalid };
    Kind kind = Kind::kInvalid;
    std::int64_t update_id = 0;
    std::string ignored_type;     // kIgnored: the update's field ("edited_message") or "service_message"
    std::string conversation_id;  // kMessage: "tg-<chat id>"
    chat::v1::InboundMessage message;
    std::string error_code;  // kInvalid: "invalid_json" or "invalid_update"
    std::string error;       // kInvalid: for the 400 body; never contains the body itself
};

// Decodes one webhook body. Pure and thread-safe; never throws.
ParsedUpdate ParseUpdate(std::string_view body);

// "tg-<chat id>" for a Telegram chat id (negative for groups; still a valid external id).
std::string ConversationIdForChat(std::int64_t chat_id);
// The chat id of a conversation this gateway named, or false if `conversation_id` is not one.
bool ChatIdFromConversation(std::string_view conversation_id, std::int64_t& chat_id);

}  // namespace switchboard::gateway_telegram
