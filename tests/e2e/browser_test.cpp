// End to end in a real browser: the site widget (gateway-web's /widget.js on its demo page) in
// headless Chromium, driven by tests/browser/widget_test.mjs (Playwright), against the real
// services on the real Kafka and Redis. This binary starts the services, runs the script as a
// child process and plays the operator through routing's gRPC API; the two synchronise over the
// script's stdio ("STEP <name>" from the script, "GO <name>" back).
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "stack.hpp"
#include "support.hpp"
#include "switchboard/http/client.hpp"
#include "switchboard/routing/v1/routing.grpc.pb.h"

extern char** environ;

namespace switchboard::e2e {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace rv1 = switchboard::routing::v1;

constexpr auto kStepTimeout = 60s;
const std::filesystem::path kBrowserDir = SWITCHBOARD_BROWSER_TEST_DIR;

// A child process with its stdin and (merged) stdout/stderr on pipes, in a process group of its
// own so the browser it starts goes with it. Output is collected by a reader thread.
class ScriptProcess {
public:
    ScriptProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra_env) {
        int in[2];
        int out[2];
        if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
        std::vector<std::string> env_strings;
        for (char** e = environ; *e != nullptr; ++e) {
            const std::string entry(*e);
            if (extra_env.count(entry.substr(0, entry.find('='))) == 0) env_strings.push_back(entry);
        }
        for (const auto& [k, v] : extra_env) env_strings.push_back(k + "=" + v);
        std::vector<char*> envp;
        for (auto& s : env_strings) envp.push_back(s.data());
        envp.push_back(nullptr);
        std::vector<std::string> args = argv;
        std::vector<char*> argvp;
        for (auto& a : args) argvp.push_back(a.data());
        argvp.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_adddup2(&actions, out[1], 2);
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        sigset_t none;
        sigemptyset(&none);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setpgroup(&attr, 0);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
        const int rc = posix_spawnp(&pid_, argvp[0], &actions, &attr, argvp.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        close(in[0]);
        close(out[1]);
        if (rc != 0) {
            close(in[1]);
            close(out[0]);
            throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
        }
        stdin_ = in[1];
        stdout_ = out[0];
        reader_ = std::thread([this] { Read(); });
    }

    ~ScriptProcess() {
        if (pid_ > 0) {
            kill(-pid_, SIGKILL);  // the script's group: node and the browser it launched
            int status = 0;
            waitpid(pid_, &status, 0);
        }
        if (stdin_ >= 0) close(stdin_);
        if (reader_.joinable()) reader_.join();
        close(stdout_);
    }

    // Waits for a whole output line equal to `line`; false on timeout or if the script exited.
    bool WaitLine(const std::string& line, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, timeout, [&] { return lines_.count(line) > 0 || eof_; }) &&
               lines_.count(line) > 0;
    }

    void Write(const std::string& line) {
        const std::string data = line + "\n";
        (void)!write(stdin_, data.data(), data.size());
    }

    // The exit status, or std::nullopt on timeout (then the group is killed by the destructor).
    std::optional<int> Wait(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        int status = 0;
        while (std::chrono::steady_clock::now() < deadline) {
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(20ms);
        }
        return std::nullopt;
    }

    std::string Output() const {
        std::lock_guard lock(mu_);
        return output_;
    }

private:
    void Read() {
        char buf[4096];
        std::string partial;
        for (;;) {
            const ssize_t n = read(stdout_, buf, sizeof buf);
            if (n <= 0) break;
            std::lock_guard lock(mu_);
            output_.append(buf, static_cast<std::size_t>(n));
            partial.append(buf, static_cast<std::size_t>(n));
            std::size_t nl;
            while ((nl = partial.find('\n')) != std::string::npos) {
                lines_.insert(partial.substr(0, nl));
                partial.erase(0, nl + 1);
            }
            cv_.notify_all();
        }
        std::lock_guard lock(mu_);
        eof_ = true;
        cv_.notify_all();
    }

    pid_t pid_ = -1;
    int stdin_ = -1;
    int stdout_ = -1;
    std::thread reader_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::string output_;
    std::set<std::string> lines_;
    bool eof_ = false;
};

