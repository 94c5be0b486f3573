#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::gateway_whatsapp {

// The Graph API's Cloud API /messages call, as plain functions (no I/O): the URL and body we send,
// and what the answer means. Thread-safe.

// <api_base>/<version>/<phone_number_id>/messages; a trailing '/' on api_base is ignored.
std::string MessagesUrl(std::string_view api_base, std::string_view version,
                        std::string_view phone_number_id);

// {"messaging_product":"whatsapp","recipient_type":"individual","to":<wa_id>,"type":"text",
//  "text":{"preview_url":false,"body":<text>}}. Invalid UTF-8 is replaced, never rejected.
std::string TextMessageBody(std::string_view wa_id, std::string_view text);

// What a /messages answer means for the reply.
struct SendOutcome {
    enum class Kind {
        kDelivered,  // 200 {"messages":[{"id":"wamid…"}]}
        kRetry,  // throttled (130429, 131056, 80007, 4, HTTP 429) or a server-side fault (5xx, 1, 2, 131000,
                 // 131016)
        kWindowClosed,  // 131047: more than 24 hours since the customer last wrote; needs a template
        kRejected,      // any other 4xx: the request will never succeed as it is
    };
    Kind kind = Kind::kRejected;
    std::string message_id;  // kDelivered
    std::string detail;      // "<code> <message>" (or "<http status> <body start>" when not JSON)
    int error_code = 0;      // Graph API error.code, 0 if none
    std::chrono::milliseconds retry_after{0};  // from a Retry-After header, 0 = use backoff
};

// `retry_after` is the Retry-After header value if any (seconds).
SendOutcome ClassifySendResponse(int http_status, std::string_view body,
                                 std::optional<std::string_view> retry_after = std::nullopt);

// Graph API error codes (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
inline constexpr int kErrorReengagement = 131047;  // free-form message outside the 24-hour window
inline constexpr int kErrorThroughput = 130429;    // Cloud API throughput reached (80 mps per number)
inline constexpr int kErrorPairRate = 131056;      // too many messages to one customer in a short time
inline constexpr int kErrorAccountRate = 80007;    // WhatsApp Business Account rate limit
inline constexpr int kErrorAppRate = 4;            // application request limit

}  // namespace switchboard::gateway_whatsapp
