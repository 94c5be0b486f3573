#include "webhook_payload.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace switchboard::gateway_whatsapp {

namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
    if (!j.is_object()) return "";
    auto it = j.find(key);
    if (it == j.end()) return "";
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
    if (it->is_number()) return it->dump();
    return "";
}

const json& Obj(const json& j, const char* key) {
    static const json kEmpty = json::object();
    if (!j.is_object()) return kEmpty;
    auto it = j.find(key);
    return (it != j.end() && it->is_object()) ? *it : kEmpty;
}

const json& Arr(const json& j, const char* key) {
    static const json kEmpty = json::array();
    if (!j.is_object()) return kEmpty;
    auto it = j.find(key);
    return (it != j.end() && it->is_array()) ? *it : kEmpty;
}

// Meta sends unix seconds as a string ("1749416383"); accept a number too.
std::int64_t Seconds(const json& j, const char* key) {
    const std::string s = Str(j, key);
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return (ec == std::errc() && ptr == s.data() + s.size() && v > 0) ? v : 0;
}

chat::v1::Attachment Attachment(std::string kind, const json& media) {
    chat::v1::Attachment a;
    a.set_kind(std::move(kind));
    a.set_file_id(Str(media, "id"));
    a.set_mime_type(Str(media, "mime_type"));
    a.set_file_name(Str(media, "filename"));
    return a;
}

// Fills text, attachments and metadata of `m` from the message object by its type.
void ReadContent(const json& msg, WaMessage& m) {
    const std::string& t = m.type;
    if (t == "text") {
        m.text = Str(Obj(msg, "text"), "body");
    } else if (t == "image" || t == "video" || t == "document" || t == "sticker" || t == "audio") {
        const json& media = Obj(msg, t.c_str());
        std::string kind = t;
        if (t == "image") kind = "photo";
        if (t == "audio") {
            auto voice = media.find("voice");
            kind = (voice != media.end() && voice->is_boolean() && voice->get<bool>()) ? "voice" : "audio";
        }
        m.attachments.push_back(Attachment(std::move(kind), media));
        m.text = Str(media, "caption");
    } else if (t == "location") {
        const json& loc = Obj(msg, "location");
        chat::v1::Attachment a;
        a.set_kind("location");
        a.set_file_name(Str(loc, "name"));
        m.attachments.push_back(std::move(a));
        m.metadata["whatsapp.location"] = Str(loc, "latitude") + "," + Str(loc, "longitude");
        if (!Str(loc, "name").empty()) m.metadata["whatsapp.location_name"] = Str(loc, "name");
        if (!Str(loc, "address").empty()) m.metadata["whatsapp.location_address"] = Str(loc, "address");
    } else if (t == "contacts") {
        std::string phones;
        for (const json& c : Arr(msg, "contacts")) {
            chat::v1::Attachment a;
            a.set_kind("contact");
            a.set_file_name(Str(Obj(c, "name"), "formatted_name"));
            m.attachments.push_back(std::move(a));
            for (const json& p : Arr(c, "phones")) {
                if (!phones.empty()) phones += ",";
                phones += Str(p, "phone");
            }
        }
        if (m.attachments.empty()) m.attachments.push_back(Attachment("contact", json::object()));
        if (!phones.empty()) m.metadata["whatsapp.contact_phones"] = phones;
    } else if (t == "interactive") {
        // The customer tapped a reply button or a list row we offered: its title is what they "said".
        const json& in = Obj(msg, "interactive");
        const std::string kind = Str(in, "type");
        const json& reply = Obj(in, kind.c_str());
        m.text = Str(reply, "title");
        m.metadata["whatsapp.interactive_type"] = kind;
        if (!Str(reply, "id").empty()) m.metadata["whatsapp.interactive_id"] = Str(reply, "id");
        if (m.text.empty()) m.attachments.push_back(Attachment("other", json::object()));
    } else if (t == "button") {
        // A quick-reply button of a template message.
        const json& b = Obj(msg, "button");
        m.text = Str(b, "text");
        if (!Str(b, "payload").empty()) m.metadata["whatsapp.button_payload"] = Str(b, "payload");
    } else if (t == "reaction") {
        const json& r = Obj(msg, "reaction");
        m.text = Str(r, "emoji");  // "" when the customer removed a reaction
        m.metadata["whatsapp.reaction_to"] = Str(r, "message_id");
    } else {
        // order, system, unsupported, request_welcome and types added later: an operator looks.
        m.attachments.push_back(Attachment("other", json::object()));
        const std::string body = Str(Obj(msg, "system"), "body");
        if (!body.empty()) m.text = body;
        const json& errors = Arr(msg, "errors");
        if (!errors.empty()) {
            m.metadata["whatsapp.error"] = Str(errors[0], "code") + " " + Str(errors[0], "title");
        }
    }
    if (t != "text") m.metadata["whatsapp.type"] = t;
    const std::string context_id = Str(Obj(msg, "context"), "id");
    if (!context_id.empty()) m.metadata["whatsapp.context_id"] = context_id;
}

