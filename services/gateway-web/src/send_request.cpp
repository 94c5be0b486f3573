#include "send_request.hpp"

#include <nlohmann/json.hpp>

#include "switchboard/core/ids.hpp"

namespace switchboard::gateway_web {

namespace {

ParseOutcome Reject(int status, std::string code, std::string message) {
    ParseOutcome out;
    out.rejection = {status, std::move(code), std::move(message)};
    return out;
}

bool OptionalString(const nlohmann::json& obj, const char* key, std::string& out) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return true;
    if (!it->is_string()) return false;
    out = it->get<std::string>();
    return true;
}

}  // namespace

ParseOutcome ParseSendRequest(std::string_view body) {
    nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return Reject(400, "invalid_json", "body must be a JSON object");

    ParseOutcome out;
    SendRequest& r = out.request;
    if (!OptionalString(j, "conversation_id", r.conversation_id) || !IsValidExternalId(r.conversation_id)) {
        return Reject(400, "invalid_conversation_id",
                      "conversation_id is required: 1-128 characters of [A-Za-z0-9._:-]");
    }
    if (!OptionalString(j, "text", r.text)) return Reject(400, "invalid_text", "text must be a string");
    if (r.text.find_first_not_of(" \t\r\n") == std::string::npos) {
        return Reject(400, "invalid_text", "text is required and must not be blank");
    }
    if (r.text.size() > kMaxTextBytes) {
        return Reject(413, "text_too_long", "text is longer than 4000 bytes");
    }
    if (!IsValidUtf8(r.text)) return Reject(400, "invalid_text", "text must be valid UTF-8");
    if (!OptionalString(j, "message_id", r.client_message_id) ||
        (!r.client_message_id.empty() && !IsValidExternalId(r.client_message_id))) {
        return Reject(400, "invalid_message_id", "message_id must be 1-128 characters of [A-Za-z0-9._:-]");
    }
    if (auto it = j.find("customer"); it != j.end() && !it->is_null()) {
        if (!it->is_object() || !OptionalString(*it, "id", r.customer_id) ||
            !OptionalString(*it, "name", r.customer_name) || !OptionalString(*it, "language", r.language) ||
            r.customer_id.size() > 128 || r.customer_name.size() > 128 || r.language.size() > 16 ||
            !IsValidUtf8(r.customer_name)) {
            return Reject(400, "invalid_customer",
                          "customer must be an object with optional string id, name (<=128) and language (<=16)");
        }
    }
    out.ok = true;
    return out;
}

}  // namespace switchboard::gateway_web
