#include "threading.hpp"

#include <algorithm>
#include <array>

#include "switchboard/core/ids.hpp"
#include "text_util.hpp"

namespace switchboard::gateway_email {

namespace {

// Removes one reply prefix ("Re:", "Re[3]:", "AW:", "Ответ:" …); false if there was none.
bool StripOnePrefix(std::string_view& s) {
    // ASCII prefixes match in any case; Cyrillic ones are listed in the cases clients write.
    static constexpr std::array<std::string_view, 11> kPrefixes = {"re",    "aw",    "sv",  "antw", "res", "Ответ",
                                                                   "ответ", "ОТВЕТ", "Отв", "отв",  "ОТВ"};
    for (const auto p : kPrefixes) {
        if (!StartsWithIgnoreCase(s, p)) continue;
        std::string_view rest = s.substr(p.size());
        if (!rest.empty() && rest.front() == '[') {  // "Re[2]:"
            const auto close = rest.find(']');
            if (close == std::string_view::npos) continue;
            rest.remove_prefix(close + 1);
        }
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        if (rest.empty() || rest.front() != ':') continue;
        rest.remove_prefix(1);
        s = TrimWhitespace(rest);
        return true;
    }
    return false;
}

}  // namespace

std::string NormalizeSubject(std::string_view subject) {
    std::string_view s = TrimWhitespace(subject);
    while (StripOnePrefix(s)) {
    }
    // Folded headers leave line breaks and tabs; a subject is one line.
    std::string out;
    bool space = false;
    for (const char c : s) {
        if (c == '\r' || c == '\n' || c == '\t' || c == ' ') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

std::string ReplySubject(std::string_view subject, std::string_view fallback) {
    std::string s = NormalizeSubject(subject);
    if (s.empty()) s = NormalizeSubject(fallback);
    return "Re: " + s;
}

std::string ConversationIdForRoot(std::string_view root_message_id) {
    const std::string hash = DerivedId("", root_message_id);
    return "em-" + hash.substr(0, 20);
}

std::string ReplyMessageId(std::string_view reply_id, std::string_view domain) {
    return DerivedId("sb.", std::string("reply:") + std::string(reply_id)) + "@" + std::string(domain);
}

std::vector<std::string> ReplyReferences(const std::vector<std::string>& chain, const std::string& parent,
                                         std::size_t max_ids) {
    std::vector<std::string> all;
    auto add = [&all](const std::string& id) {
        if (!id.empty() && std::find(all.begin(), all.end(), id) == all.end()) all.push_back(id);
    };
    for (const auto& id : chain) add(id);
    add(parent);
    if (max_ids < 2 || all.size() <= max_ids) return all;
    std::vector<std::string> trimmed{all.front()};
    trimmed.insert(trimmed.end(), all.end() - static_cast<std::ptrdiff_t>(max_ids - 1), all.end());
    return trimmed;
}

Result<ThreadResolution> ResolveConversation(ThreadStore& store, const ParsedEmail& email) {
    std::vector<std::string> candidates{email.message_id};
    if (!email.in_reply_to.empty()) candidates.push_back(email.in_reply_to);
    for (auto it = email.references.rbegin(); it != email.references.rend(); ++it) candidates.push_back(*it);

    auto found = store.FindConversation(candidates);
    if (!found) return found.error();
    ThreadResolution r;
    if (found->has_value()) {
        r.conversation_id = **found;
    } else {
        const std::string& root = !email.references.empty()  ? email.references.front()
                                  : !email.in_reply_to.empty() ? email.in_reply_to
                                                               : email.message_id;
        r.conversation_id = ConversationIdForRoot(root);
        r.new_thread = true;
    }
    auto state = store.Get(r.conversation_id);
    if (!state) return state.error();
    if (state->has_value() && !(*state)->customer.empty() && !EqualsIgnoreCase((*state)->customer, email.from_address)) {
        // Someone else's thread. Derived from sender and id, so the MTA's retry lands here again.
        r.conversation_id = ConversationIdForRoot(email.from_address + " " + email.message_id);
        r.new_thread = true;
    }
    return r;
}

}  // namespace switchboard::gateway_email
