// The only translation unit that includes GMime/GLib: their macros are C casts all the way down,
// so -Wold-style-cast (and friends) are silenced here rather than across the service.
#include "mime_parser.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wcast-align"
#pragma GCC diagnostic ignored "-Wpedantic"
#include <gmime/gmime.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "switchboard/core/ids.hpp"
#include "text_cleanup.hpp"
#include "text_util.hpp"

namespace switchboard::gateway_email {

namespace {

struct GObjectUnref {
    void operator()(gpointer p) const {
        if (p != nullptr) g_object_unref(p);
    }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

struct GFree {
    void operator()(gpointer p) const { g_free(p); }
};
using GString = std::unique_ptr<char, GFree>;

void InitOnce() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

std::string ToUtf8(const char* text, std::size_t len) {
    if (text == nullptr) return {};
    std::string_view s(text, len);
    if (IsValidUtf8(s)) return std::string(s);
    // No or wrong charset label: GMime picks the charset that represents the bytes best.
    GString decoded(g_mime_utils_decode_8bit(nullptr, text, len));
    std::string out = decoded ? std::string(decoded.get()) : std::string();
    // GMime passes some invalid sequences through (e.g. F4 90.., past U+10FFFF): what leaves the
    // parser is valid UTF-8 (protobuf strings must be), each bad byte a U+FFFD.
    return IsValidUtf8(out) ? out : ReplaceInvalidUtf8(out);
}

std::string ToUtf8(const char* text) { return text == nullptr ? std::string() : ToUtf8(text, std::strlen(text)); }

std::string Header(GMimeObject* object, const char* name) {
    const char* v = g_mime_object_get_header(object, name);
    return v == nullptr ? std::string() : std::string(TrimWhitespace(v));
}

std::vector<std::string> MessageIds(const std::string& header) {
    std::vector<std::string> ids;
    if (header.empty()) return ids;
    GMimeReferences* refs = g_mime_references_parse(nullptr, header.c_str());
    if (refs == nullptr) return ids;
    const int n = g_mime_references_length(refs);
    for (int i = 0; i < n; ++i) {
        const char* id = g_mime_references_get_message_id(refs, i);
        if (id != nullptr && *id != '\0') ids.emplace_back(id);
    }
    g_mime_references_free(refs);
    return ids;
}

// The first mailbox of an address list (looking into groups); nullptr if none.
InternetAddressMailbox* FirstMailbox(InternetAddressList* list) {
    if (list == nullptr) return nullptr;
    const int n = internet_address_list_length(list);
    for (int i = 0; i < n; ++i) {
        InternetAddress* ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
            auto* mb = INTERNET_ADDRESS_MAILBOX(ia);
            const char* addr = internet_address_mailbox_get_addr(mb);
            if (addr != nullptr && std::strchr(addr, '@') != nullptr) return mb;
        } else if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            if (auto* mb = FirstMailbox(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)))) return mb;
        }
    }
    return nullptr;
}

std::string MimeType(GMimeObject* object) {
    GMimeContentType* ct = g_mime_object_get_content_type(object);
    if (ct == nullptr) return "application/octet-stream";
    GString t(g_mime_content_type_get_mime_type(ct));
    return t ? AsciiLower(t.get()) : std::string("application/octet-stream");
}

bool IsType(GMimeObject* object, const char* type, const char* subtype) {
    GMimeContentType* ct = g_mime_object_get_content_type(object);
    return ct != nullptr && g_mime_content_type_is_type(ct, type, subtype);
}

std::int64_t DecodedSize(GMimePart* part) {
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (content == nullptr) return 0;
    GPtr<GMimeStream> null_stream(g_mime_stream_null_new());
    const ssize_t n = g_mime_data_wrapper_write_to_stream(content, null_stream.get());
    return n < 0 ? 0 : static_cast<std::int64_t>(n);
}

std::string TextOf(GMimeTextPart* part) {
    GString text(g_mime_text_part_get_text(part));
    if (!text) return {};
    return ToUtf8(text.get());
}

