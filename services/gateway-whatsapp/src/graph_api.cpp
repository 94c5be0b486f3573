#include "graph_api.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace switchboard::gateway_whatsapp {

using nlohmann::json;

std::string MessagesUrl(std::string_view api_base, std::string_view version,
                        std::string_view phone_number_id) {
    while (!api_base.empty() && api_base.back() == '/') api_base.remove_suffix(1);
    return std::string(api_base) + "/" + std::string(version) + "/" + std::string(phone_number_id) +
           "/messages";
}

std::string TextMessageBody(std::string_view wa_id, std::string_view text) {
    const json body{{"messaging_product", "whatsapp"},
                    {"recipient_type", "individual"},
                    {"to", wa_id},
                    {"type", "text"},
                    {"text", {{"preview_url", false}, {"body", text}}}};
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

bool Throttled(int code) {
    return code == kErrorThroughput || code == kErrorPairRate || code == kErrorAccountRate ||
           code == kErrorAppRate;
}

// "Unknown", "Service" (temporary downtime), "Something went wrong", "Service unavailable".
bool Transient(int code) { return code == 1 || code == 2 || code == 131000 || code == 131016; }

std::chrono::milliseconds RetryAfter(std::optional<std::string_view> header) {
    if (!header) return std::chrono::milliseconds(0);
    long long seconds = 0;
    const auto [ptr, ec] = std::from_chars(header->data(), header->data() + header->size(), seconds);
    if (ec != std::errc() || ptr != header->data() + header->size() || seconds < 0)
        return std::chrono::milliseconds(0);
    return std::chrono::seconds(std::min(seconds, 3600LL));
}

std::string Prefix(std::string_view s, std::size_t n) {
    return std::string(s.substr(0, std::min(n, s.size())));
}

}  // namespace

SendOutcome ClassifySendResponse(int http_status, std::string_view body,
                                 std::optional<std::string_view> retry_after) {
    SendOutcome out;
    out.retry_after = RetryAfter(retry_after);
    const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);

    if (http_status >= 200 && http_status < 300) {
        out.kind = SendOutcome::Kind::kDelivered;
        if (j.is_object()) {
            auto messages = j.find("messages");
            if (messages != j.end() && messages->is_array() && !messages->empty() &&
                (*messages)[0].is_object()) {
                const auto& first = (*messages)[0];
                if (auto id = first.find("id"); id != first.end() && id->is_string()) {
                    out.message_id = id->get<std::string>();
                }
            }
        }
        // A 2xx without an id still means the platform took the message: not sent again.
        out.detail = std::to_string(http_status);
        return out;
    }

    const json* error = nullptr;
    if (j.is_object()) {
        auto it = j.find("error");
        if (it != j.end() && it->is_object()) error = &*it;
    }
    if (error != nullptr) {
        auto code = error->find("code");
        if (code != error->end() && code->is_number_integer()) out.error_code = code->get<int>();
        std::string message;
        auto m = error->find("message");
        if (m != error->end() && m->is_string()) message = m->get<std::string>();
        out.detail = std::to_string(out.error_code) + " " + message;
    } else {
        out.detail = std::to_string(http_status) + " " + Prefix(body, 200);
    }

    if (out.error_code == kErrorReengagement) {
        out.kind = SendOutcome::Kind::kWindowClosed;
    } else if (http_status == 429 || Throttled(out.error_code) || Transient(out.error_code) ||
               http_status >= 500) {
        out.kind = SendOutcome::Kind::kRetry;
    } else {
        out.kind = SendOutcome::Kind::kRejected;
    }
    return out;
}

}  // namespace switchboard::gateway_whatsapp
