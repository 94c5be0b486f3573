#include "switchboard/events/labels.hpp"

namespace switchboard::events {

std::string_view HandoffReasonLabel(chat::v1::HandoffReason reason) {
    switch (reason) {
        case chat::v1::HANDOFF_REASON_CUSTOMER_REQUEST: return "customer_request";
        case chat::v1::HANDOFF_REASON_LOW_CONFIDENCE: return "low_confidence";
        case chat::v1::HANDOFF_REASON_BOT_FAILED: return "bot_failed";
        case chat::v1::HANDOFF_REASON_UNSUPPORTED_CONTENT: return "unsupported_content";
        case chat::v1::HANDOFF_REASON_CHANNEL_WINDOW_CLOSED: return "channel_window_closed";
        default: return "unspecified";
    }
}

std::string_view ResponderLabel(chat::v1::Responder responder) {
    return responder == chat::v1::RESPONDER_OPERATOR ? "operator" : "bot";
}

}  // namespace switchboard::events
