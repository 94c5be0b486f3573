#include "update_parser.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "switchboard/core/ids.hpp"

namespace switchboard::gateway_telegram {

namespace chat = switchboard::chat::v1;
using nlohmann::json;

namespace {

constexpr std::string_view kConversationPrefix = "tg-";

std::string Str(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::int64_t> Int(const json& obj, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<std::int64_t>();
}

const json* Object(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_object() ? &*it : nullptr;
}

std::string Join(const std::string& a, const std::string& b) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    return a + " " + b;
}

// file_id, mime_type, file_name and file_size are the same fields on every Bot API file object.
chat::Attachment FileAttachment(const char* kind, const json& file) {
    chat::Attachment a;
    a.set_kind(kind);
    a.set_file_id(Str(file, "file_id"));
    a.set_mime_type(Str(file, "mime_type"));
    a.set_file_name(Str(file, "file_name"));
    a.set_size_bytes(Int(file, "file_size").value_or(0));
    return a;
}

std::string Coordinate(const json& location, const char* key) {
    auto it = location.find(key);
    if (it == location.end() || !it->is_number()) return "0";
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%.6f", it->get<double>());
    return buf.data();
}

// RFC 5870 geo URI: the "handle" an operator can open.
std::string GeoUri(const json& location) {
    return "geo:" + Coordinate(location, "latitude") + "," + Coordinate(location, "longitude");
}

// Records every kind of content the message carries; true if there was any.
bool AddContent(const json& m, chat::InboundMessage& out) {
    auto add = [&out](chat::Attachment a) { *out.add_attachments() = std::move(a); };
    bool any = false;
    if (auto it = m.find("photo");
        it != m.end() && it->is_array() && !it->empty() && it->back().is_object()) {
        // The sizes come smallest first; the last is the original resolution.
        chat::Attachment a = FileAttachment("photo", it->back());
        if (a.mime_type().empty()) a.set_mime_type("image/jpeg");  // Telegram re-encodes photos as JPEG
        add(std::move(a));
        any = true;
    }
    for (const char* kind : {"voice", "audio", "video"}) {
        if (const json* f = Object(m, kind)) {
            add(FileAttachment(kind, *f));
            any = true;
        }
    }
    if (const json* note = Object(m, "video_note")) {  // a round video message
        chat::Attachment a = FileAttachment("video", *note);
        if (a.mime_type().empty()) a.set_mime_type("video/mp4");
        add(std::move(a));
        out.mutable_channel_metadata()->insert({"telegram.video_note", "true"});
        any = true;
    }
    if (const json* anim = Object(m, "animation")) {
        // For animations Telegram also sets "document" to the same file: record it once.
        add(FileAttachment("video", *anim));
        out.mutable_channel_metadata()->insert({"telegram.animation", "true"});
        any = true;
    } else if (const json* doc = Object(m, "document")) {
        add(FileAttachment("document", *doc));
        any = true;
    }
    if (const json* s = Object(m, "sticker")) {
        chat::Attachment a = FileAttachment("sticker", *s);
        if (a.mime_type().empty()) {
            // Booleans by the Bot API; anything else reads as false rather than throwing.
            auto flag = [&](const char* key) {
                auto it = s->find(key);
                return it != s->end() && it->is_boolean() && it->get<bool>();
            };
            const bool animated = flag("is_animated");
            const bool video = flag("is_video");
            a.set_mime_type(animated ? "application/x-tgsticker" : video ? "video/webm" : "image/webp");
        }
        if (std::string emoji = Str(*s, "emoji"); !emoji.empty()) {
            out.mutable_channel_metadata()->insert({"telegram.sticker_emoji", emoji});
        }
        add(std::move(a));
        any = true;
    }
    if (const json* v = Object(m, "venue"); v != nullptr && Object(*v, "location") != nullptr) {
        chat::Attachment a;
        a.set_kind("location");
        a.set_file_id(GeoUri(*Object(*v, "location")));
        a.set_file_name(Join(Str(*v, "title"), Str(*v, "address")));
        add(std::move(a));
        any = true;
    } else if (const json* l = Object(m, "location")) {
        chat::Attachment a;
        a.set_kind("location");
        a.set_file_id(GeoUri(*l));
        add(std::move(a));
        any = true;
    }
    if (const json* c = Object(m, "contact")) {
        chat::Attachment a;
        a.set_kind("contact");
        std::string phone = Str(*c, "phone_number");
        if (!phone.empty()) a.set_file_id("tel:" + (phone.front() == '+' ? phone : "+" + phone));
        a.set_file_name(Join(Str(*c, "first_name"), Str(*c, "last_name")));
        add(std::move(a));
        any = true;
    }
    for (const char* kind : {"poll", "dice", "game", "story", "invoice"}) {
        if (const json* o = Object(m, kind)) {
            chat::Attachment a;
            a.set_kind("other");
            const std::string title = Str(*o, "question").empty() ? Str(*o, "title") : Str(*o, "question");
            a.set_file_name(title.empty() ? kind : std::string(kind) + ": " + title);
            add(std::move(a));
            any = true;
        }
    }
    return any;
}

ParsedUpdate Invalid(std::string code, std::string message) {
    ParsedUpdate u;
    u.kind = ParsedUpdate::Kind::kInvalid;
    u.error_code = std::move(code);
    u.error = std::move(message);
    return u;
}

}  // namespace

std::string ConversationIdForChat(std::int64_t chat_id) {
    return std::string(kConversationPrefix) + std::to_string(chat_id);
}

bool ChatIdFromConversation(std::string_view conversation_id, std::int64_t& chat_id) {
    if (conversation_id.substr(0, kConversationPrefix.size()) != kConversationPrefix) return false;
    const std::string_view digits = conversation_id.substr(kConversationPrefix.size());
    if (digits.empty()) return false;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), chat_id);
    return ec == std::errc() && end == digits.data() + digits.size();
}

