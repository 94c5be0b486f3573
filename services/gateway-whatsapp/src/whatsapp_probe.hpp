#pragma once

#include <string>

namespace prometheus {
class Registry;
class Counter;
template <typename T>
class Family;
}  // namespace prometheus

namespace switchboard::gateway_whatsapp {

// gateway-whatsapp's own metrics, beside the shared channel::ChannelProbe ones:
//   switchboard_whatsapp_statuses_total{status}         delivery receipts published
//   (sent/delivered/read/failed) switchboard_whatsapp_window_closed_total{responder} replies not sent: the
//   24-hour window was closed switchboard_whatsapp_ignored_total{what}            notifications accepted but
//   not published
// Thread-safe.
class WhatsAppProbe {
public:
    explicit WhatsAppProbe(prometheus::Registry& registry);
    void OnStatus(const std::string& status);
    void OnWindowClosed(const std::string& responder);
    void OnIgnored(const std::string& what);

private:
    prometheus::Family<prometheus::Counter>& statuses_;
    prometheus::Family<prometheus::Counter>& window_closed_;
    prometheus::Family<prometheus::Counter>& ignored_;
};

}  // namespace switchboard::gateway_whatsapp