class BrowserTest : public ::testing::Test {
protected:
    void SetUp() override {
        // Missing tools fail loudly: a skipped browser test would look like a passing one.
        ASSERT_TRUE(std::filesystem::exists(kBrowserDir / "node_modules/playwright-core/package.json"))
            << kBrowserDir.string() << "/node_modules is missing: run `npm ci --prefix "
            << kBrowserDir.string() << "` (needs node and npm: `apt-get install nodejs npm`)";
        const char* chromium = std::getenv("SWITCHBOARD_CHROMIUM");
        chromium_ = chromium != nullptr ? chromium : "/usr/bin/chromium";
        ASSERT_EQ(access(chromium_.c_str(), X_OK), 0)
            << chromium_ << " is not an executable: `apt-get install chromium` (or set SWITCHBOARD_CHROMIUM)";

        stack_ = std::make_unique<Stack>();
        web_port_ = FreePort();
        // A long typing interval makes the throttle's effect certain within a test.
        stack_->Start("gateway-web", SWITCHBOARD_GATEWAY_WEB_BIN,
                      {{"SWITCHBOARD_TYPING_MIN_INTERVAL_MS", "600000"}}, web_port_);
        stack_->StartCore();
        stack_->WaitReady();
    }

    void TearDown() override {
        if (!stack_) return;
        auto unclean = stack_->Stop();
        EXPECT_TRUE(unclean.empty()) << "services that did not exit 0 on SIGTERM:\n"
                                     << (unclean.empty() ? "" : unclean.front());
    }

    // Every routing call is signed as the operator (routing's bearer tokens).
    void SetOnline(const std::string& op, const std::string& name) {
        auto s = stack_->SetOnline(op, name);
        ASSERT_TRUE(s.ok()) << s.error_message();
    }

    rv1::Conversation GetConversation(const std::string& op, const std::string& conv) {
        return stack_->GetConversation(conv, op);
    }

    // The operator's inbox keeps them online (heartbeat), then sends the reply.
    void Reply(const std::string& op, const std::string& conv, const std::string& text) {
        {
            grpc::ClientContext ctx;
            stack_->Authorize(ctx, op);
            rv1::HeartbeatRequest req;
            req.set_operator_id(op);
            rv1::HeartbeatResponse resp;
            auto s = stack_->routing().Heartbeat(&ctx, req, &resp);
            ASSERT_TRUE(s.ok()) << s.error_message();
        }
        grpc::ClientContext ctx;
        stack_->Authorize(ctx, op);
        rv1::ReplyRequest req;
        req.set_operator_id(op);
        req.set_conversation_id(conv);
        req.set_text(text);
        rv1::ReplyResponse resp;
        auto s = stack_->routing().Reply(&ctx, req, &resp);
        ASSERT_TRUE(s.ok()) << s.error_message();
    }

    // The conversation as gateway-web stores it (GET …/messages), or the error.
    std::string History(const std::string& conv) {
        auto r = http::Fetch("127.0.0.1", web_port_, "GET", "/v1/conversations/" + conv + "/messages");
        if (!r.ok()) return r.error().message;
        return std::to_string(r->status) + " " + r->body;
    }

    // True once the gateway stored (delivered) a reply with this text in the conversation.
    bool Delivered(const std::string& conv, const std::string& text) {
        return WaitUntil(
            [&] {
                auto r =
                    http::Fetch("127.0.0.1", web_port_, "GET", "/v1/conversations/" + conv + "/messages");
                if (!r.ok() || r->status != 200) return false;
                const auto body = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
                if (!body.is_object() || !body.contains("messages")) return false;
                for (const auto& m : body["messages"]) {
                    if (m.value("text", "") == text) return true;
                }
                return false;
            },
            kStepTimeout);
    }

    double WebMetric(const std::string& name, const std::map<std::string, std::string>& labels) {
        auto r = http::Fetch("127.0.0.1", web_port_, "GET", "/metrics");
        return r.ok() ? MetricValue(r->body, name, labels).value_or(0) : 0;
    }

    std::unique_ptr<Stack> stack_;
    std::uint16_t web_port_ = 0;
    std::string chromium_;
};

