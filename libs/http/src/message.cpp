#include <algorithm>
#include <cctype>

#include "router.hpp"
#include "switchboard/http/server.hpp"

namespace switchboard::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

std::optional<std::string_view> Request::Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (EqualsIgnoreCase(key, name)) return std::string_view(value);
    }
    return std::nullopt;
}

Response Response::JsonError(int status, std::string_view code, std::string_view message) {
    std::string body = "{\"error\":\"" + detail::JsonEscape(code) + "\",\"message\":\"" +
                       detail::JsonEscape(message) + "\"}";
    return Json(status, std::move(body));
}

Response Response::Json(int status, std::string body) {
    Response response;
    response.status = status;
    response.content_type = "application/json";
    response.body = std::move(body);
    return response;
}

Response Response::Text(int status, std::string body) {
    Response response;
    response.status = status;
    response.content_type = "text/plain; charset=utf-8";
    response.body = std::move(body);
    return response;
}

}  // namespace switchboard::http
