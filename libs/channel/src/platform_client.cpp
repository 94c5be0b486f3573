#include "switchboard/channel/platform_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace switchboard::channel {

namespace {

void GlobalInitOnce() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Collected {
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::size_t limit = 4 * 1024 * 1024;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* user) {
    auto* c = static_cast<Collected*>(user);
    const std::size_t len = size * n;
    if (c->body.size() + len > c->limit) return 0;  // aborts the transfer: a platform never sends this much
    c->body.append(data, len);
    return len;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
    auto* c = static_cast<Collected*>(user);
    const std::size_t len = size * n;
    std::string line(data, len);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
        std::string value = line.substr(colon + 1);
        const auto b = value.find_first_not_of(" \t");
        const auto e = value.find_last_not_of(" \t\r\n");
        value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
        c->headers.emplace_back(std::move(name), std::move(value));
    }
    return len;
}

struct CurlDeleter {
    void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

PlatformClient::PlatformClient(Options options) : options_(std::move(options)) { GlobalInitOnce(); }

namespace {

Result<PlatformResponse> Perform(const PlatformClient::Options& o, const std::string& url, const std::string* body,
                                 const std::string& content_type, const std::vector<std::string>& extra_headers) {
    std::unique_ptr<CURL, CurlDeleter> h(curl_easy_init());
    if (!h) return Error::Retryable("cannot create a curl handle");
    std::unique_ptr<curl_slist, SlistDeleter> headers;
    auto add = [&headers](const std::string& header) {
        curl_slist* next = curl_slist_append(headers.get(), header.c_str());
        if (next != nullptr) {
            (void)headers.release();
            headers.reset(next);
        }
    };
    if (body != nullptr) add("Content-Type: " + content_type);
    add("Expect:");  // no 100-continue round trip
    for (const auto& hdr : extra_headers) add(hdr);
    Collected collected;
    char errbuf[CURL_ERROR_SIZE] = {0};
    CURL* c = h.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout.count()));
    curl_easy_setopt(c, CURLOPT_USERAGENT, o.user_agent.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &collected);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &collected);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    if (body != nullptr) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    }
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        // Never the URL: it may carry a token (Telegram's /bot<token>/…).
        return Error::Retryable(std::string("platform request failed: ") + (errbuf[0] != 0 ? errbuf : curl_easy_strerror(rc)));
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    PlatformResponse r;
    r.status = static_cast<int>(status);
    r.body = std::move(collected.body);
    r.headers = std::move(collected.headers);
    return r;
}

}  // namespace

Result<PlatformResponse> PlatformClient::Post(const std::string& url, const std::string& content_type,
                                              const std::string& body,
                                              const std::vector<std::string>& extra_headers) const {
    return Perform(options_, url, &body, content_type, extra_headers);
}

Result<PlatformResponse> PlatformClient::Get(const std::string& url, const std::vector<std::string>& extra_headers) const {
    return Perform(options_, url, nullptr, "", extra_headers);
}

}  // namespace switchboard::channel
