// The customer's words out of a reply: StripQuotedText on plain text and HtmlToText on HTML
// (services/gateway-email/src/text_cleanup.*). Both get every input.
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "text_cleanup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace em = switchboard::gateway_email;
    namespace fz = switchboard::fuzz;
    const auto in = fz::AsText(data, size);
    const bool utf8 = fz::IsUtf8(in);

    const std::string stripped = em::StripQuotedText(in);
    FUZZ_CHECK(stripped.size() <= in.size(), "stripping never adds text");
    if (utf8) FUZZ_CHECK(fz::IsUtf8OrExplain(stripped, "stripped"), "StripQuotedText: UTF-8 in, UTF-8 out");
    FUZZ_CHECK(em::StripQuotedText(stripped).size() <= stripped.size(), "stripping again never adds text");

    const std::string text = em::HtmlToText(in);
    if (utf8) FUZZ_CHECK(fz::IsUtf8OrExplain(text, "text"), "HtmlToText: UTF-8 in, UTF-8 out (entities decode to valid UTF-8)");
    (void)em::StripQuotedText(text);  // what the inbound path does with an HTML-only mail
    return 0;
}
