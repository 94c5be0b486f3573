#include "fake_bot_api.hpp"

#include "switchboard/core/utf8.hpp"

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

namespace switchboard::gateway_telegram::testing {

using nlohmann::json;

namespace {

http::Response BotError(int status, const std::string& description, std::optional<int> retry_after = {}) {
    json body{{"ok", false}, {"error_code", status}, {"description", description}};
    if (retry_after) body["parameters"] = json{{"retry_after", *retry_after}};
    return http::Response::Json(status, body.dump());
}

std::size_t Utf16Length(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) {
        if ((c & 0xC0) == 0x80) continue;  // continuation byte
        n += (c & 0xF8) == 0xF0 ? 2 : 1;   // 4-byte sequences are surrogate pairs
    }
    return n;
}

}  // namespace

std::optional<std::string> ParseTelegramHtml(const std::string& html, std::string* error) {
    static const std::vector<std::string> kTags{"b",    "strong",     "i",          "em",      "u",   "ins",
                                                "s",    "strike",     "del",        "code",    "pre", "a",
                                                "span", "tg-spoiler", "blockquote", "tg-emoji"};
    auto fail = [error](std::string why) -> std::optional<std::string> {
        if (error != nullptr) *error = std::move(why);
        return std::nullopt;
    };
    std::string out;
    std::vector<std::string> open;
    for (std::size_t i = 0; i < html.size();) {
        const char c = html[i];
        if (c == '<') {
            const auto end = html.find('>', i);
            if (end == std::string::npos)
                return fail("unclosed start tag at byte offset " + std::to_string(i));
            std::string tag = html.substr(i + 1, end - i - 1);
            const bool closing = !tag.empty() && tag[0] == '/';
            if (closing) tag.erase(0, 1);
            const std::string name = tag.substr(0, tag.find(' '));
            if (std::find(kTags.begin(), kTags.end(), name) == kTags.end()) {
                return fail("unsupported start tag \"" + name + "\" at byte offset " + std::to_string(i));
            }
            if (closing) {
                if (open.empty() || open.back() != name) return fail("unmatched end tag \"" + name + "\"");
                open.pop_back();
            } else {
                open.push_back(name);
            }
            i = end + 1;
        } else if (c == '&') {
            const auto end = html.find(';', i);
            if (end == std::string::npos || end - i > 10) {
                return fail("unclosed entity at byte offset " + std::to_string(i));
            }
            const std::string entity = html.substr(i + 1, end - i - 1);
            if (entity == "lt") {
                out += '<';
            } else if (entity == "gt") {
                out += '>';
            } else if (entity == "amp") {
                out += '&';
            } else if (entity == "quot") {
                out += '"';
            } else if (entity.size() > 1 && entity[0] == '#' &&
                       entity.find_first_not_of("0123456789", 1) == std::string::npos) {
                AppendUtf8(out, static_cast<char32_t>(std::stoul(entity.substr(1))));
            } else {
                return fail("unsupported entity \"" + entity + "\"");
            }
            i = end + 1;
        } else if (c == '>') {
            return fail("unescaped '>' at byte offset " + std::to_string(i));
        } else {
            out += c;
            ++i;
        }
    }
    if (!open.empty()) return fail("unclosed tag \"" + open.back() + "\"");
    return out;
}

FakeBotApi::FakeBotApi(std::string token) : token_(std::move(token)), server_(http::ServerOptions{}) {
    server_.Route("POST", "/{bot}/sendMessage",
                  [this](http::Request req, http::Respond respond) { OnSendMessage(req, respond); });
    server_.Start();
}

FakeBotApi::~FakeBotApi() { server_.Stop(std::chrono::milliseconds(100)); }

std::string FakeBotApi::base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }
std::uint16_t FakeBotApi::port() const { return server_.BoundPort(); }

void FakeBotApi::Enqueue(Scripted answer) {
    std::lock_guard lock(mu_);
    script_.push_back(std::move(answer));
}

void FakeBotApi::Enqueue429(int retry_after_seconds) {
    Enqueue(
        {429, "Too Many Requests: retry after " + std::to_string(retry_after_seconds), retry_after_seconds});
}

void FakeBotApi::Enqueue500() { Enqueue({500, "Internal Server Error", std::nullopt}); }

void FakeBotApi::BlockChat(std::int64_t chat_id) {
    std::lock_guard lock(mu_);
    blocked_.push_back(chat_id);
}

std::vector<FakeBotApi::Call> FakeBotApi::Calls() const {
    std::lock_guard lock(mu_);
    return calls_;
}

std::vector<FakeBotApi::Call> FakeBotApi::Delivered(std::optional<std::int64_t> chat_id) const {
    std::vector<Call> out;
    for (auto& c : Calls()) {
        if (c.status == 200 && (!chat_id || c.chat_id == *chat_id)) out.push_back(c);
    }
    return out;
}

bool FakeBotApi::WaitFor(const std::function<bool(const std::vector<Call>&)>& done,
                         std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return done(calls_); });
}

void FakeBotApi::OnSendMessage(const http::Request& request, const http::Respond& respond) {
    Call call;
    const std::string& bot = request.params.at("bot");
    call.token = bot.rfind("bot", 0) == 0 ? bot.substr(3) : "";
    call.body = request.body;
    http::Response response;
    const json body = json::parse(request.body, nullptr, false);
    {
        std::lock_guard lock(mu_);
        if (call.token != token_) {
            response = BotError(401, "Unauthorized");
        } else if (!body.is_object() || !body.contains("chat_id") || !body["chat_id"].is_number_integer()) {
            response = BotError(400, "Bad Request: chat not found");
        } else {
            call.chat_id = body["chat_id"].get<std::int64_t>();
            call.text = body.value("text", "");
            call.parse_mode = body.value("parse_mode", "");
            std::string error;
            std::optional<std::string> plain = call.parse_mode == "HTML"
                                                   ? ParseTelegramHtml(call.text, &error)
                                                   : std::optional<std::string>(call.text);
            if (plain) call.plain_text = *plain;
            if (!script_.empty()) {
                Scripted s = script_.front();
                script_.pop_front();
                response = BotError(s.status, s.description, s.retry_after);
            } else if (std::find(blocked_.begin(), blocked_.end(), call.chat_id) != blocked_.end()) {
                response = BotError(403, "Forbidden: bot was blocked by the user");
            } else if (!plain) {
                response = BotError(400, "Bad Request: can't parse entities: " + error);
            } else if (plain->find_first_not_of(" \n\t\r") == std::string::npos) {
                response = BotError(400, "Bad Request: message text is empty");
            } else if (Utf16Length(*plain) > 4096) {
                response = BotError(400, "Bad Request: message is too long");
            } else {
                call.message_id = next_message_id_++;
                json result{
                    {"message_id", call.message_id},
                    {"from", {{"id", 1}, {"is_bot", true}, {"first_name", "Switchboard"}}},
                    {"chat", {{"id", call.chat_id}, {"type", call.chat_id < 0 ? "group" : "private"}}},
                    {"date", static_cast<std::int64_t>(std::time(nullptr))},
                    {"text", *plain}};
                response = http::Response::Json(200, json{{"ok", true}, {"result", result}}.dump());
            }
        }
        call.status = response.status;
        calls_.push_back(std::move(call));
    }
    changed_.notify_all();
    respond(std::move(response));
}

}  // namespace switchboard::gateway_telegram::testing
