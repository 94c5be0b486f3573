#include "switchboard/testing/environment.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>

#include "switchboard/core/ids.hpp"
#include "switchboard/kafka/admin.hpp"

namespace switchboard::testing {

namespace {
std::string Env(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return (v != nullptr && *v != '\0') ? v : fallback;
}
}  // namespace

std::string KafkaBrokers() { return Env("SWITCHBOARD_TEST_KAFKA", "127.0.0.1:19092"); }

std::string RedisHost() {
    const std::string addr = Env("SWITCHBOARD_TEST_REDIS", "127.0.0.1:16379");
    return addr.substr(0, addr.rfind(':'));
}

std::uint16_t RedisPort() {
    const std::string addr = Env("SWITCHBOARD_TEST_REDIS", "127.0.0.1:16379");
    return static_cast<std::uint16_t>(std::stoi(addr.substr(addr.rfind(':') + 1)));
}

namespace {

std::mutex& NamespacesMutex() {
    static std::mutex mu;
    return mu;
}
std::set<std::string>& Namespaces() {
    static std::set<std::string> namespaces;
    return namespaces;
}

// After the tests of a binary — and after every test environment's TearDown, which may still
// hold consumers of these topics — delete the Kafka topics of every namespace it handed out, so
// the long-lived dev broker does not accumulate thousands of test topics (best effort).
class TopicCleanup final : public ::testing::EmptyTestEventListener {
public:
    void OnTestProgramEnd(const ::testing::UnitTest&) override {
        std::set<std::string> namespaces;
        {
            std::lock_guard lock(NamespacesMutex());
            namespaces = Namespaces();
        }
        if (namespaces.empty()) return;
        auto topics = kafka::ListTopics(KafkaBrokers());
        if (!topics) return;  // no broker (unit tests): nothing to clean
        std::vector<std::string> ours;
        for (const auto& t : *topics) {
            const auto dot = t.find('.');
            if (dot != std::string::npos && namespaces.count(t.substr(0, dot)) != 0) ours.push_back(t);
        }
        if (Status s = kafka::DeleteTopics(KafkaBrokers(), ours); !s.ok()) {
            std::fprintf(stderr, "testing: could not delete %zu test topic(s): %s\n", ours.size(),
                         s.error().message.c_str());
        }
    }
};

const bool kTopicCleanup = [] {
    ::testing::UnitTest::GetInstance()->listeners().Append(new TopicCleanup);
    return true;
}();

}  // namespace

std::string UniqueNamespace(bool delete_topics_after_tests) {
    std::string ns = "t" + NewUuid().substr(0, 8);
    if (delete_topics_after_tests) {
        std::lock_guard lock(NamespacesMutex());
        Namespaces().insert(ns);
    }
    return ns;
}

}  // namespace switchboard::testing