TEST_F(BrowserTest, CustomerTalksToTheAssistantThenToAnOperatorAndMissesNothingWhileAway) {
    const std::string conv = "browser-" + stack_->naming().ns();
    const std::string op = "op-anna";
    const std::vector<std::string> replies{"Hi, I'm Anna. How can I help?",
                                           "Are you still there? I found your order.",
                                           "Here is the tracking link you asked for."};
    const std::string answer = DemoAnswer("en-reset-password");
    ASSERT_FALSE(answer.empty());
    ASSERT_NO_FATAL_FAILURE(SetOnline(op, "Anna"));

    ScriptProcess script(
        {"node", (kBrowserDir / "widget_test.mjs").string()},
        {{"WIDGET_URL", "http://127.0.0.1:" + std::to_string(web_port_) + "/?conversation=" + conv},
         {"KB_QUESTION", "how do I reset my password?"},
         {"KB_ANSWER", answer},
         {"OPERATOR_NAME", "Anna"},
         {"OPERATOR_REPLY_1", replies[0]},
         {"OPERATOR_REPLY_2", replies[1]},
         {"OPERATOR_REPLY_3", replies[2]},
         {"CHROMIUM", chromium_}});
    const auto fail = [&](const std::string& what) {
        return what + "\n---- widget_test.mjs output ----\n" + script.Output() +
               "\n---- stored conversation ----\n" + History(conv) + "\n" + stack_->Logs();
    };

    // The customer asked for a human: routing assigns the conversation to Anna, who answers.
    ASSERT_TRUE(script.WaitLine("STEP handoff", kStepTimeout))
        << fail("the widget did not reach the handoff");
    ASSERT_TRUE(WaitUntil(
        [&] { return GetConversation(op, conv).state() == rv1::CONVERSATION_STATE_ASSIGNED; }, kStepTimeout))
        << fail("the conversation was not assigned");
    EXPECT_EQ(GetConversation(op, conv).operator_id(), op);
    ASSERT_NO_FATAL_FAILURE(Reply(op, conv, replies[0])) << fail("the operator could not reply");

    // The customer's browser is offline: Anna's next reply is delivered while no socket is open.
    ASSERT_TRUE(script.WaitLine("STEP offline", kStepTimeout)) << fail("the widget did not go offline");
    ASSERT_NO_FATAL_FAILURE(Reply(op, conv, replies[1])) << fail("the operator could not reply");
    ASSERT_TRUE(Delivered(conv, replies[1])) << fail("the reply sent while offline was not delivered");
    script.Write("GO offline");

    // The customer closed the tab: the next reply waits for them to come back.
    ASSERT_TRUE(script.WaitLine("STEP closed", kStepTimeout)) << fail("the widget did not close");
    ASSERT_NO_FATAL_FAILURE(Reply(op, conv, replies[2])) << fail("the operator could not reply");
    ASSERT_TRUE(Delivered(conv, replies[2]))
        << fail("the reply sent while the tab was closed was not delivered");
    script.Write("GO closed");

    const auto status = script.Wait(kStepTimeout);
    ASSERT_TRUE(status.has_value()) << fail("widget_test.mjs did not finish");
    EXPECT_EQ(*status, 0) << fail("widget_test.mjs failed");
    EXPECT_TRUE(script.WaitLine("STEP done", 1s)) << fail("widget_test.mjs exited before its last step");
    std::cout << "---- widget_test.mjs ----\n" << script.Output();

    // The customer's keystrokes reached Kafka as customer-typing events (throttled).
    EXPECT_GE(
        WebMetric("switchboard_gateway_typing_events_total", {{"channel", "web"}, {"result", "published"}}),
        1)
        << fail("no typing event was published");
    EXPECT_GE(
        WebMetric("switchboard_gateway_socket_resumes_total", {{"channel", "web"}, {"result", "resumed"}}), 2)
        << fail("the widget did not resume its socket");
}

