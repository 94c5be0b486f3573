// A Graph API /messages response (status, body, Retry-After) → ClassifySendResponse
// (services/gateway-whatsapp/src/graph_api.*). First byte: the HTTP status; the body runs to the
// first NUL, the Retry-After header value follows it.
#include <cstdint>
#include <optional>
#include <string_view>

#include "fuzz_check.hpp"
#include "graph_api.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace wa = switchboard::gateway_whatsapp;
    if (size == 0) return 0;
    static const int kStatus[] = {0, 200, 201, 204, 302, 400, 401, 403, 404, 409, 429, 500, 502, 503, 100, 299};
    const int status = kStatus[data[0] % 16];
    const auto rest = switchboard::fuzz::AsText(data + 1, size - 1);
    const auto nul = rest.find('\0');
    const std::optional<std::string_view> retry_after =
        nul == std::string_view::npos ? std::nullopt : std::optional<std::string_view>(rest.substr(nul + 1));
    const auto out = wa::ClassifySendResponse(status, rest.substr(0, nul), retry_after);
    FUZZ_CHECK(out.retry_after.count() >= 0 && out.retry_after.count() <= 3600 * 1000,
               "Retry-After is capped at an hour and never negative");
    return 0;
}
