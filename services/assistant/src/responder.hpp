#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/core/error.hpp"
#include "switchboard/kb/live_index.hpp"

namespace switchboard::assistant {

// What the assistant does with one customer message. Pure data.
struct Decision {
    enum class Kind {
        kAnswer,     // a knowledge-base answer we are sure of
        kSmallTalk,  // greeting or thanks, handled without a handoff (`article` set if it was the KB's)
        kHandoff,    // a human takes over
    };
    Kind kind = Kind::kHandoff;
    std::string text;  // what the customer gets (answer, small talk, or the handoff notice)
    ArticleId article;
    double score = 0;
    chat::v1::HandoffReason reason = chat::v1::HANDOFF_REASON_UNSPECIFIED;
    std::vector<kb::Match> candidates;  // best first; valid while `index` lives
    std::shared_ptr<const kb::Index> index;  // the snapshot the decision was made on
    // Thanks right after a knowledge-base answer: the customer confirmed it (the bot resolves).
    bool confirms_answer = false;
    std::string lang;  // the customer's language the decision was made for ("en", "ru")
    // A handoff's topics: the tags of the candidates plausible enough to say what it is about, best
    // first, each once; routing prefers operators skilled in them.
    std::vector<std::string> topics;
};

// What the assistant remembers of the conversation: its last knowledge-base answer.
struct ConversationContext {
    ArticleId last_article;  // empty if none
    std::chrono::seconds since_last_answer{0};
    std::string answered_question{};  // the customer's message it answered
    std::string channel{};  // the message's (events::ChannelName); only articles allowed on it answer
};

// Decides, without I/O, how to respond to a customer message: answer from the knowledge base only
// when the best article scores at least `threshold`, otherwise hand off. Never makes up text:
// answers are the articles' own. A greeting or thanks is small talk: the knowledge base's answer
// when it has one it is sure of (a deployment's own "hello"), else the built-in phrase; a wish for
// a person and "that didn't help" never reach the knowledge base.
// Thread-safety: const methods are thread-safe; the LiveIndex must outlive the Responder. Each
// decision uses one snapshot of the index, so a concurrent knowledge-base update is never seen half.
class Responder {
public:
    struct Options {
        double threshold = 0.5;      // minimum score to answer
        std::size_t candidates = 3;  // how many candidates a handoff carries
        double margin = 0.0;         // minimum lead of the best article over the second best
        // Asking for the same article again within this time means the answer did not help.
        std::chrono::seconds repeat_window{120};
        // "That didn't help" counts as feedback on an answer given within this time.
        std::chrono::seconds feedback_window{600};
        // Per language ("ru" → 0.4), overriding `threshold` for customers writing in it: score
        // scales differ between languages (a knowledge base's Russian and English sides differ).
        std::map<std::string, double, std::less<>> language_thresholds{};
    };
    using Context = ConversationContext;

    // Whether the engine is sure enough of candidates.front() to answer a customer writing in `lang`.
    static bool Confident(const std::vector<kb::Match>& candidates, const Options& options,
                          std::string_view lang = {});
    static double ThresholdFor(const Options& options, std::string_view lang);
    // The tags of the candidates scoring at least `floor`, best first, each once.
    static std::vector<std::string> TopicsOf(const std::vector<kb::Match>& candidates, double floor);

    Responder(const kb::LiveIndex& index, Options options);

    // `lang` is the customer's language if the channel knows it (see LanguageOf); otherwise it is
    // detected.
    Decision Decide(std::string_view text, std::string_view lang = {}, const Context& context = {}) const;
    // A message with content the assistant cannot read (photo, voice, document…): a handoff with
    // reason unsupported_content, whatever its caption says.
    Decision DecideNonText(std::string_view caption, std::string_view lang = {}) const;
    const Options& options() const { return options_; }

private:
    const kb::LiveIndex& index_;
    Options options_;
};

// "ru=0.45,en=0.5" → {ru: 0.45, en: 0.5}; empty → {}. Errors name the bad item.
Result<std::map<std::string, double, std::less<>>> ParseLanguageThresholds(std::string_view text);

// "ru" if most letters are Cyrillic, else "en".
std::string DetectLanguage(std::string_view text);

// The language a customer's message is answered in: the channel's tag reduced to its primary
// language subtag, lower-cased ("en-US", "EN" → "en"), or detected from `text` when there is none.
std::string LanguageOf(std::string_view text, std::string_view hint);

}  // namespace switchboard::assistant