// The widget's socket protocol on the wire (README.md): resume from a cursor, garbage ignored
// and counted, pings answered, typing frames throttled.
TEST_F(BrowserTest, SocketResumesFromACursorAndShrugsOffGarbage) {
    const std::string conv = "sock-" + stack_->naming().ns();
    auto posted = http::Fetch("127.0.0.1", web_port_, "POST", "/v1/messages",
                              json{{"conversation_id", conv}, {"text", "how do I reset my password?"}}.dump(),
                              {{"Content-Type", "application/json"}});
    ASSERT_TRUE(posted.ok() && posted->status == 202)
        << (posted.ok() ? posted->body : posted.error().message);
    ASSERT_TRUE(Delivered(conv, DemoAnswer("en-reset-password"))) << History(conv) << stack_->Logs();

    // Frames until "synced": the backlog's entry seqs and the head.
    const auto resume = [&](const std::string& after, std::vector<std::uint64_t>& seqs, std::uint64_t& head) {
        seqs.clear();
        auto ws = http::WebSocketClient::Connect("127.0.0.1", web_port_,
                                                 "/v1/conversations/" + conv + "/ws?after=" + after);
        ASSERT_TRUE(ws.ok()) << ws.error().message;
        for (;;) {
            auto text = (*ws)->Read(kStepTimeout);
            ASSERT_TRUE(text.has_value()) << "no synced frame";
            const auto frame = json::parse(*text);
            if (frame["type"] == "synced") {
                head = frame["seq"].get<std::uint64_t>();
                return;
            }
            ASSERT_EQ(frame["type"], "message") << *text;
            seqs.push_back(frame["message"]["seq"].get<std::uint64_t>());
        }
    };
    std::vector<std::uint64_t> seqs;
    std::uint64_t head = 0;
    ASSERT_NO_FATAL_FAILURE(resume("0", seqs, head));
    EXPECT_EQ(seqs, (std::vector<std::uint64_t>{1, 2}));  // the question, the answer
    EXPECT_EQ(head, 2u);
    ASSERT_NO_FATAL_FAILURE(resume("1", seqs, head));
    EXPECT_EQ(seqs, (std::vector<std::uint64_t>{2}));
    ASSERT_NO_FATAL_FAILURE(resume("2", seqs, head));
    EXPECT_TRUE(seqs.empty());
    ASSERT_NO_FATAL_FAILURE(resume("99", seqs, head));  // a cursor from an earlier life: everything
    EXPECT_EQ(seqs, (std::vector<std::uint64_t>{1, 2}));
    EXPECT_EQ(
        WebMetric("switchboard_gateway_socket_resumes_total", {{"channel", "web"}, {"result", "reset"}}), 1);

    auto ws = http::WebSocketClient::Connect("127.0.0.1", web_port_, "/v1/conversations/" + conv + "/ws");
    ASSERT_TRUE(ws.ok()) << ws.error().message;
    for (const std::string& garbage :
         {std::string("hello"), std::string(R"({"type":"message","text":"hi"})"), std::string(5000, '{')}) {
        ASSERT_TRUE((*ws)->Send(garbage).ok());
    }
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*ws)->Send(R"({"type":"typing"})").ok());
    ASSERT_TRUE((*ws)->Send(R"({"type":"ping"})").ok());
    auto pong = (*ws)->Read(kStepTimeout);
    ASSERT_TRUE(pong.has_value()) << "the socket did not survive the garbage\n" << stack_->Logs();
    EXPECT_EQ(json::parse(*pong)["type"], "pong");
    const auto invalid = [&](const char* reason) {
        return WebMetric("switchboard_gateway_socket_input_invalid_total",
                         {{"channel", "web"}, {"reason", reason}});
    };
    EXPECT_EQ(invalid("invalid_json"), 1);
    EXPECT_EQ(invalid("unknown_type"), 1);
    EXPECT_EQ(invalid("too_large"), 1);
    EXPECT_EQ(
        WebMetric("switchboard_gateway_typing_events_total", {{"channel", "web"}, {"result", "throttled"}}),
        2);
    EXPECT_TRUE(WaitUntil(
        [&] {
            return WebMetric("switchboard_gateway_typing_events_total",
                             {{"channel", "web"}, {"result", "published"}}) == 1;
        },
        kStepTimeout));
}

}  // namespace
}  // namespace switchboard::e2e
