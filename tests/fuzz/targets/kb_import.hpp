#pragma once

// The three knowledge-base import targets share this: import, then check the documented
// round-trip properties (libs/kb/include/switchboard/kb/formats.hpp, article.hpp).
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "switchboard/kb/article.hpp"
#include "switchboard/kb/formats.hpp"

namespace switchboard::fuzz {

inline bool Trimmed(std::string_view s) {
    const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    return s.empty() || (!ws(s.front()) && !ws(s.back()));
}

// What formats.hpp asks for CSV and Markdown to give an article back: valid, questions and answer
// without surrounding whitespace. Beyond that, an article must survive the import's own rules to
// come back equal: a lang (else DetectLang picks one), distinct questions (repeats are dropped),
// tags and link titles without surrounding whitespace (CSV trims a "title: url" line).
inline bool RoundTripsThroughCsvAndMarkdown(const std::vector<kb::Article>& articles) {
    for (const auto& a : articles) {
        if (!kb::ValidateArticle(a).ok() || a.lang.empty() || !Trimmed(a.answer)) return false;
        std::set<std::string> seen;
        for (const auto& q : a.questions)
            if (!Trimmed(q) || !seen.insert(q).second) return false;
        for (const auto& t : a.tags)
            if (!Trimmed(t)) return false;
        for (const auto& l : a.links)
            if (!Trimmed(l.title)) return false;
        // Known, reported with these targets (remove the exclusion once fixed): a CR inside a
        // question, answer or tag does not survive — the importers read CRLF as LF, the exporters
        // write the CR as is.
        if (a.answer.find('\r') != std::string::npos) return false;
        for (const auto& q : a.questions)
            if (q.find('\r') != std::string::npos) return false;
        for (const auto& t : a.tags)
            if (t.find('\r') != std::string::npos) return false;
    }
    return true;
}

// formats.hpp's caveat: "an answer with an unclosed fence swallows the headings after it" — and
// ExportMarkdown does not close or escape it, so such answers cannot come back from Markdown.
// Mirrors the importer's fence rule (libs/kb/src/formats.cpp, class Fences).
inline bool HasUnclosedFence(std::string_view text) {
    char marker = '\0';
    size_t open = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
        const size_t nl = text.find('\n', pos);
        std::string_view s = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        for (int i = 0; i < 3 && !s.empty() && s.front() == ' '; ++i) s.remove_prefix(1);
        const char c = s.empty() ? '\0' : s.front();
        size_t run = 0;
        if (c == '`' || c == '~')
            while (run < s.size() && s[run] == c) ++run;
        if (open == 0) {
            if (run >= 3) {
                marker = c;
                open = run;
            }
        } else if (c == marker && run >= open) {
            std::string_view rest = s.substr(run);
            while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t' || rest.front() == '\r')) rest.remove_prefix(1);
            while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t' || rest.back() == '\r')) rest.remove_suffix(1);
            if (rest.empty()) open = 0;
        }
    }
    return open != 0;
}

inline void CheckSameButVersion(std::vector<kb::Article> want, std::vector<kb::Article> got, const char* what) {
    for (auto& a : want) a.version = 0;
    for (auto& a : got) a.version = 0;
    FUZZ_CHECK(want == got, what);
}

inline int FuzzKbImport(kb::Format format, const uint8_t* data, size_t size) {
    const auto content = AsText(data, size);
    auto imported = kb::Import(format, content);
    if (!imported.ok()) {
        FUZZ_CHECK(imported.error().message.rfind("line ", 0) == 0, "an import error starts with \"line N: \"");
        return 0;
    }
    const auto& articles = *imported;
    std::set<std::string> ids;
    for (const auto& a : articles) {
        FUZZ_CHECK(kb::ValidateArticle(a).ok(), "every imported article passes ValidateArticle");
        FUZZ_CHECK(ids.insert(a.id.str()).second, "imported ids are unique");
    }

    // JSONL is exact: ParseJsonl(ToJsonl(a)) == a.
    auto back = kb::ImportJsonl(kb::ToJsonl(articles));
    FUZZ_CHECK(back.ok(), "ToJsonl of imported articles imports again");
    FUZZ_CHECK(*back == articles, "JSONL round-trip gives the articles back exactly");

    if (RoundTripsThroughCsvAndMarkdown(articles)) {
        auto csv = kb::ImportCsv(kb::ExportCsv(articles));
        FUZZ_CHECK(csv.ok(), "ExportCsv output imports again");
        CheckSameButVersion(articles, *csv, "CSV round-trip gives the articles back (but the version)");
        // Known, reported (remove once fixed): ExportMarkdown writes a question ending in '#' as is
        // ("## How do I type #"), and the import reads the trailing '#'s as the heading's closing
        // sequence ("How do I type").
        bool markdown_safe = true;
        for (const auto& a : articles) {
            markdown_safe = markdown_safe && !HasUnclosedFence(a.answer);
            for (const auto& q : a.questions) markdown_safe = markdown_safe && !q.ends_with('#');
        }
        if (markdown_safe) {
            auto md = kb::ImportMarkdown(kb::ExportMarkdown(articles));
            FUZZ_CHECK(md.ok(), "ExportMarkdown output imports again");
            CheckSameButVersion(articles, *md, "Markdown round-trip gives the articles back (but the version)");
        }
    }
    return 0;
}

}  // namespace switchboard::fuzz