class Walker {
public:
    void Visit(GMimeObject* object, const std::string& path) {
        if (GMIME_IS_MESSAGE_PART(object)) {
            AddMessageAttachment(object, path);
        } else if (GMIME_IS_MULTIPART(object)) {
            VisitMultipart(GMIME_MULTIPART(object), object, path);
        } else if (GMIME_IS_PART(object)) {
            VisitPart(GMIME_PART(object), object, path);
        }
    }

    std::string plain;
    std::string html;
    bool have_plain = false;
    bool have_html = false;
    std::vector<EmailAttachment> attachments;

private:
    static std::string Child(const std::string& path, int i) {
        return path.empty() ? std::to_string(i + 1) : path + "." + std::to_string(i + 1);
    }

    // How well an alternative renders as text: plain beats anything containing HTML.
    static int AlternativeScore(GMimeObject* o) {
        if (IsType(o, "text", "plain")) return 3;
        if (GMIME_IS_MULTIPART(o)) return 2;
        if (IsType(o, "text", "html")) return 1;
        return 0;
    }

    void VisitMultipart(GMimeMultipart* mp, GMimeObject* object, const std::string& path) {
        const int n = g_mime_multipart_get_count(mp);
        if (n <= 0) return;
        if (IsType(object, "multipart", "signed")) {
            Visit(g_mime_multipart_get_part(mp, 0), Child(path, 0));  // the rest is the signature
            return;
        }
        if (IsType(object, "multipart", "encrypted")) {
            attachments.push_back({"document", "part-" + (path.empty() ? "1" : path), MimeType(object), "", 0});
            return;
        }
        if (IsType(object, "multipart", "alternative")) {
            int best = 0;
            int best_score = -1;
            for (int i = 0; i < n; ++i) {
                const int score = AlternativeScore(g_mime_multipart_get_part(mp, i));
                if (score > best_score) {
                    best = i;
                    best_score = score;
                }
            }
            Visit(g_mime_multipart_get_part(mp, best), Child(path, best));
            return;
        }
        if (IsType(object, "multipart", "related")) {
            // The root renders; the other parts are its inline resources (logos, pasted images).
            Visit(g_mime_multipart_get_part(mp, 0), Child(path, 0));
            return;
        }
        for (int i = 0; i < n; ++i) Visit(g_mime_multipart_get_part(mp, i), Child(path, i));
    }

    void VisitPart(GMimePart* part, GMimeObject* object, const std::string& path) {
        const bool attachment = g_mime_part_is_attachment(part) || g_mime_part_get_filename(part) != nullptr;
        if (!attachment && GMIME_IS_TEXT_PART(object)) {
            if (IsType(object, "text", "plain")) {
                Append(plain, TextOf(GMIME_TEXT_PART(object)));
                have_plain = true;
                return;
            }
            if (IsType(object, "text", "html")) {
                Append(html, TextOf(GMIME_TEXT_PART(object)));
                have_html = true;
                return;
            }
        }
        EmailAttachment a;
        a.mime_type = MimeType(object);
        a.kind = AttachmentKind(a.mime_type);
        a.file_name = ToUtf8(g_mime_part_get_filename(part));
        const char* cid = g_mime_object_get_content_id(object);
        a.file_id = cid != nullptr && *cid != '\0' ? std::string(cid) : "part-" + (path.empty() ? "1" : path);
        a.size_bytes = DecodedSize(part);
        attachments.push_back(std::move(a));
    }

    void AddMessageAttachment(GMimeObject* object, const std::string& path) {
        EmailAttachment a;
        a.kind = "document";
        a.mime_type = MimeType(object);
        a.file_id = "part-" + (path.empty() ? "1" : path);
        GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
        if (inner != nullptr) {
            std::string subject = ToUtf8(g_mime_message_get_subject(inner));
            a.file_name = (subject.empty() ? std::string("message") : subject) + ".eml";
            GPtr<GMimeStream> null_stream(g_mime_stream_null_new());
            const ssize_t n = g_mime_object_write_to_stream(GMIME_OBJECT(inner), nullptr, null_stream.get());
            a.size_bytes = n < 0 ? 0 : n;
        }
        const char* name = g_mime_object_get_content_disposition_parameter(object, "filename");
        if (name != nullptr) a.file_name = ToUtf8(name);
        attachments.push_back(std::move(a));
    }

