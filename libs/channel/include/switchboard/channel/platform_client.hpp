#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "switchboard/core/error.hpp"

namespace switchboard::channel {

struct PlatformResponse {
    int status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
};

// HTTPS (and plain HTTP, for local test servers) requests to a platform's API through libcurl:
// certificate checks on, bounded connect and total time, no redirects, no proxies from the
// environment unless configured. A transport failure (DNS, connect, TLS, timeout) is a retryable
// Error; any HTTP status is a response. Thread-safe (one curl handle per call).
class PlatformClient {
public:
    struct Options {
        std::chrono::milliseconds connect_timeout{3000};
        std::chrono::milliseconds timeout{10000};
        std::string user_agent = "switchboard";
    };
    PlatformClient() : PlatformClient(Options{}) {}
    explicit PlatformClient(Options options);

    Result<PlatformResponse> Post(const std::string& url, const std::string& content_type, const std::string& body,
                                  const std::vector<std::string>& extra_headers = {}) const;
    Result<PlatformResponse> Get(const std::string& url, const std::vector<std::string>& extra_headers = {}) const;

private:
    Options options_;
};

}  // namespace switchboard::channel
