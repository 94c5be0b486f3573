#include "switchboard/routing_policy/policy.hpp"

#include <algorithm>
#include <cassert>
#include <string_view>
#include <unordered_map>

namespace switchboard::routing_policy {
namespace {

char Fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Folded(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = Fold(c);
    return out;
}

std::string_view PrimarySubtag(std::string_view language) {
    return language.substr(0, language.find_first_of("-_"));
}

// `folded` is already normalized (once per conversation); only the operator's side is folded on the
// fly, so scanning hundreds of operators allocates nothing.
bool EqualsFolded(std::string_view folded, std::string_view raw) {
    if (folded.size() != raw.size()) return false;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (Fold(raw[i]) != folded[i]) return false;
    }
    return true;
}

bool ContainsFolded(const std::vector<std::string>& raw_list, std::string_view folded) {
    return std::any_of(raw_list.begin(), raw_list.end(),
                       [&](const std::string& raw) { return EqualsFolded(folded, raw); });
}

const int* FindChannel(const std::vector<std::pair<std::string, int>>& list,
                       std::string_view folded_channel) {
    for (const auto& [channel, value] : list) {
        if (EqualsFolded(folded_channel, channel)) return &value;
    }
    return nullptr;
}

std::int64_t Waited(const ConversationView& conv, std::int64_t now_ms) {
    return std::max<std::int64_t>(0, now_ms - conv.queued_at_ms);
}

bool Widened(std::int64_t waited, std::int64_t after_ms) { return after_ms >= 0 && waited >= after_ms; }

// A conversation's matching keys, normalized once per call.
struct Normalized {
    std::string channel;
    std::string language;               // primary subtag; empty = unknown
    std::vector<std::string> required;  // required topics
    std::vector<std::string> wanted;    // preferred ∪ required, deduplicated: the ranking's topics
    bool language_widened = false;
    bool topics_widened = false;
};

Normalized Normalize(const ConversationView& conv, std::int64_t now_ms, const PolicyOptions& options) {
    Normalized n;
    n.channel = Folded(conv.channel);
    n.language = Folded(PrimarySubtag(conv.language));
    const std::int64_t waited = Waited(conv, now_ms);
    n.language_widened = Widened(waited, options.widen_language_after_ms);
    n.topics_widened = Widened(waited, options.widen_topics_after_ms);
    n.required.reserve(conv.required_topics.size());
    for (const auto& t : conv.required_topics) n.required.push_back(Folded(t));
    n.wanted.reserve(conv.topics.size() + n.required.size());
    auto add_wanted = [&](std::string t) {
        if (std::find(n.wanted.begin(), n.wanted.end(), t) == n.wanted.end())
            n.wanted.push_back(std::move(t));
    };
    for (const auto& t : conv.topics) add_wanted(Folded(t));
    for (const auto& t : n.required) add_wanted(t);
    return n;
}

bool LanguageMatches(const Normalized& n, const OperatorView& op) {
    if (op.skills.languages.empty() || n.language.empty()) return true;
    return std::any_of(op.skills.languages.begin(), op.skills.languages.end(),
                       [&](const std::string& l) { return EqualsFolded(n.language, PrimarySubtag(l)); });
}

bool RequiredTopicsMatch(const Normalized& n, const OperatorView& op) {
    if (op.skills.topics.empty()) return true;
    return std::all_of(n.required.begin(), n.required.end(),
                       [&](const std::string& t) { return ContainsFolded(op.skills.topics, t); });
}

bool IsEligible(const Normalized& n, const ConversationView& conv, const OperatorView& op) {
    if (!op.available || op.load >= op.capacity) return false;
    if (!conv.target_operator.empty() && conv.target_operator != op.id) return false;
    if (!n.channel.empty() && !op.skills.channels.empty() && !ContainsFolded(op.skills.channels, n.channel)) {
        return false;
    }
    if (const int* cap = FindChannel(op.channel_capacity, n.channel); cap != nullptr) {
        const int* load = FindChannel(op.channel_load, n.channel);
        if ((load != nullptr ? *load : 0) >= *cap) return false;
    }
    if (!n.language_widened && !LanguageMatches(n, op)) return false;
    if (!n.topics_widened && !RequiredTopicsMatch(n, op)) return false;
    return std::find(conv.excluded.begin(), conv.excluded.end(), op.id) == conv.excluded.end();
}

int TopicMatches(const Normalized& n, const OperatorView& op) {
    int matches = 0;
    for (const auto& t : n.wanted) matches += ContainsFolded(op.skills.topics, t) ? 1 : 0;
    return matches;
}

// Ranking of two eligible operators (capacity > 0 for both); true if `a` should be offered first.
bool Better(int a_topics, const OperatorView& a, int b_topics, const OperatorView& b) {
    if (a_topics != b_topics) return a_topics > b_topics;
    // a.load / a.capacity vs b.load / b.capacity without floating point.
    const std::int64_t lhs = static_cast<std::int64_t>(a.load) * b.capacity;
    const std::int64_t rhs = static_cast<std::int64_t>(b.load) * a.capacity;
    if (lhs != rhs) return lhs < rhs;
    if (a.idle_since_ms != b.idle_since_ms) return a.idle_since_ms < b.idle_since_ms;
    return a.id < b.id;
}

std::string Why(const Normalized& n, const OperatorView& op, int topics, std::size_t eligible,
                std::size_t total, std::int64_t now_ms) {
    std::string why;
    if (!n.wanted.empty()) {
        why += "topics " + std::to_string(topics) + "/" + std::to_string(n.wanted.size()) + ", ";
    }
    why += "load " + std::to_string(op.load) + "/" + std::to_string(op.capacity);
    why += ", idle " + std::to_string(std::max<std::int64_t>(0, now_ms - op.idle_since_ms) / 1000) + "s";
    why += ", " + std::to_string(eligible) + " of " + std::to_string(total) + " eligible";
    if (n.language_widened && !LanguageMatches(n, op)) why += ", language widened";
    if (n.topics_widened && !RequiredTopicsMatch(n, op)) why += ", topics widened";
    return why;
}

class DefaultPolicy final : public Policy {
public:
    explicit DefaultPolicy(PolicyOptions options) : options_(options) {}

