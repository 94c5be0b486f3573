#pragma once

#include "switchboard/core/utf8.hpp"

#include <string>
#include <string_view>

#include "switchboard/core/error.hpp"

namespace switchboard::gateway_web {

// A customer's message as posted by the widget to POST /v1/messages:
//   {"conversation_id": "c-1", "text": "…", "message_id": "client-42",
//    "customer": {"id": "…", "name": "…", "language": "en"}}
// message_id (optional) is the widget's own id: a retried POST with the same one is accepted once.
struct SendRequest {
    std::string conversation_id;
    std::string text;
    std::string client_message_id;  // empty if the client gave none
    std::string customer_id;
    std::string customer_name;
    std::string language;
};

// A rejected request: HTTP status, machine-readable code, human message.
struct Rejection {
    int status;
    std::string code;
    std::string message;
};

constexpr std::size_t kMaxTextBytes = 4000;

// Validates and decodes a POST /v1/messages body. Pure; thread-safe.
// Rejections: invalid_json, invalid_conversation_id, invalid_text (missing, empty, not UTF-8),
// text_too_long (413), invalid_message_id, invalid_customer.
struct ParseOutcome {
    bool ok = false;
    SendRequest request;
    Rejection rejection{400, "", ""};
};
ParseOutcome ParseSendRequest(std::string_view body);

using switchboard::IsValidUtf8;  // switchboard/core/utf8.hpp

}  // namespace switchboard::gateway_web
