#include "smtp_relay.hpp"

#include <curl/curl.h>

#include <array>
#include <cstring>
#include <memory>
#include <mutex>

#include "text_util.hpp"

namespace switchboard::gateway_email {

namespace {

void GlobalInitOnce() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
    const std::string* data;
    std::size_t offset = 0;
};

std::size_t ReadBody(char* buffer, std::size_t size, std::size_t items, void* user) {
    auto* up = static_cast<Upload*>(user);
    const std::size_t room = size * items;
    const std::size_t n = std::min(room, up->data->size() - up->offset);
    std::memcpy(buffer, up->data->data() + up->offset, n);
    up->offset += n;
    return n;
}

// Keeps the server's last reply line (libcurl reports SMTP replies as incoming "headers").
int OnDebug(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
    if (type != CURLINFO_HEADER_IN) return 0;
    auto* last = static_cast<std::string*>(user);
    std::string_view line = TrimWhitespace(std::string_view(data, size));
    if (line.size() >= 3) *last = std::string(line.substr(0, 300));
    return 0;
}

}  // namespace

RelayResult ClassifyRelayOutcome(int curl_code, int smtp_code, const std::string& reply, const std::string& curl_error) {
    RelayResult r;
    r.code = smtp_code;
    if (curl_code == CURLE_OK) {
        r.kind = RelayResult::Kind::kSent;
        r.response = reply;
        return r;
    }
    const std::string detail = reply.empty() ? curl_error : reply;
    r.response = detail.empty() ? std::string(curl_easy_strerror(static_cast<CURLcode>(curl_code))) : detail;
    if (curl_code == CURLE_LOGIN_DENIED) {
        r.kind = RelayResult::Kind::kTemporary;
        r.response = "relay refused our login (check outbound.username and the password): " + r.response;
        return r;
    }
    if (smtp_code >= 500 && smtp_code < 600) {
        r.kind = RelayResult::Kind::kPermanent;
    } else {
        r.kind = RelayResult::Kind::kTemporary;  // 4xx or no answer at all
    }
    return r;
}

CurlSmtpRelay::CurlSmtpRelay(Options options) : options_(std::move(options)) { GlobalInitOnce(); }

RelayResult CurlSmtpRelay::Send(const std::string& from, const std::string& to, const std::string& message) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) return ClassifyRelayOutcome(CURLE_FAILED_INIT, 0, "", "curl_easy_init failed");
    CURL* h = curl.get();
    std::array<char, CURL_ERROR_SIZE> error{};
    std::string last_reply;
    Upload upload{&message, 0};
    const std::string mail_from = "<" + from + ">";
    const std::string rcpt = "<" + to + ">";
    curl_slist* recipients = curl_slist_append(nullptr, rcpt.c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt_guard(recipients, &curl_slist_free_all);

    curl_easy_setopt(h, CURLOPT_URL, options_.url.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadBody);
    curl_easy_setopt(h, CURLOPT_READDATA, &upload);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error.data());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, &OnDebug);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &last_reply);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // feeds OnDebug; nothing is printed
    if (options_.require_starttls) curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    if (!options_.username.empty()) {
        curl_easy_setopt(h, CURLOPT_USERNAME, options_.username.c_str());
        curl_easy_setopt(h, CURLOPT_PASSWORD, options_.password.c_str());
    }
    const CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    return ClassifyRelayOutcome(rc, static_cast<int>(code), last_reply, error.data());
}

}  // namespace switchboard::gateway_email
