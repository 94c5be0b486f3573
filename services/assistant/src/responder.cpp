#include "responder.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "switchboard/kb/text.hpp"

namespace switchboard::assistant {

namespace {

struct Phrases {
    const char* greeting;
    const char* thanks;
    const char* handoff;
};

constexpr Phrases kEnglish{
    "Hello! Ask me anything about our service, or write \"operator\" to talk to a person.",
    "You're welcome! Anything else I can help with?",
    "I'm passing you to an operator. They will reply here shortly.",
};
constexpr Phrases kRussian{
    "Здравствуйте! Задайте вопрос о нашем сервисе или напишите «оператор», чтобы поговорить с человеком.",
    "Пожалуйста! Чем ещё могу помочь?",
    "Передаю ваш вопрос оператору. Он ответит здесь в ближайшее время.",
};

const Phrases& For(std::string_view lang) { return lang == "ru" ? kRussian : kEnglish; }

}  // namespace

std::string DetectLanguage(std::string_view text) {
    int cyrillic = 0;
    int latin = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ++latin;
        // Cyrillic code points U+0400..U+04FF start with UTF-8 lead bytes 0xD0..0xD3.
        if (c >= 0xD0 && c <= 0xD3) ++cyrillic;
    }
    return cyrillic > latin ? "ru" : "en";
}

std::string LanguageOf(std::string_view text, std::string_view hint) {
    std::string lang = kb::PrimaryLanguage(hint);
    return lang.empty() ? DetectLanguage(text) : lang;
}

double Responder::ThresholdFor(const Options& options, std::string_view lang) {
    const auto it = options.language_thresholds.find(lang);
    return it == options.language_thresholds.end() ? options.threshold : it->second;
}

Result<std::map<std::string, double, std::less<>>> ParseLanguageThresholds(std::string_view text) {
    std::map<std::string, double, std::less<>> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        const auto eq = item.find('=');
        const std::string lang(item.substr(0, eq));
        const std::string value(eq == std::string_view::npos ? "" : item.substr(eq + 1));
        char* end = nullptr;
        const double v = value.empty() ? -1 : std::strtod(value.c_str(), &end);
        if (lang.empty() || value.empty() || end != value.c_str() + value.size() || v < 0 || v > 1) {
            return Error::Fatal("'" + std::string(item) + "' is not LANG=THRESHOLD with a threshold between 0 and 1");
        }
        out[lang] = v;
    }
    return out;
}

bool Responder::Confident(const std::vector<kb::Match>& candidates, const Options& options, std::string_view lang) {
    if (candidates.empty() || candidates.front().score < ThresholdFor(options, lang)) return false;
    const double second = candidates.size() > 1 ? candidates[1].score : 0.0;
    return candidates.front().score - second >= options.margin;
}

Responder::Responder(const kb::LiveIndex& index, Options options) : index_(index), options_(options) {}

Decision Responder::DecideNonText(std::string_view caption, std::string_view lang_hint) const {
    Decision d;
    d.lang = LanguageOf(caption, lang_hint);
    d.kind = Decision::Kind::kHandoff;
    d.reason = chat::v1::HANDOFF_REASON_UNSUPPORTED_CONTENT;
    d.text = For(d.lang).handoff;
    return d;
}

std::vector<std::string> Responder::TopicsOf(const std::vector<kb::Match>& candidates, double floor) {
    std::vector<std::string> topics;
    for (const auto& c : candidates) {
        if (c.score < floor) break;  // best first
        for (const auto& tag : c.article->tags) {
            if (std::find(topics.begin(), topics.end(), tag) == topics.end()) topics.push_back(tag);
        }
    }
    return topics;
}

Decision Responder::Decide(std::string_view text, std::string_view lang_hint, const Context& context) const {
    Decision d;
    d.lang = LanguageOf(text, lang_hint);
    const Phrases& phrases = For(d.lang);
    const auto search = [&](std::string_view query) {
        d.index = index_.Get();
        d.candidates =
            d.index->Search(query, std::max<std::size_t>(options_.candidates, 2), d.lang, context.channel);
    };
    // Every handoff carries what the knowledge base has on the question, so the operator starts
    // with context, and the topics of the plausible part of it (half the answer threshold).
    const auto handoff = [&](chat::v1::HandoffReason reason) {
        d.kind = Decision::Kind::kHandoff;
        d.reason = reason;
        d.text = phrases.handoff;
        d.topics = TopicsOf(d.candidates, ThresholdFor(options_, d.lang) / 2);
        if (!d.candidates.empty()) d.score = d.candidates.front().score;
    };
    // A greeting or thanks: small talk, in the knowledge base's own words when it has an article
    // for it that it is sure of (a deployment's "hello"), else ours.
    const char* courtesy = nullptr;
    switch (kb::ClassifyIntent(text)) {
        case kb::Intent::kHumanRequest:
            search(text);
            handoff(chat::v1::HANDOFF_REASON_CUSTOMER_REQUEST);
            return d;
        case kb::Intent::kGreeting:
            courtesy = phrases.greeting;
            break;
        case kb::Intent::kThanks:
            courtesy = phrases.thanks;
            d.confirms_answer = !context.last_article.empty() && context.since_last_answer <= options_.feedback_window;
            break;
        case kb::Intent::kNotHelpful:
            if (!context.last_article.empty() && context.since_last_answer <= options_.feedback_window) {
                // What the knowledge base has on the question the answer failed on.
                search(context.answered_question.empty() ? text : std::string_view(context.answered_question));
                handoff(chat::v1::HANDOFF_REASON_BOT_FAILED);
                return d;
            }
            break;  // no answer to complain about: treat it as a question
        case kb::Intent::kQuestion:
            break;
    }
    search(text);
    const bool confident = Confident(d.candidates, options_, d.lang);
    if (courtesy) {
        d.kind = Decision::Kind::kSmallTalk;
        d.text = courtesy;
        if (confident) {
            d.text = kb::AnswerText(*d.candidates.front().article);
            d.article = d.candidates.front().article->id;
            d.score = d.candidates.front().score;
        }
        return d;
    }
    if (!confident) {
        handoff(chat::v1::HANDOFF_REASON_LOW_CONFIDENCE);
        return d;
    }
    const kb::Match& best = d.candidates.front();
    if (best.article->id == context.last_article && context.since_last_answer <= options_.repeat_window) {
        // The same question again right after its answer: the answer did not help.
        handoff(chat::v1::HANDOFF_REASON_BOT_FAILED);
        return d;
    }
    d.kind = Decision::Kind::kAnswer;
    d.text = kb::AnswerText(*best.article);
    d.article = best.article->id;
    d.score = best.score;
    return d;
}

}  // namespace switchboard::assistant
