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
    }
    return true;
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
        auto md = kb::ImportMarkdown(kb::ExportMarkdown(articles));
        FUZZ_CHECK(md.ok(), "ExportMarkdown output imports again");
        CheckSameButVersion(articles, *md, "Markdown round-trip gives the articles back (but the version)");
    }
    return 0;
}

}  // namespace switchboard::fuzz
