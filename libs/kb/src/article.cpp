#include "switchboard/kb/article.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace switchboard::kb {

namespace {

Result<Article> ParseLine(const std::string& line) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
        return Error::Fatal(std::string("invalid JSON: ") + e.what());
    }
    if (!j.is_object()) return Error::Fatal("expected a JSON object");
    auto str = [&](const char* key, bool required) -> Result<std::string> {
        auto it = j.find(key);
        if (it == j.end() || it->is_null()) {
            if (required) return Error::Fatal(std::string("missing \"") + key + "\"");
            return std::string();
        }
        if (!it->is_string()) return Error::Fatal(std::string("\"") + key + "\" must be a string");
        return it->get<std::string>();
    };
    auto list = [&](const char* key) -> Result<std::vector<std::string>> {
        std::vector<std::string> out;
        auto it = j.find(key);
        if (it == j.end() || it->is_null()) return out;
        if (!it->is_array()) return Error::Fatal(std::string("\"") + key + "\" must be an array of strings");
        for (const auto& v : *it) {
            if (!v.is_string()) return Error::Fatal(std::string("\"") + key + "\" must be an array of strings");
            out.push_back(v.get<std::string>());
        }
        return out;
    };
    Article a;
    auto id = str("id", true);
    if (!id) return id.error();
    if (id->empty()) return Error::Fatal("\"id\" must not be empty");
    a.id = ArticleId(std::move(id).value());
    auto questions = list("questions");
    if (!questions) return questions.error();
    a.questions = std::move(questions).value();
    if (a.questions.empty()) return Error::Fatal("\"questions\" must have at least one question");
    auto answer = str("answer", true);
    if (!answer) return answer.error();
    if (answer->empty()) return Error::Fatal("\"answer\" must not be empty");
    a.answer = std::move(answer).value();
    auto lang = str("lang", false);
    if (!lang) return lang.error();
    a.lang = std::move(lang).value();
    auto tags = list("tags");
    if (!tags) return tags.error();
    a.tags = std::move(tags).value();
    if (auto it = j.find("enabled"); it != j.end()) {
        if (!it->is_boolean()) return Error::Fatal("\"enabled\" must be true or false");
        a.enabled = it->get<bool>();
    }
    if (auto it = j.find("version"); it != j.end()) {
        if (!it->is_number_integer()) return Error::Fatal("\"version\" must be an integer");
        a.version = it->get<std::int64_t>();
    }
    return a;
}

}  // namespace

Result<std::vector<Article>> ParseJsonl(std::string_view content) {
    std::vector<Article> out;
    std::set<std::string> ids;
    std::istringstream in{std::string(content)};
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto a = ParseLine(line);
        if (!a) return Error::Fatal("line " + std::to_string(n) + ": " + a.error().message);
        if (!ids.insert(a->id.str()).second) {
            return Error::Fatal("line " + std::to_string(n) + ": duplicate id \"" + a->id.str() + "\"");
        }
        out.push_back(std::move(a).value());
    }
    return out;
}

Result<std::vector<Article>> LoadJsonlFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return Error::Fatal("cannot read knowledge base file " + path);
    std::ostringstream ss;
    ss << f.rdbuf();
    auto r = ParseJsonl(ss.str());
    if (!r) return Error::Fatal(path + ": " + r.error().message);
    return r;
}

}  // namespace switchboard::kb
