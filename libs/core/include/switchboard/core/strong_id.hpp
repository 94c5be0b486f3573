#pragma once

#include <compare>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace switchboard {

// A string id that cannot be mixed up with another kind of id at compile time.
// Value type; thread-compatible.
template <typename Tag>
class StrongId {
public:
    StrongId() = default;
    explicit StrongId(std::string value) : value_(std::move(value)) {}

    const std::string& str() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }

    friend auto operator<=>(const StrongId&, const StrongId&) = default;

private:
    std::string value_;
};

using ConversationId = StrongId<struct ConversationIdTag>;
using MessageId = StrongId<struct MessageIdTag>;
using ReplyId = StrongId<struct ReplyIdTag>;
using OperatorId = StrongId<struct OperatorIdTag>;
using ArticleId = StrongId<struct ArticleIdTag>;

}  // namespace switchboard

template <typename Tag>
struct std::hash<switchboard::StrongId<Tag>> {
    size_t operator()(const switchboard::StrongId<Tag>& id) const noexcept {
        return std::hash<std::string>{}(id.str());
    }
};
