#pragma once

#include <string>
#include <string_view>

namespace switchboard {

// A random RFC 4122 version-4 UUID in canonical text form. Thread-safe.
std::string NewUuid();

// A deterministic id derived from `input` (hex of a 128-bit hash), so that a retried
// computation produces the same id, e.g. a reply id from the message it answers.
std::string DerivedId(std::string_view prefix, std::string_view input);

// True if `id` is 1..128 characters of [A-Za-z0-9._:-]: safe as a Kafka key, a Redis key part,
// a URL path segment and a log field without escaping.
bool IsValidExternalId(std::string_view id);

}  // namespace switchboard
