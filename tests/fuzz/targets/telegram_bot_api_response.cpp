// A Bot API sendMessage response (status + body from Telegram or a proxy in between) →
// MapSendMessageResponse (services/gateway-telegram/src/bot_api.*). First byte: the HTTP status.
#include <cstdint>

#include "bot_api.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    static const int kStatus[] = {0, 200, 201, 204, 302, 400, 401, 403, 404, 409, 429, 500, 502, 503, 100, 299};
    const int status = kStatus[data[0] % 16];
    const auto attempt =
        switchboard::gateway_telegram::MapSendMessageResponse(status, switchboard::fuzz::AsText(data + 1, size - 1));
    // A hint to wait, never a negative wait (an overflowed retry_after shows up here in a plain
    // build; UBSan reports the overflow itself).
    FUZZ_CHECK(attempt.retry_after.count() >= 0, "retry_after is not negative");
    return 0;
}
