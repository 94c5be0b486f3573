#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

// Our replies as RFC 5322 messages. Pure functions; the output parses back with ParseEmail.
namespace switchboard::gateway_email {

struct OutgoingEmail {
    std::string from_address;
    std::string from_name;  // UTF-8; encoded per RFC 2047 when not plain ASCII
    std::string to_address;
    std::string to_name;
    std::string subject;                  // UTF-8, complete (e.g. "Re: …")
    std::string message_id;               // without brackets
    std::string in_reply_to;              // without brackets; omitted when empty
    std::vector<std::string> references;  // without brackets; omitted when empty
    std::chrono::system_clock::time_point date;
    // RFC 3834 "Auto-Submitted: auto-replied" (bot replies and notices), so the customer's
    // auto-responder does not answer them.
    bool auto_submitted = false;
    std::string body;  // UTF-8 plain text; LF or CRLF line ends
};

// The message with CRLF line ends: Date, From, To, Subject, Message-ID, In-Reply-To, References,
// MIME-Version, Content-Type text/plain; charset=utf-8, and the body as 7bit when it is short-lined
// ASCII, else quoted-printable. Header lines are folded at 78 characters.
std::string RenderEmail(const OutgoingEmail& email);

// A header's text: as is when it is printable ASCII, else RFC 2047 encoded words
// (=?UTF-8?B?…?=, never splitting a UTF-8 sequence), separated by folding whitespace.
std::string EncodeHeaderText(std::string_view utf8);
// "Name <addr>" with the name quoted or encoded as needed; "<addr>" alone when the name is empty.
std::string FormatAddress(std::string_view name, std::string_view address);
// RFC 2045 quoted-printable with CRLF line ends and soft breaks at 76 characters.
std::string QuotedPrintable(std::string_view text);
// RFC 5322 date in UTC: "Tue, 02 Jan 2024 15:04:05 +0000".
std::string RfcDate(std::chrono::system_clock::time_point t);
// The domain part of an address ("a@b.example" → "b.example"), "" if none.
std::string DomainOf(std::string_view address);

}  // namespace switchboard::gateway_email
