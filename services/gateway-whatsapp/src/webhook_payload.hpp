#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/core/error.hpp"

namespace switchboard::gateway_whatsapp {

// What one signed WhatsApp Cloud API webhook POST carries, flattened out of
// entry[].changes[].value (field "messages"). Plain values: no JSON types leak out.

// One customer message (value.messages[]).
struct WaMessage {
    std::string phone_number_id;  // value.metadata.phone_number_id: the business number it reached
    std::string id;               // "wamid.…"
    std::string from;             // the customer's wa_id
    std::string profile_name;     // value.contacts[] matched by wa_id; "" if absent
    std::int64_t timestamp = 0;   // unix seconds, when the customer sent it (0 if absent)
    std::string type;             // "text", "image", "audio", …
    std::string text;             // text body, media caption, chosen button/list title, reaction emoji
    std::vector<chat::v1::Attachment> attachments;
    std::map<std::string, std::string> metadata;  // for InboundMessage.channel_metadata
};

// One delivery receipt for a message we sent (value.statuses[]).
struct WaStatus {
    std::string phone_number_id;
    std::string id;      // the wamid of our message
    std::string status;  // "sent", "delivered", "read", "failed" (others are passed through)
    std::int64_t timestamp = 0;
    std::string recipient_id;  // the customer's wa_id
    std::string error;         // failed: "<code> <title>" of the first errors[] entry
};

struct WebhookPayload {
    std::vector<WaMessage> messages;
    std::vector<WaStatus> statuses;
    // changes[] entries that were not "messages" (account updates, template status…): ignored.
    int ignored_changes = 0;
};

// Parses a webhook body (already authenticated by its signature). Unknown fields and change
// types are ignored; a body that is not JSON, not a whatsapp_business_account object, or whose
// messages/statuses lack the fields every one has (id, from/recipient_id, type/status) is a
// non-retryable Error naming the problem.
Result<WebhookPayload> ParseWebhook(std::string_view body);

}  // namespace switchboard::gateway_whatsapp
