#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/core/error.hpp"

namespace switchboard::gateway_email {

struct EmailAttachment {
    std::string kind;       // chat.v1 Attachment kind: "photo", "audio", "video", "document"
    std::string file_id;    // Content-ID if the part has one, else its position ("part-2.1")
    std::string mime_type;  // lower-case "type/subtype"
    std::string file_name;
    std::int64_t size_bytes = 0;  // decoded size
};

// An e-mail as the gateway needs it. Message ids are without angle brackets.
struct ParsedEmail {
    std::string message_id;  // the Message-ID, or a synthetic id derived from the content if absent
    bool synthetic_message_id = false;
    std::string in_reply_to;              // the first id of In-Reply-To, "" if none
    std::vector<std::string> references;  // References, oldest first
    std::string from_address;             // the first From mailbox, lower-case
    std::string from_name;                // its display name (UTF-8), may be empty
    std::string reply_to;                 // Reply-To's first mailbox if any, else from_address
    std::string subject;                  // decoded (UTF-8)
    std::string language;                 // Content-Language's first tag, "" if absent
    // The readable body (UTF-8): text/plain chosen over text/html, HTML turned to text when no
    // plain part exists; LF line ends. Not yet stripped of quotes and signatures.
    std::string text;
    bool text_from_html = false;
    std::vector<EmailAttachment> attachments;
    // Auto-generated mail we must not answer (RFC 3834): "Auto-Submitted: auto-replied",
    // "Precedence: bulk|junk|list|auto_reply", X-Autoreply/X-Autorespond; the reason, or "".
    std::string auto_generated;
};

// Parses an RFC 5322 message with GMime 3: MIME structure, transfer encodings (base64,
// quoted-printable), charsets converted to UTF-8 (declared charset, else a best guess), RFC 2047
// encoded headers. Parts inside multipart/related other than its root (inline images of an HTML
// body) and signatures of multipart/signed are not attachments; message/rfc822 is a "document".
// Errors (non-retryable): no From mailbox to answer, or not a message at all.
// Thread-safety: may be called from any thread (GMime is initialized once).
Result<ParsedEmail> ParseEmail(std::string_view raw);

// The attachment kind for a MIME type: image/* "photo", audio/* "audio", video/* "video", else
// "document".
std::string AttachmentKind(std::string_view mime_type);

}  // namespace switchboard::gateway_email
