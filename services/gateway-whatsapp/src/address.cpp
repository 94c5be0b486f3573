#include "address.hpp"

#include <algorithm>
#include <cctype>

namespace switchboard::gateway_whatsapp {

namespace {
bool Digits(std::string_view s) {
    return !s.empty() && s.size() <= 60 && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
}
}  // namespace

std::optional<WaAddress> WaAddress::Make(std::string phone_number_id, std::string wa_id) {
    if (!Digits(phone_number_id) || !Digits(wa_id)) return std::nullopt;
    return WaAddress{std::move(phone_number_id), std::move(wa_id)};
}

std::optional<WaAddress> WaAddress::FromConversationId(std::string_view conversation_id) {
    constexpr std::string_view kPrefix = "wa-";
    if (conversation_id.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
    const std::string_view rest = conversation_id.substr(kPrefix.size());
    const auto dash = rest.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    return Make(std::string(rest.substr(0, dash)), std::string(rest.substr(dash + 1)));
}

}  // namespace switchboard::gateway_whatsapp
