#pragma once

#include <string>

namespace prometheus {
class Registry;
class Counter;
template <typename T>
class Family;
}  // namespace prometheus

namespace switchboard::gateway_telegram {

// gateway-telegram's metrics beyond channel::ChannelProbe's shared gateway set:
//   switchboard_gateway_updates_ignored_total{channel="telegram",type}: updates answered 200 with
//     nothing published (edited_message, channel_post, callback_query, service_message, …)
//   switchboard_gateway_reply_parts_total{channel="telegram"}: sendMessage calls that carried a
//     part of a reply longer than one message (the first part is not counted)
// Thread-safe.
class TelegramProbe {
public:
    explicit TelegramProbe(prometheus::Registry& registry);
    void OnIgnored(const std::string& type);
    void OnExtraPart();

private:
    prometheus::Family<prometheus::Counter>& ignored_;
    prometheus::Counter& extra_parts_;
};

}  // namespace switchboard::gateway_telegram
