#pragma once

#include <string>

#include "switchboard/routing_policy/policy.hpp"

namespace switchboard::routing_policy::testing {

// An available web/en operator with no topics, load 0/3, idle since 0.
inline OperatorView MakeOperator(std::string id) {
    OperatorView op;
    op.id = std::move(id);
    op.skills.channels = {"web"};
    op.skills.languages = {"en"};
    op.capacity = 3;
    op.available = true;
    return op;
}

// A web/en conversation queued at 0, priority 0.
inline ConversationView MakeConversation(std::string id) {
    ConversationView conv;
    conv.id = std::move(id);
    conv.channel = "web";
    conv.language = "en";
    return conv;
}

}  // namespace switchboard::routing_policy::testing
