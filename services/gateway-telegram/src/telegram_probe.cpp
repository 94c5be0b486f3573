#include "telegram_probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

namespace switchboard::gateway_telegram {

TelegramProbe::TelegramProbe(prometheus::Registry& registry)
    : ignored_(prometheus::BuildCounter()
                   .Name("switchboard_gateway_updates_ignored_total")
                   .Help("Platform updates answered 200 with nothing published, by update type")
                   .Register(registry)),
      extra_parts_(prometheus::BuildCounter()
                       .Name("switchboard_gateway_reply_parts_total")
                       .Help("Extra messages sent because a reply was longer than one platform message")
                       .Register(registry)
                       .Add({{"channel", "telegram"}})) {}

void TelegramProbe::OnIgnored(const std::string& type) {
    // Update types are Telegram's field names (a bounded set); anything odd is folded into one label.
    const bool plain = !type.empty() && type.size() <= 40 &&
                       type.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
    ignored_.Add({{"channel", "telegram"}, {"type", plain ? type : "other"}}).Increment();
}

void TelegramProbe::OnExtraPart() { extra_parts_.Increment(); }

}  // namespace switchboard::gateway_telegram
