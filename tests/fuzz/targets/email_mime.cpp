// An e-mail as received over SMTP/LMTP → ParseEmail (GMime), then the text cleanup the inbound
// path applies to its body (services/gateway-email/src/mime_parser.*, text_cleanup.*).
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "mime_parser.hpp"
#include "text_cleanup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace em = switchboard::gateway_email;
    namespace fz = switchboard::fuzz;
    auto parsed = em::ParseEmail(fz::AsText(data, size));
    if (!parsed.ok()) {
        FUZZ_CHECK(!parsed.error().retryable, "an unparsable e-mail is a non-retryable error");
        return 0;
    }
    const em::ParsedEmail& e = *parsed;
    FUZZ_CHECK(!e.message_id.empty(), "a parsed e-mail has a message id (synthetic if absent)");
    FUZZ_CHECK(!e.from_address.empty(), "a parsed e-mail has a From mailbox (documented error otherwise)");
    FUZZ_CHECK(!e.reply_to.empty(), "reply_to falls back to from_address");
    // Documented as UTF-8: these go into protobuf strings on Kafka.
    FUZZ_CHECK(fz::IsUtf8OrExplain(e.text, "e.text"), "the body text is UTF-8");
    FUZZ_CHECK(fz::IsUtf8OrExplain(e.subject, "e.subject"), "the subject is UTF-8");
    FUZZ_CHECK(fz::IsUtf8OrExplain(e.from_name, "e.from_name"), "the From display name is UTF-8");
    FUZZ_CHECK(e.text.find('\r') == std::string::npos, "the body text has LF line ends");
    for (const auto& a : e.attachments) {
        FUZZ_CHECK(a.kind == em::AttachmentKind(a.mime_type), "an attachment's kind follows its MIME type");
        FUZZ_CHECK(a.size_bytes >= 0, "an attachment size is not negative");
    }
    const std::string stripped = em::StripQuotedText(e.text);
    FUZZ_CHECK(fz::IsUtf8OrExplain(stripped, "stripped"), "StripQuotedText keeps UTF-8 valid");
    return 0;
}
