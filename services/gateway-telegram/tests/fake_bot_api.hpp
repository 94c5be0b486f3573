#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "switchboard/http/server.hpp"

namespace switchboard::gateway_telegram::testing {

// A stand-in for api.telegram.org for tests: serves POST /bot<token>/sendMessage on loopback and
// answers as the Bot API documents (https://core.telegram.org/bots/api#making-requests):
//   200 {"ok":true,"result":{"message_id":N,"chat":{"id":…},"date":…,"text":…}}
//   401 {"ok":false,"error_code":401,"description":"Unauthorized"} for another token
//   400 "Bad Request: chat not found", "Bad Request: message text is empty",
//       "Bad Request: can't parse entities: …" (the text is checked as Telegram's HTML: only
//       b/strong/i/em/u/ins/s/strike/del/code/pre/a/tg-spoiler/span/blockquote tags and the
//       &lt; &gt; &amp; &quot; and numeric entities), "Bad Request: message is too long" (> 4096
//       UTF-16 units after parsing)
// Answers can be scripted per call (429 with parameters.retry_after, 500, 403…); unscripted
// calls succeed. Every request is recorded.
//
// Thread-safety: all methods may be called from any thread while the server runs.
class FakeBotApi {
public:
    struct Call {
        std::string token;  // from the path
        std::int64_t chat_id = 0;
        std::string text;        // as sent (HTML)
        std::string plain_text;  // after entity parsing: what the user sees
        std::string parse_mode;
        std::string body;             // the raw JSON
        int status = 0;               // what the fake answered
        std::int64_t message_id = 0;  // for 200
    };
    struct Scripted {
        int status = 500;
        std::string description = "Internal Server Error";
        std::optional<int> retry_after;  // → parameters.retry_after
    };

    explicit FakeBotApi(std::string token);
    ~FakeBotApi();
    FakeBotApi(const FakeBotApi&) = delete;
    FakeBotApi& operator=(const FakeBotApi&) = delete;

    // "http://127.0.0.1:<port>": the gateway's telegram.api-base.
    std::string base_url() const;
    std::uint16_t port() const;

    // The next sendMessage calls (any chat) get these answers, in order.
    void Enqueue(Scripted answer);
    void Enqueue429(int retry_after_seconds);
    void Enqueue500();
    // Chats that answer 403 "Forbidden: bot was blocked by the user".
    void BlockChat(std::int64_t chat_id);

    std::vector<Call> Calls() const;
    // Calls answered 200 (messages the user got), optionally for one chat.
    std::vector<Call> Delivered(std::optional<std::int64_t> chat_id = std::nullopt) const;
    // Waits until `done(calls)` holds; false after `timeout`.
    bool WaitFor(const std::function<bool(const std::vector<Call>&)>& done,
                 std::chrono::milliseconds timeout) const;

private:
    void OnSendMessage(const http::Request& request, const http::Respond& respond);

    std::string token_;
    http::Server server_;
    mutable std::mutex mu_;
    mutable std::condition_variable changed_;
    std::deque<Scripted> script_;
    std::vector<std::int64_t> blocked_;
    std::vector<Call> calls_;
    std::int64_t next_message_id_ = 1000;
};

// Telegram's HTML parsing for the fake: the visible text, or std::nullopt with a reason if Telegram
// would refuse it ("can't parse entities").
std::optional<std::string> ParseTelegramHtml(const std::string& html, std::string* error = nullptr);

}  // namespace switchboard::gateway_telegram::testing
