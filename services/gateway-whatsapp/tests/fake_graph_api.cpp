#include "fake_graph_api.hpp"

#include <nlohmann/json.hpp>

namespace switchboard::gateway_whatsapp::test_support {

using nlohmann::json;

namespace {

FakeGraphApi::Answer Error(int status, int code, const std::string& message, const std::string& details) {
    const json body{{"error",
                     {{"message", message},
                      {"type", "OAuthException"},
                      {"code", code},
                      {"error_data", {{"messaging_product", "whatsapp"}, {"details", details}}},
                      {"fbtrace_id", "Az8or2yhqkZfEZ-_4Qn_Bam"}}}};
    return {status, body.dump()};
}

}  // namespace

FakeGraphApi::Answer FakeGraphApi::RateLimited() {
    return Error(
        400, 130429, "(#130429) Rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number in a short "
        "period of time");
}
FakeGraphApi::Answer FakeGraphApi::Reengagement() {
    return Error(
        400, 131047, "(#131047) Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last replied to "
        "this number.");
}
FakeGraphApi::Answer FakeGraphApi::ServerError() {
    return Error(500, 131000, "(#131000) Something went wrong",
                 "Message failed to send due to an unknown error.");
}
FakeGraphApi::Answer FakeGraphApi::InvalidRecipient() {
    return Error(400, 131026, "(#131026) Message undeliverable", "Message Undeliverable.");
}

FakeGraphApi::FakeGraphApi(std::string version, std::string access_token)
    : version_(std::move(version)), access_token_(std::move(access_token)) {
    http::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<http::Server>(options);
    server_->Route("POST", "/" + version_ + "/{phone_number_id}/messages",
                   [this](http::Request req, http::Respond respond) { Handle(req, respond); });
}

FakeGraphApi::~FakeGraphApi() { Stop(); }

void FakeGraphApi::Start() { server_->Start(); }
void FakeGraphApi::Stop() { server_->Stop(std::chrono::milliseconds(500)); }
std::uint16_t FakeGraphApi::port() const { return server_->BoundPort(); }
std::string FakeGraphApi::base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

void FakeGraphApi::Script(std::vector<Answer> answers) {
    std::lock_guard lock(mu_);
    for (auto& a : answers) script_.push_back(std::move(a));
}

void FakeGraphApi::Handle(const http::Request& request, const http::Respond& respond) {
    Request r;
    r.phone_number_id = request.params.at("phone_number_id");
    r.authorization = std::string(request.Header("Authorization").value_or(""));
    r.body = request.body;
    const json j = json::parse(request.body, nullptr, false);
    if (j.is_object()) {
        r.to = j.value("to", "");
        r.type = j.value("type", "");
        if (j.contains("text") && j["text"].is_object()) r.text = j["text"].value("body", "");
    }

    Answer answer;
    {
        std::lock_guard lock(mu_);
        if (r.authorization != "Bearer " + access_token_) {
            answer = Error(401, 190, "Invalid OAuth access token - Cannot parse access token", "");
        } else if (!j.is_object() || j.value("messaging_product", "") != "whatsapp" || r.to.empty()) {
            answer = Error(400, 100, "(#100) Invalid parameter", "messaging_product and to are required");
        } else if (!script_.empty()) {
            answer = std::move(script_.front());
            script_.pop_front();
        }
        if (answer.status == 200 && answer.body.empty()) {
            r.answered_message_id = "wamid.fake-" + std::to_string(next_id_++);
            answer.body = json{{"messaging_product", "whatsapp"},
                               {"contacts", json::array({{{"input", r.to}, {"wa_id", r.to}}})},
                               {"messages", json::array({{{"id", r.answered_message_id}}})}}
                              .dump();
        }
        r.answered_status = answer.status;
        requests_.push_back(r);
    }
    cv_.notify_all();
    respond(http::Response::Json(answer.status, std::move(answer.body)));
}

std::vector<FakeGraphApi::Request> FakeGraphApi::Requests() const {
    std::lock_guard lock(mu_);
    return requests_;
}

std::vector<FakeGraphApi::Request> FakeGraphApi::RequestsTo(const std::string& wa_id) const {
    std::lock_guard lock(mu_);
    std::vector<Request> out;
    for (const auto& r : requests_) {
        if (r.to == wa_id) out.push_back(r);
    }
    return out;
}

std::size_t FakeGraphApi::CountLocked(const std::string& wa_id) const {
    if (wa_id.empty()) return requests_.size();
    std::size_t n = 0;
    for (const auto& r : requests_) n += r.to == wa_id ? 1 : 0;
    return n;
}

bool FakeGraphApi::WaitForRequests(std::size_t n, std::chrono::milliseconds timeout,
                                   const std::string& wa_id) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return CountLocked(wa_id) >= n; });
}

}  // namespace switchboard::gateway_whatsapp::test_support
