#include "switchboard/config/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace switchboard::config {
namespace {

class TempFile {
public:
    explicit TempFile(const std::string& content) {
        char name[] = "/tmp/sbcfgXXXXXX";
        int fd = mkstemp(name);
        EXPECT_GE(fd, 0);
        close(fd);
        path_ = name;
        std::ofstream(path_) << content;
    }
    ~TempFile() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

Schema TestSchema() {
    Schema s;
    s.String("kafka.brokers", "127.0.0.1:9092", "brokers")
        .Int("http.port", 8080, "port", 0, 65535)
        .Bool("debug", false, "debug")
        .Double("threshold", 0.5, "threshold");
    return s;
}

TEST(Config, DefaultsWithoutFileOrEnv) {
    auto cfg = Load(TestSchema(), "", {});
    EXPECT_EQ(cfg.GetString("kafka.brokers"), "127.0.0.1:9092");
    EXPECT_EQ(cfg.GetInt("http.port"), 8080);
    EXPECT_FALSE(cfg.GetBool("debug"));
    EXPECT_DOUBLE_EQ(cfg.GetDouble("threshold"), 0.5);
    EXPECT_EQ(cfg.sources().at("http.port"), "default");
}

TEST(Config, NestedFileKeysAreFlattenedAndEnvWins) {
    TempFile f("kafka:\n  brokers: k1:1\nhttp:\n  port: 9000\ndebug: yes\n");
    auto cfg = Load(TestSchema(), f.path(), {{"SWITCHBOARD_HTTP_PORT", "9100"}});
    EXPECT_EQ(cfg.GetString("kafka.brokers"), "k1:1");
    EXPECT_EQ(cfg.GetInt("http.port"), 9100);
    EXPECT_TRUE(cfg.GetBool("debug"));
    EXPECT_EQ(cfg.sources().at("http.port"), "env SWITCHBOARD_HTTP_PORT");
    EXPECT_EQ(cfg.sources().at("kafka.brokers"), "file " + f.path());
}

TEST(Config, UnknownKeyIsRejectedWithItsName) {
    TempFile f("kafka:\n  brokerz: x\n");
    try {
        Load(TestSchema(), f.path(), {});
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("unknown key 'kafka.brokerz'"), std::string::npos) << e.what();
    }
}

TEST(Config, RecursiveAliasesAndNonScalarKeysAreConfigErrors) {
    TempFile alias("&a\nref: *a\n");  // found by fuzzing: recursed until the stack overflowed
    EXPECT_THROW(Load(TestSchema(), alias.path(), {}), ConfigError);
    TempFile map_key("{}: 1\n");  // found by fuzzing: escaped as YAML::BadConversion
    EXPECT_THROW(Load(TestSchema(), map_key.path(), {}), ConfigError);
}

TEST(Config, WrongTypeAndRangeNameTheKey) {
    EXPECT_THROW(Load(TestSchema(), "", {{"SWITCHBOARD_HTTP_PORT", "eighty"}}), ConfigError);
    EXPECT_THROW(Load(TestSchema(), "", {{"SWITCHBOARD_HTTP_PORT", "70000"}}), ConfigError);
    EXPECT_THROW(Load(TestSchema(), "", {{"SWITCHBOARD_DEBUG", "maybe"}}), ConfigError);
    EXPECT_THROW(Load(TestSchema(), "", {{"SWITCHBOARD_THRESHOLD", "0.5x"}}), ConfigError);
    try {
        Load(TestSchema(), "", {{"SWITCHBOARD_HTTP_PORT", "-1"}});
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("'http.port'"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("SWITCHBOARD_HTTP_PORT"), std::string::npos) << e.what();
    }
}

TEST(Config, MissingRequiredKey) {
    Schema s;
    s.RequiredString("kb.path", "the knowledge base");
    EXPECT_THROW(Load(s, "", {}), ConfigError);
    EXPECT_EQ(Load(s, "", {{"SWITCHBOARD_KB_PATH", "/x"}}).GetString("kb.path"), "/x");
}

TEST(Config, BadFiles) {
    EXPECT_THROW(Load(TestSchema(), "/nonexistent/config.yaml", {}), ConfigError);
    TempFile bad("kafka: [unclosed\n");
    EXPECT_THROW(Load(TestSchema(), bad.path(), {}), ConfigError);
    TempFile list("- a\n- b\n");
    EXPECT_THROW(Load(TestSchema(), list.path(), {}), ConfigError);
}

TEST(Config, EnvNameMapping) {
    EXPECT_EQ(EnvName("kafka.brokers"), "SWITCHBOARD_KAFKA_BROKERS");
    EXPECT_EQ(EnvName("bot.idle-resolve-ms"), "SWITCHBOARD_BOT_IDLE_RESOLVE_MS");
}

}  // namespace
}  // namespace switchboard::config
