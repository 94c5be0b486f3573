#include "bot_api.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace switchboard::gateway_telegram {

using nlohmann::json;

namespace {

std::string Describe(int status, const json& body) {
    std::string out = std::to_string(status);
    if (body.is_object()) {
        if (auto it = body.find("description"); it != body.end() && it->is_string()) {
            out += " " + it->get<std::string>();
        }
    }
    return out;
}

}  // namespace

std::string SendMessageBody(std::int64_t chat_id, std::string_view html_text) {
    json body{{"chat_id", chat_id}, {"text", html_text}, {"parse_mode", "HTML"}};
    // Replies are text: a preview of the first link would push the answer off the screen.
    body["link_preview_options"] = json{{"is_disabled", true}};
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

channel::SendAttempt MapSendMessageResponse(int status, std::string_view body_text) {
    if (status <= 0) return channel::SendAttempt::Retry("no response from the Bot API");
    const json body = json::parse(body_text, nullptr, /*allow_exceptions=*/false);
    if (status >= 200 && status < 300) {
        const auto ok = body.is_object() ? body.find("ok") : body.end();
        if (ok != body.end() && ok->is_boolean() && !ok->get<bool>()) {
            return channel::SendAttempt::Failed("rejected", Describe(status, body));
        }
        std::string message_id;
        if (body.is_object()) {
            if (auto r = body.find("result"); r != body.end() && r->is_object()) {
                if (auto id = r->find("message_id"); id != r->end() && id->is_number_integer()) {
                    message_id = std::to_string(id->get<std::int64_t>());
                }
            }
        }
        return channel::SendAttempt::Delivered(std::move(message_id));
    }
    const std::string described = Describe(status, body);
    if (status == 429) {
        std::chrono::milliseconds retry_after{0};
        if (body.is_object()) {
            if (auto p = body.find("parameters"); p != body.end() && p->is_object()) {
                if (auto ra = p->find("retry_after");
                    ra != p->end() && ra->is_number_integer() && ra->get<std::int64_t>() > 0) {
                    // Capped: an absurd hint must not overflow (or park the reply for years).
                    constexpr std::int64_t kMaxRetryAfterSeconds = 3600;
                    retry_after = std::chrono::seconds(std::min(ra->get<std::int64_t>(), kMaxRetryAfterSeconds));
                }
            }
        }
        return channel::SendAttempt::Retry(described, retry_after);
    }
    if (status >= 500) return channel::SendAttempt::Retry(described);
    return channel::SendAttempt::Failed("rejected", described);
}

}  // namespace switchboard::gateway_telegram