ParsedUpdate ParseUpdate(std::string_view body) {
    json update = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (update.is_discarded()) return Invalid("invalid_json", "the body is not valid JSON (UTF-8)");
    if (!update.is_object())
        return Invalid("invalid_json", "the body must be a JSON object (a Bot API Update)");
    const auto update_id = Int(update, "update_id");
    if (!update_id || *update_id < 0)
        return Invalid("invalid_update", "update_id must be a non-negative integer");

    ParsedUpdate u;
    u.update_id = *update_id;
    const json* m = Object(update, "message");
    if (m == nullptr) {
        // Edits, channel posts, button presses, membership changes…: the first field other than
        // update_id names the kind (at most one is present).
        u.kind = ParsedUpdate::Kind::kIgnored;
        u.ignored_type = "unknown";
        for (const auto& [key, value] : update.items()) {
            if (key != "update_id") {
                u.ignored_type = key;
                break;
            }
        }
        return u;
    }
    const json* chat_obj = Object(*m, "chat");
    const auto chat_id = chat_obj != nullptr ? Int(*chat_obj, "id") : std::nullopt;
    if (!chat_id) return Invalid("invalid_update", "message.chat.id must be an integer");
    u.conversation_id = ConversationIdForChat(*chat_id);
    if (!IsValidExternalId(u.conversation_id))
        return Invalid("invalid_update", "message.chat.id is out of range");

    chat::InboundMessage& out = u.message;
    std::string text = Str(*m, "text");
    if (text.empty()) text = Str(*m, "caption");  // the words sent with a photo, video, document…
    out.set_text(text);
    const bool has_content = AddContent(*m, out);
    if (text.empty() && !has_content) {
        u.kind = ParsedUpdate::Kind::kIgnored;
        u.ignored_type = "service_message";  // new_chat_members, pinned_message, …
        return u;
    }

    auto* customer = out.mutable_customer();
    auto* meta = out.mutable_channel_metadata();
    if (const json* from = Object(*m, "from")) {
        if (auto id = Int(*from, "id")) customer->set_id(std::to_string(*id));
        std::string name = Join(Str(*from, "first_name"), Str(*from, "last_name"));
        const std::string username = Str(*from, "username");
        customer->set_display_name(name.empty() ? username : name);
        customer->set_language(Str(*from, "language_code"));
        if (!username.empty()) meta->insert({"telegram.username", username});
    } else if (const json* sender_chat = Object(*m, "sender_chat")) {
        // Anonymous group admins and channels write as a chat.
        if (auto id = Int(*sender_chat, "id")) customer->set_id("chat:" + std::to_string(*id));
        customer->set_display_name(Str(*sender_chat, "title"));
    }
    meta->insert({"telegram.chat_id", std::to_string(*chat_id)});
    if (std::string type = Str(*chat_obj, "type"); !type.empty()) meta->insert({"telegram.chat_type", type});
    if (std::string title = Str(*chat_obj, "title"); !title.empty())
        meta->insert({"telegram.chat_title", title});
    if (auto id = Int(*m, "message_id")) meta->insert({"telegram.message_id", std::to_string(*id)});
    if (auto date = Int(*m, "date")) meta->insert({"telegram.date", std::to_string(*date)});
    if (const json* reply = Object(*m, "reply_to_message")) {
        if (auto id = Int(*reply, "message_id"))
            meta->insert({"telegram.reply_to_message_id", std::to_string(*id)});
    }
    if (m->contains("forward_date") || m->contains("forward_origin"))
        meta->insert({"telegram.forwarded", "true"});
    if (std::string group = Str(*m, "media_group_id"); !group.empty()) {
        meta->insert({"telegram.media_group_id", group});
    }
    u.kind = ParsedUpdate::Kind::kMessage;
    return u;
}

}  // namespace switchboard::gateway_telegram
