#pragma once

#include <string>
#include <string_view>

// What the assistant reads of an e-mail: the customer's own words, without the quoted history
// of the thread and without signatures. Pure functions (no I/O, no GMime); UTF-8 in and out.
namespace switchboard::gateway_email {

// Cuts the quoted history and the signature off a plain-text reply:
//  - history starts at an attribution line ("On <date>, <name> wrote:" — also wrapped over up to
//    three lines as Gmail does — "<date>, <name> пишет:", "… написал(а):", "<date>, <name> <a@b>:"),
//    at an Outlook separator ("-----Original Message-----", "-----Исходное сообщение-----",
//    "-------- Original message --------"), or at an Outlook header block ("From: …" followed by
//    "Sent:"/"Date:" and "To:"/"Subject:", also "От:"/"Отправлено:"/"Кому:"/"Тема:");
//  - remaining lines starting with ">" (inline quotes) are dropped;
//  - the signature starts at a "-- " line (or "--"), or at a short trailing "Sent from my iPhone",
//    "Get Outlook for Android", "Отправлено с iPhone" … line.
// A bottom-posted reply (attribution and quote first, answer below) keeps the answer. Blank lines
// are collapsed and the result trimmed; the result is empty when the text was only history.
std::string StripQuotedText(std::string_view text);

// HTML to readable plain text: tags dropped, block elements (p, div, br, li, tr, h1–h6) become
// line breaks, entities decoded, whitespace collapsed as a browser would; script/style/head are
// dropped, and so are quoted history and signatures the mail clients mark up (<blockquote>,
// Gmail's gmail_quote and gmail_signature, Yahoo's yahoo_quoted, Outlook's divRplyFwdMsg).
std::string HtmlToText(std::string_view html);

}  // namespace switchboard::gateway_email