    std::optional<Pick> Choose(const ConversationView& conv, const std::vector<OperatorView>& operators,
                               std::int64_t now_ms) const override {
        const Normalized n = Normalize(conv, now_ms, options_);
        const OperatorView* best = nullptr;
        int best_topics = 0;
        std::size_t eligible = 0;
        for (const auto& op : operators) {
            if (!IsEligible(n, conv, op)) continue;
            ++eligible;
            const int topics = TopicMatches(n, op);
            if (best == nullptr || Better(topics, op, best_topics, *best)) {
                best = &op;
                best_topics = topics;
            }
        }
        if (best == nullptr) return std::nullopt;
        return Pick{best->id, Why(n, *best, best_topics, eligible, operators.size(), now_ms)};
    }

    std::vector<std::size_t> Order(const std::vector<ConversationView>& queue,
                                   std::int64_t now_ms) const override {
        std::vector<std::int64_t> effective(queue.size());
        for (std::size_t i = 0; i < queue.size(); ++i) {
            const std::int64_t aged =
                options_.aging_step_ms > 0 ? Waited(queue[i], now_ms) / options_.aging_step_ms : 0;
            effective[i] = queue[i].priority + aged;
        }
        std::vector<std::size_t> order(queue.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            if (effective[a] != effective[b]) return effective[a] > effective[b];
            if (queue[a].queued_at_ms != queue[b].queued_at_ms)
                return queue[a].queued_at_ms < queue[b].queued_at_ms;
            if (queue[a].id != queue[b].id) return queue[a].id < queue[b].id;
            return a < b;
        });
        return order;
    }

    bool Eligible(const ConversationView& conv, const OperatorView& op, std::int64_t now_ms) const override {
        return IsEligible(Normalize(conv, now_ms, options_), conv, op);
    }

private:
    PolicyOptions options_;
};

}  // namespace

std::unique_ptr<Policy> MakeDefaultPolicy(PolicyOptions options) {
    return std::make_unique<DefaultPolicy>(options);
}

std::vector<std::pair<std::size_t, Pick>> PlanAssignments(const Policy& policy,
                                                          const std::vector<ConversationView>& queue,
                                                          std::vector<OperatorView> operators,
                                                          std::int64_t now_ms) {
    std::vector<std::pair<std::size_t, Pick>> plan;
    if (queue.empty() || operators.empty()) return plan;

    std::unordered_map<std::string_view, std::size_t> by_id;
    by_id.reserve(operators.size());
    std::int64_t free_slots = 0;  // lets a batch larger than the free capacity stop early
    for (std::size_t i = 0; i < operators.size(); ++i) {
        by_id.emplace(operators[i].id, i);
        if (operators[i].available) free_slots += std::max(0, operators[i].capacity - operators[i].load);
    }

    for (const std::size_t index : policy.Order(queue, now_ms)) {
        if (free_slots <= 0) break;
        std::optional<Pick> pick = policy.Choose(queue[index], operators, now_ms);
        if (!pick) continue;
        const auto it = by_id.find(pick->operator_id);
        assert(it != by_id.end() && "the policy picked an operator that is not in the list");
        if (it == by_id.end()) continue;
        OperatorView& op = operators[it->second];
        if (op.load < op.capacity) --free_slots;
        ++op.load;
        op.idle_since_ms = now_ms;
        const std::string channel = Folded(queue[index].channel);
        auto load = std::find_if(op.channel_load.begin(), op.channel_load.end(),
                                 [&](const auto& entry) { return EqualsFolded(channel, entry.first); });
        if (load != op.channel_load.end()) {
            ++load->second;
        } else {
            op.channel_load.emplace_back(queue[index].channel, 1);
        }
        plan.emplace_back(index, std::move(*pick));
    }
    return plan;
}

}  // namespace switchboard::routing_policy
