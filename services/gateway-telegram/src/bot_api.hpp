#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "switchboard/channel/delivery.hpp"

namespace switchboard::gateway_telegram {

// The JSON body of a Bot API sendMessage call: {"chat_id", "text", "parse_mode": "HTML"}.
// `html_text` must already be escaped (RenderReply). Pure.
std::string SendMessageBody(std::int64_t chat_id, std::string_view html_text);

// What a sendMessage response means for the reply (`status` 0 = no HTTP response):
//   2xx {"ok":true,"result":{"message_id":N}} → Delivered("N")
//   2xx without ok:true, or unreadable       → Delivered("") if ok is not false (the message was
//                                               taken; sending it again could duplicate it),
//                                               else Failed("rejected")
//   429 → Retry, retry_after = parameters.retry_after seconds (0 if absent)
//   5xx → Retry
//   other 4xx/3xx/1xx (400 chat not found, 403 bot blocked, 401 bad token…) → Failed("rejected")
// platform_response is "<error_code or status> <description>". Pure.
channel::SendAttempt MapSendMessageResponse(int status, std::string_view body);

}  // namespace switchboard::gateway_telegram
