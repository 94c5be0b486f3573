#include "switchboard/log/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>

namespace switchboard::log {

std::string JsonEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    std::array<char, 8> buf{};
                    std::snprintf(buf.data(), buf.size(), "\\u%04x", c);
                    out += buf.data();
                } else {
                    out.push_back(ch);
                }
        }
    }
    return out;
}

namespace {

// A formatter that writes each record as one JSON line; the message is escaped so a log line
// can never be broken by what it quotes.
class JsonFormatter final : public spdlog::formatter {
public:
    explicit JsonFormatter(std::string service) : service_(JsonEscape(service)) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        using namespace std::chrono;
        const auto since = msg.time.time_since_epoch();
        const auto secs = duration_cast<seconds>(since);
        const auto millis = duration_cast<milliseconds>(since - secs).count();
        const std::time_t t = secs.count();
        std::tm tm{};
        gmtime_r(&t, &tm);
        std::array<char, 40> ts{};
        std::strftime(ts.data(), ts.size(), "%Y-%m-%dT%H:%M:%S", &tm);
        std::array<char, 8> ms{};
        std::snprintf(ms.data(), ms.size(), ".%03dZ", static_cast<int>(millis));
        const auto level = spdlog::level::to_string_view(msg.level);
        std::string line;
        line.reserve(96 + msg.payload.size());
        line += "{\"ts\":\"";
        line += ts.data();
        line += ms.data();
        line += "\",\"level\":\"";
        line.append(level.data(), level.size());
        line += "\",\"service\":\"";
        line += service_;
        line += "\",\"msg\":\"";
        line += JsonEscape(std::string_view(msg.payload.data(), msg.payload.size()));
        line += "\"}\n";
        dest.append(line.data(), line.data() + line.size());
    }

    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<JsonFormatter>(*this);
    }

private:
    std::string service_;
};

}  // namespace

void Init(std::string_view service, std::string_view level) {
    const auto lvl = spdlog::level::from_str(std::string(level));
    if (lvl == spdlog::level::off && level != "off") {
        throw std::invalid_argument("log level must be trace, debug, info, warn or error, got '" +
                                    std::string(level) + "'");
    }
    auto logger = std::make_shared<spdlog::logger>(std::string(service),
                                                   std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_formatter(std::make_unique<JsonFormatter>(std::string(service)));
    logger->set_level(lvl);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace switchboard::log
