#pragma once

#include <string_view>

#include "switchboard/chat/v1/events.pb.h"

namespace switchboard::events {

// Metric-label and log spellings of the record enums, one place for every service.
// "customer_request", "low_confidence", "bot_failed"; "unspecified" otherwise.
std::string_view HandoffReasonLabel(chat::v1::HandoffReason reason);
// "operator" for RESPONDER_OPERATOR, "bot" otherwise.
std::string_view ResponderLabel(chat::v1::Responder responder);

}  // namespace switchboard::events