std::string ProfileName(const json& value, const std::string& wa_id) {
    const json& contacts = Arr(value, "contacts");
    for (const json& c : contacts) {
        if (Str(c, "wa_id") == wa_id) return Str(Obj(c, "profile"), "name");
    }
    return contacts.size() == 1 ? Str(Obj(contacts[0], "profile"), "name") : "";
}

}  // namespace

Result<WebhookPayload> ParseWebhook(std::string_view body) {
    json root = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded()) return Error::Fatal("body is not JSON");
    if (!root.is_object() || Str(root, "object") != "whatsapp_business_account") {
        return Error::Fatal("not a whatsapp_business_account notification");
    }
    auto entry = root.find("entry");
    if (entry == root.end() || !entry->is_array()) return Error::Fatal("entry[] missing");

    WebhookPayload out;
    for (const json& e : *entry) {
        for (const json& change : Arr(e, "changes")) {
            const std::string field = Str(change, "field");
            const json& value = Obj(change, "value");
            // "field" is always sent by Meta; a change without it is read by its content.
            if ((!field.empty() && field != "messages") ||
                (!value.contains("messages") && !value.contains("statuses"))) {
                ++out.ignored_changes;
                continue;
            }
            const std::string phone_number_id = Str(Obj(value, "metadata"), "phone_number_id");
            if (phone_number_id.empty()) return Error::Fatal("value.metadata.phone_number_id missing");
            for (const json& msg : Arr(value, "messages")) {
                WaMessage m;
                m.phone_number_id = phone_number_id;
                m.id = Str(msg, "id");
                m.from = Str(msg, "from");
                m.type = Str(msg, "type");
                if (m.id.empty() || m.from.empty() || m.type.empty()) {
                    return Error::Fatal("a message lacks id, from or type");
                }
                m.timestamp = Seconds(msg, "timestamp");
                m.profile_name = ProfileName(value, m.from);
                ReadContent(msg, m);
                out.messages.push_back(std::move(m));
            }
            for (const json& st : Arr(value, "statuses")) {
                WaStatus s;
                s.phone_number_id = phone_number_id;
                s.id = Str(st, "id");
                s.status = Str(st, "status");
                s.recipient_id = Str(st, "recipient_id");
                if (s.id.empty() || s.status.empty() || s.recipient_id.empty()) {
                    return Error::Fatal("a status lacks id, status or recipient_id");
                }
                s.timestamp = Seconds(st, "timestamp");
                const json& errors = Arr(st, "errors");
                if (!errors.empty()) s.error = Str(errors[0], "code") + " " + Str(errors[0], "title");
                out.statuses.push_back(std::move(s));
            }
        }
    }
    return out;
}

}  // namespace switchboard::gateway_whatsapp
