#include "whatsapp_probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

namespace switchboard::gateway_whatsapp {

WhatsAppProbe::WhatsAppProbe(prometheus::Registry& registry)
    : statuses_(prometheus::BuildCounter()
                    .Name("switchboard_whatsapp_statuses_total")
                    .Help("WhatsApp delivery receipts published as ChannelStatus events, by status")
                    .Register(registry)),
      window_closed_(
          prometheus::BuildCounter()
              .Name("switchboard_whatsapp_window_closed_total")
              .Help("Replies not sent because the 24-hour customer-service window was closed, by responder")
              .Register(registry)),
      ignored_(prometheus::BuildCounter()
                   .Name("switchboard_whatsapp_ignored_total")
                   .Help("Webhook notifications acknowledged but not published, by what they were")
                   .Register(registry)) {}

void WhatsAppProbe::OnStatus(const std::string& status) { statuses_.Add({{"status", status}}).Increment(); }
void WhatsAppProbe::OnWindowClosed(const std::string& responder) {
    window_closed_.Add({{"responder", responder}}).Increment();
}
void WhatsAppProbe::OnIgnored(const std::string& what) { ignored_.Add({{"what", what}}).Increment(); }

}  // namespace switchboard::gateway_whatsapp
