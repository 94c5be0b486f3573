#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::gateway_whatsapp {

// Where a WhatsApp conversation lives: our business phone number and the customer's WhatsApp id.
// The conversation id is "wa-<phone_number_id>-<wa_id>" (both all digits), so a reply can be
// addressed from its conversation id alone and the id satisfies IsValidExternalId.
struct WaAddress {
    std::string phone_number_id;
    std::string wa_id;

    std::string ConversationId() const { return "wa-" + phone_number_id + "-" + wa_id; }
    // std::nullopt unless both parts are 1–60 digits.
    static std::optional<WaAddress> Make(std::string phone_number_id, std::string wa_id);
    static std::optional<WaAddress> FromConversationId(std::string_view conversation_id);
};

}  // namespace switchboard::gateway_whatsapp
