#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/kb/article.hpp"

namespace switchboard::kb {

// Knowledge-base file formats for import and export. Pure functions, no I/O; thread-safe.
//
// Every Import* is all or nothing: it returns every article or an Error whose message starts
// with "line N: " (N counts physical lines from 1; a CSV record spanning several lines is named
// by its first line). Every imported article passes ValidateArticle. Text is taken as UTF-8; a
// leading UTF-8 BOM is skipped and CRLF line ends read as LF.
//
// What each format carries: JSONL every field; CSV and Markdown every field but the version
// (links and channels included, see below).
//
// JSONL: ParseJsonl's format (see article.hpp) plus ValidateArticle; fields taken as written.
//
// CSV and Markdown: questions and answers (and CSV's link titles) are trimmed of surrounding
// whitespace, a repeated question of one article is dropped, articles get version 0 and, without
// a lang, the one DetectLang finds in their text.
//
// CSV (RFC 4180): a header record, then one record per question variant. Columns, in any order,
// names case-insensitive: `question`, `answer` (required), `id`, `lang`, `tags` (separated by
// ';'), `enabled` (true/false/yes/no/1/0; empty = true), `links` (one per line, "title: url" or the
// url alone: the url is the line's last word, the title what precedes it less one ':'), `channels`
// (separated by ';'). Any other column is an error. Fields containing commas, quotes or line
// breaks are quoted with '"', a quote inside doubled. Blank records (every field empty) are
// skipped. Records are grouped into articles by `id`; a record without an id joins the article
// with the same answer text, or starts one whose id is "csv-" + 12 hex digits of a hash of the
// answer (so re-importing yields the same id). Records of one article must agree on answer, lang
// and enabled; their tags, links and channels are united (so they may be given on one record; the
// first record's tags are kept as listed, a repeated one too).
//
// Markdown FAQ: each article is one or more `## question` headings on consecutive lines — several
// headings are several phrasings of one question — followed by the answer: every line up to the
// next `## ` heading, kept verbatim (paragraphs, lists, `###` sub-headings…), with leading and
// trailing blank lines dropped. A heading after a blank line or the article comment with no answer
// text since the last heading is an error naming the answer-less question's line (taken as a
// phrasing, it would get the next article's answer). Everything before the first `## ` (a
// `# title`, an introduction) is ignored. Headings inside ``` or ~~~ fences are answer text (in a
// hand-written file, a fence never closed runs to the end of the file). Directly after the
// headings an optional comment sets what Markdown cannot say:
//   <!-- article: {"id": "en-reset", "lang": "en", "tags": ["account"], "enabled": true,
//                  "links": [{"title": "Reset page", "url": "https://…"}], "channels": ["web"]} -->
// (on one line; a link's title is optional).
// Without an id, the id is "md-" + 12 hex digits of a hash of the answer (two sections with the
// same answer become one article, their tags, links and channels united; an id given twice is an
// error). A line outside fences that reads as a heading, as that comment or as a fence's opening
// (``` or ~~~ after up to three spaces), or starts with backslashes before one, is taken with one
// leading backslash removed: the export writes such answer lines so (`\## …`), and so the opening
// line of a fence the answer does not close (left a fence, it would hide the next articles'
// headings); a fence the answer closes is written as it is.
enum class Format { kJsonl, kCsv, kMarkdown };

// "jsonl", "csv", "markdown".
std::string_view FormatName(Format format);

Result<std::vector<Article>> ImportJsonl(std::string_view content);
Result<std::vector<Article>> ImportCsv(std::string_view content);
Result<std::vector<Article>> ImportMarkdown(std::string_view content);
Result<std::vector<Article>> Import(Format format, std::string_view content);

// Exports write the articles in the given order. Importing an export gives the articles back
// (JSONL: exactly, version and enabled included; CSV and Markdown: all but the version, whatever
// the answers hold, provided the articles are valid, have a lang, repeat no question, and their
// questions, answers, tags and link titles carry no surrounding whitespace).
// CSV: header `id,question,answer,lang,tags,enabled,links,channels`, one record per question
// (each with the article's links and channels), LF line ends; a CR before a line break in a
// field is written twice, as the import reads CRLF as LF.
// Markdown: a `# Knowledge base` title, then per article its headings (a question ending in '#'
// with a closing ` ##`, which the import strips), the article comment (links and channels in it
// only when the article has them) and the answer, escaped as above (and a CR ending a line
// written twice, as for CSV).
std::string ExportCsv(const std::vector<Article>& articles);
std::string ExportMarkdown(const std::vector<Article>& articles);
std::string Export(Format format, const std::vector<Article>& articles);

// "ru" if most letters of `text` are Cyrillic, else "en".
std::string DetectLang(std::string_view text);

}  // namespace switchboard::kb
