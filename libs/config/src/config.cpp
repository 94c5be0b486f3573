#include "switchboard/config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <unistd.h>

extern char** environ;

namespace switchboard::config {

namespace {

const char* TypeName(Type t) {
    switch (t) {
        case Type::kString: return "string";
        case Type::kInt: return "integer";
        case Type::kBool: return "boolean";
        case Type::kDouble: return "number";
    }
    return "?";
}

std::optional<std::int64_t> ParseInt(const std::string& s) {
    if (s.empty()) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
    return static_cast<std::int64_t>(v);
}

std::optional<double> ParseDouble(const std::string& s) {
    if (s.empty()) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
    return v;
}

std::optional<bool> ParseBool(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "0" || s == "no" || s == "off") return false;
    return std::nullopt;
}

// Normalizes `raw` for `spec` or throws naming the key and where the value came from.
std::string Validate(const KeySpec& spec, const std::string& raw, const std::string& source) {
    auto fail = [&](const std::string& why) {
        throw ConfigError("config key '" + spec.key + "' (from " + source + "): " + why);
    };
    switch (spec.type) {
        case Type::kString:
            return raw;
        case Type::kInt: {
            auto v = ParseInt(raw);
            if (!v) fail("expected an integer, got '" + raw + "'");
            if (spec.min && *v < *spec.min) fail("must be >= " + std::to_string(*spec.min) + ", got " + raw);
            if (spec.max && *v > *spec.max) fail("must be <= " + std::to_string(*spec.max) + ", got " + raw);
            return std::to_string(*v);
        }
        case Type::kBool: {
            auto v = ParseBool(raw);
            if (!v) fail("expected true or false, got '" + raw + "'");
            return *v ? "true" : "false";
        }
        case Type::kDouble: {
            if (!ParseDouble(raw)) fail("expected a number, got '" + raw + "'");
            return raw;
        }
    }
    return raw;
}

// Keys are at most a few levels deep; a deeper tree is a mistake or a self-referencing alias
// ("&a\nref: *a"), which would otherwise recurse until the stack overflows.
constexpr int kMaxDepth = 16;

void Flatten(const YAML::Node& node, const std::string& prefix, const std::string& path,
             std::map<std::string, std::string>& out, int depth = 0) {
    if (node.IsMap()) {
        if (depth >= kMaxDepth) {
            throw ConfigError("config file " + path + ": key '" + prefix + "' nests deeper than " +
                              std::to_string(kMaxDepth) + " levels (a recursive alias?)");
        }
        for (const auto& kv : node) {
            if (!kv.first.IsScalar()) {
                throw ConfigError("config file " + path + ": a key under '" + prefix + "' is not a plain name");
            }
            const auto name = kv.first.Scalar();
            Flatten(kv.second, prefix.empty() ? name : prefix + "." + name, path, out, depth + 1);
        }
        return;
    }
    if (node.IsNull()) return;  // "key:" with no value keeps the default
    if (!node.IsScalar()) {
        throw ConfigError("config file " + path + ": key '" + prefix +
                          "' must be a scalar value (lists are not supported)");
    }
    out[prefix] = node.Scalar();
}

}  // namespace

Schema& Schema::Add(KeySpec spec) {
    if (Find(spec.key) != nullptr) throw std::logic_error("duplicate config key " + spec.key);
    keys_.push_back(std::move(spec));
    return *this;
}

Schema& Schema::String(std::string key, std::string default_value, std::string help) {
    return Add({std::move(key), Type::kString, std::move(default_value), std::move(help), false, {}, {}});
}

Schema& Schema::RequiredString(std::string key, std::string help) {
    return Add({std::move(key), Type::kString, "", std::move(help), true, {}, {}});
}

Schema& Schema::Int(std::string key, std::int64_t default_value, std::string help, std::int64_t min,
                    std::int64_t max) {
    return Add({std::move(key), Type::kInt, std::to_string(default_value), std::move(help), false, min, max});
}

Schema& Schema::Bool(std::string key, bool default_value, std::string help) {
    return Add({std::move(key), Type::kBool, default_value ? "true" : "false", std::move(help), false, {}, {}});
}

Schema& Schema::Double(std::string key, double default_value, std::string help) {
    std::ostringstream os;
    os << default_value;
    return Add({std::move(key), Type::kDouble, os.str(), std::move(help), false, {}, {}});
}

const KeySpec* Schema::Find(const std::string& key) const {
    for (const auto& k : keys_) {
        if (k.key == key) return &k;
    }
    return nullptr;
}

std::string Schema::Describe() const {
    std::ostringstream os;
    for (const auto& k : keys_) {
        os << "  " << k.key << " (" << TypeName(k.type) << ", "
           << (k.required ? std::string("required") : "default '" + k.default_value + "'") << ", env "
           << EnvName(k.key) << ")\n      " << k.help << "\n";
    }
    return os.str();
}

std::string EnvName(const std::string& key) {
    std::string out = "SWITCHBOARD_";
    for (char c : key) {
        out.push_back((c == '.' || c == '-') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    return out;
}

const std::string& Config::GetString(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) throw std::logic_error("config key not in schema: " + key);
    return it->second;
}

std::int64_t Config::GetInt(const std::string& key) const { return *ParseInt(GetString(key)); }
bool Config::GetBool(const std::string& key) const { return GetString(key) == "true"; }
double Config::GetDouble(const std::string& key) const { return *ParseDouble(GetString(key)); }

Config Load(const Schema& schema, const std::string& path, const std::map<std::string, std::string>& env) {
    std::map<std::string, std::string> raw;
    std::map<std::string, std::string> sources;
    for (const auto& k : schema.keys()) {
        raw[k.key] = k.default_value;
        sources[k.key] = "default";
    }
    if (!path.empty()) {
        YAML::Node root;
        try {
            root = YAML::LoadFile(path);
        } catch (const YAML::BadFile&) {
            throw ConfigError("config file " + path + ": cannot be read");
        } catch (const YAML::Exception& e) {
            throw ConfigError("config file " + path + ": invalid YAML: " + e.what());
        }
        if (!root.IsNull() && !root.IsMap()) {
            throw ConfigError("config file " + path + ": top level must be a mapping of keys");
        }
        std::map<std::string, std::string> from_file;
        Flatten(root, "", path, from_file);
        for (auto& [key, value] : from_file) {
            if (schema.Find(key) == nullptr) {
                throw ConfigError("config file " + path + ": unknown key '" + key +
                                  "' (run with --help for the list of keys)");
            }
            raw[key] = value;
            sources[key] = "file " + path;
        }
    }
    for (const auto& k : schema.keys()) {
        auto it = env.find(EnvName(k.key));
        if (it != env.end()) {
            raw[k.key] = it->second;
            sources[k.key] = "env " + it->first;
        }
    }
    Config cfg;
    for (const auto& k : schema.keys()) {
        const std::string& value = raw[k.key];
        if (k.required && value.empty()) {
            throw ConfigError("config key '" + k.key + "' is required: set it in the config file or " +
                              EnvName(k.key));
        }
        cfg.values_[k.key] = Validate(k, value, sources[k.key]);
    }
    cfg.sources_ = std::move(sources);
    return cfg;
}

std::map<std::string, std::string> ProcessEnvironment() {
    std::map<std::string, std::string> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string entry(*e);
        auto eq = entry.find('=');
        if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    return env;
}

}  // namespace switchboard::config
