#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "switchboard/http/server.hpp"

namespace switchboard::gateway_whatsapp::test_support {

// A stand-in for the Graph API's Cloud API send endpoint, for the integration and e2e tiers:
//   POST /<version>/<phone-number-id>/messages
// Checks the bearer token (401 with Graph error 190 if wrong), records every request, and
// answers like Meta's documentation: 200 {"messaging_product":"whatsapp","contacts":[…],
// "messages":[{"id":"wamid.fake-<n>"}]} — or, when scripted, the next queued answer (a rate-limit
// error 130429, a 131047 re-engagement error, a 500…). Thread-safe.
class FakeGraphApi {
public:
    struct Request {
        std::string phone_number_id;
        std::string authorization;  // the Authorization header as received
        std::string body;           // raw JSON
        // From the body: "to", "type", text.body.
        std::string to;
        std::string type;
        std::string text;
        int answered_status = 0;
        std::string answered_message_id;  // the wamid answered on 200
    };
    struct Answer {
        int status = 200;
        std::string body;  // empty with 200: the usual success body with a fresh wamid
    };

    FakeGraphApi(std::string version, std::string access_token);
    ~FakeGraphApi();
    FakeGraphApi(const FakeGraphApi&) = delete;
    FakeGraphApi& operator=(const FakeGraphApi&) = delete;

    void Start();
    void Stop();
    std::uint16_t port() const;
    std::string base_url() const;  // "http://127.0.0.1:<port>"

    // Queues answers for the next requests, in order; after them, 200 again.
    void Script(std::vector<Answer> answers);

    std::vector<Request> Requests() const;
    // Requests whose "to" is `wa_id`.
    std::vector<Request> RequestsTo(const std::string& wa_id) const;
    // Waits until at least `n` requests went to `wa_id` ("" = any recipient); false on timeout.
    bool WaitForRequests(std::size_t n, std::chrono::milliseconds timeout,
                         const std::string& wa_id = "") const;

    // Documented error answers.
    static Answer RateLimited();       // 400, code 130429 "Rate limit hit"
    static Answer Reengagement();      // 400, code 131047 "Re-engagement message"
    static Answer ServerError();       // 500, code 131000 "Something went wrong"
    static Answer InvalidRecipient();  // 400, code 131026 "Message undeliverable"

private:
    void Handle(const http::Request& request, const http::Respond& respond);
    std::size_t CountLocked(const std::string& wa_id) const;

    std::string version_;
    std::string access_token_;
    std::unique_ptr<http::Server> server_;
    mutable std::mutex mu_;
    mutable std::condition_variable cv_;
    std::deque<Answer> script_;
    std::vector<Request> requests_;
    std::uint64_t next_id_ = 1;
};

}  // namespace switchboard::gateway_whatsapp::test_support