    static void Append(std::string& to, const std::string& text) {
        if (text.empty()) return;
        if (!to.empty()) to.append("\n\n");
        to.append(text);
    }
};

std::string NormalizeNewlines(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r') {
            out.push_back('\n');
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

bool AutoGenerated(GMimeObject* object, std::string& reason) {
    const std::string auto_submitted = AsciiLower(Header(object, "Auto-Submitted"));
    if (!auto_submitted.empty() && !StartsWithIgnoreCase(auto_submitted, "no")) {
        reason = "auto_submitted";
        return true;
    }
    const std::string precedence = AsciiLower(Header(object, "Precedence"));
    if (precedence == "bulk" || precedence == "junk" || precedence == "list" || precedence == "auto_reply") {
        reason = "precedence_" + precedence;
        return true;
    }
    if (!Header(object, "X-Autoreply").empty() || !Header(object, "X-Autorespond").empty()) {
        reason = "x_autoreply";
        return true;
    }
    return false;
}

}  // namespace

std::string AttachmentKind(std::string_view mime_type) {
    if (StartsWithIgnoreCase(mime_type, "image/")) return "photo";
    if (StartsWithIgnoreCase(mime_type, "audio/")) return "audio";
    if (StartsWithIgnoreCase(mime_type, "video/")) return "video";
    return "document";
}

Result<ParsedEmail> ParseEmail(std::string_view raw) {
    if (TrimWhitespace(raw).empty()) return Error::Fatal("empty message");
    InitOnce();
    GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
    GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
    if (!message) return Error::Fatal("not an RFC 5322 message");
    auto* object = GMIME_OBJECT(message.get());

    ParsedEmail out;
    InternetAddressMailbox* from = FirstMailbox(g_mime_message_get_from(message.get()));
    if (from == nullptr) return Error::Fatal("no From address");
    out.from_address = AsciiLower(internet_address_mailbox_get_addr(from));
    out.from_name = ToUtf8(internet_address_get_name(INTERNET_ADDRESS(from)));
    InternetAddressMailbox* reply_to = FirstMailbox(g_mime_message_get_reply_to(message.get()));
    out.reply_to = reply_to != nullptr ? AsciiLower(internet_address_mailbox_get_addr(reply_to)) : out.from_address;

    const char* message_id = g_mime_message_get_message_id(message.get());
    // An absurdly long id is not one we key Redis and Kafka records by.
    if (message_id != nullptr && *message_id != '\0' && std::strlen(message_id) <= 512) {
        out.message_id = message_id;
    } else {
        // Derived from the content, so the MTA's retry of the same message gets the same id.
        out.message_id = DerivedId("sb-", raw) + "@gateway-email.invalid";
        out.synthetic_message_id = true;
    }
    if (auto irt = MessageIds(Header(object, "In-Reply-To")); !irt.empty()) out.in_reply_to = irt.front();
    out.references = MessageIds(Header(object, "References"));
    out.subject = ToUtf8(g_mime_message_get_subject(message.get()));
    GMimeObject* body = g_mime_message_get_mime_part(message.get());
    // Content-* headers live on the top-level part, other headers on the message.
    std::string lang = Header(object, "Content-Language");
    if (lang.empty() && body != nullptr) lang = Header(body, "Content-Language");
    if (!lang.empty()) {
        const auto end = lang.find_first_of(", ;");
        out.language = AsciiLower(TrimWhitespace(std::string_view(lang).substr(0, end)));
    }
    (void)AutoGenerated(object, out.auto_generated);

    Walker walker;
    if (body != nullptr) walker.Visit(body, "");
    if (walker.have_plain) {
        out.text = std::move(walker.plain);
    } else if (walker.have_html) {
        out.text = HtmlToText(walker.html);
        out.text_from_html = true;
    }
    out.text = NormalizeNewlines(out.text);
    out.attachments = std::move(walker.attachments);
    return out;
}

}  // namespace switchboard::gateway_email

#pragma GCC diagnostic pop
