#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <string_view>

#include "switchboard/core/error.hpp"

namespace switchboard::kafka {

// Whether doing the same thing again later may succeed: transport, timeouts, a full local
// queue, leadership moves, a topic not (yet) known. Everything else — oversized records,
// authorization, invalid arguments, a fatal idempotence error — is not.
bool IsRetryable(rd_kafka_resp_err_t err);

// "<context>: <librdkafka's description> (<error name>)", retryable per IsRetryable.
Error ToError(rd_kafka_resp_err_t err, std::string_view context);

// Delay before handing a record again after the `attempt`-th (0-based) retryable failure:
// 100 ms doubling up to 5 s.
constexpr std::chrono::milliseconds RetryBackoff(int attempt) {
    constexpr std::chrono::milliseconds kFirst{100};
    constexpr std::chrono::milliseconds kMax{5000};
    std::chrono::milliseconds delay = kFirst;
    for (int i = 0; i < attempt && delay < kMax; ++i) delay *= 2;
    return delay < kMax ? delay : kMax;
}

}  // namespace switchboard::kafka
