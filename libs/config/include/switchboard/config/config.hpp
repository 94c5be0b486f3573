#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace switchboard::config {

// Thrown by Load() for any problem a human has to fix; the message names the key and the source.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class Type { kString, kInt, kBool, kDouble };

struct KeySpec {
    std::string key;  // dotted, e.g. "kafka.brokers"
    Type type = Type::kString;
    std::string default_value;  // as text; empty + required = must be given
    std::string help;
    bool required = false;
    std::optional<std::int64_t> min;
    std::optional<std::int64_t> max;
};

// The keys a service accepts. Built once at start-up; not thread-safe while being built.
class Schema {
public:
    Schema& String(std::string key, std::string default_value, std::string help);
    Schema& RequiredString(std::string key, std::string help);
    Schema& Int(std::string key, std::int64_t default_value, std::string help,
                std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX);
    Schema& Bool(std::string key, bool default_value, std::string help);
    Schema& Double(std::string key, double default_value, std::string help);

    const KeySpec* Find(const std::string& key) const;
    const std::vector<KeySpec>& keys() const { return keys_; }
    // One line per key: name, type, default, environment variable, help. For --help.
    std::string Describe() const;

private:
    Schema& Add(KeySpec spec);
    std::vector<KeySpec> keys_;
};

// The environment variable that overrides `key`: SWITCHBOARD_ + upper-cased key with '.' and
// '-' turned into '_' ("kafka.brokers" → "SWITCHBOARD_KAFKA_BROKERS").
std::string EnvName(const std::string& key);

// Validated configuration values. Immutable after Load; safe to read from any thread.
class Config {
public:
    const std::string& GetString(const std::string& key) const;
    std::int64_t GetInt(const std::string& key) const;
    bool GetBool(const std::string& key) const;
    double GetDouble(const std::string& key) const;
    // Where each value came from ("default", "file <path>", "env SWITCHBOARD_…"), for start-up logs.
    const std::map<std::string, std::string>& sources() const { return sources_; }

private:
    friend Config Load(const Schema&, const std::string&, const std::map<std::string, std::string>&);
    std::map<std::string, std::string> values_;
    std::map<std::string, std::string> sources_;
};

// Reads the YAML file at `path` (skipped if empty), flattens nested maps to dotted keys, applies
// environment overrides from `env`, and validates every value against `schema`.
// Throws ConfigError on: unreadable/invalid YAML, unknown key, wrong type, out of range,
// missing required key.
Config Load(const Schema& schema, const std::string& path, const std::map<std::string, std::string>& env);

// The process environment as a map (for Load).
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace switchboard::config
