// End to end: the real service binaries on a real Kafka and Redis, driven the way a customer's
// widget and an operator's inbox drive them (HTTP, WebSocket, gRPC), checked on what the customer
// receives and on the metrics service's /metrics.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "stack.hpp"
#include "support.hpp"
#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/events/naming.hpp"
#include "switchboard/http/client.hpp"
#include "switchboard/kafka/admin.hpp"
#include "switchboard/kafka/producer.hpp"
#include "switchboard/assistant/v1/assistant.grpc.pb.h"
#include "switchboard/kb/article.hpp"
#include "switchboard/kb/v1/admin.grpc.pb.h"
#include "switchboard/routing/v1/routing.grpc.pb.h"
#include "switchboard/testing/environment.hpp"

namespace switchboard::e2e {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace rv1 = switchboard::routing::v1;

constexpr auto kReplyTimeout = 15s;

// The whole suite, started once for all tests of this binary (services are slow to join groups):
// the core services plus two gateway-web replicas (a customer's socket may be on either one).
class Suite : public Stack {
public:
    Suite() {
        web_port = FreePort();
        web2_port = FreePort();
        Start("gateway-web", SWITCHBOARD_GATEWAY_WEB_BIN, {}, web_port);
        Start("gateway-web-2", SWITCHBOARD_GATEWAY_WEB_BIN, {}, web2_port);
        StartCore();
        WaitReady();
    }

    std::uint16_t web_port = 0, web2_port = 0;
};

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new SharedStack<Suite>);

class E2E : public ::testing::Test {
protected:
    Suite& suite() { return SharedStack<Suite>::Get(); }

    Result<http::ClientResponse> Post(const json& body) {
        return http::Fetch("127.0.0.1", suite().web_port, "POST", "/v1/messages", body.dump(),
                           {{"Content-Type", "application/json"}});
    }

    std::unique_ptr<http::WebSocketClient> OpenSocket(const std::string& conv) {
        auto ws = http::WebSocketClient::Connect("127.0.0.1", suite().web_port, "/v1/conversations/" + conv + "/ws");
        EXPECT_TRUE(ws.ok()) << (ws.ok() ? "" : ws.error().message);
        return ws.ok() ? std::move(ws).value() : nullptr;
    }

    // The next "message" pushed on the socket, as its message object.
    json NextMessage(http::WebSocketClient& ws) {
        auto text = ws.Read(kReplyTimeout);
        if (!text) {
            ADD_FAILURE() << "no message on the WebSocket within the timeout\n" << suite().Logs();
            return json::object();
        }
        auto j = json::parse(*text);
        EXPECT_EQ(j.value("type", ""), "message");
        return j["message"];
    }

    json History(const std::string& conv) {
        auto r = http::Fetch("127.0.0.1", suite().web_port, "GET", "/v1/conversations/" + conv + "/messages");
        EXPECT_TRUE(r.ok());
        if (!r.ok()) return json::object();
        EXPECT_EQ(r->status, 200);
        return json::parse(r->body);
    }

    std::string Metrics(std::uint16_t port) {
        auto r = http::Fetch("127.0.0.1", port, "GET", "/metrics");
        return r.ok() ? r->body : "";
    }

    double MetricOr0(std::uint16_t port, const std::string& name, const std::map<std::string, std::string>& labels) {
        return MetricValue(Metrics(port), name, labels).value_or(0);
    }

    bool WaitMetric(std::uint16_t port, const std::string& name, const std::map<std::string, std::string>& labels,
                    double expected) {
        return WaitUntil([&] { return MetricOr0(port, name, labels) == expected; }, kReplyTimeout);
    }

    void SetOnline(const std::string& op, const std::string& name) {
        auto s = suite().SetOnline(op, name);
        ASSERT_TRUE(s.ok()) << s.error_message();
    }

    rv1::Conversation GetConversation(const std::string& conv, const std::string& as = "op-anna") {
        return suite().GetConversation(conv, as);
    }
};

// Runs first: the metric assertions below count from a fresh metrics service.
TEST_F(E2E, AnsweredAndHandedOffConversationsShowInTheBusinessMetrics) {
    const std::string bot_conv = "e2e-bot-1";
    auto ws = OpenSocket(bot_conv);
    ASSERT_TRUE(ws);
    auto posted = Post({{"conversation_id", bot_conv}, {"text", "how do I reset my password?"}});
    ASSERT_TRUE(posted.ok()) << posted.error().message;
    ASSERT_EQ(posted->status, 202) << posted->body;

    json reply = NextMessage(*ws);
    EXPECT_EQ(reply.value("author", ""), "bot");
    EXPECT_EQ(reply.value("text", ""), DemoAnswer("en-reset-password"));
    EXPECT_EQ(reply.value("marker", ""), "You are talking to the assistant");

    json history = History(bot_conv);
    ASSERT_EQ(history["messages"].size(), 2u) << history.dump();
    EXPECT_EQ(history["messages"][0]["author"], "customer");
    EXPECT_EQ(history["messages"][0]["text"], "how do I reset my password?");
    EXPECT_EQ(history["messages"][1]["text"], DemoAnswer("en-reset-password"));

    // The human path: an online operator gets the handoff, their reply reaches the socket.
    SetOnline("op-anna", "Anna");
    const std::string human_conv = "e2e-human-1";
    auto ws2 = OpenSocket(human_conv);
    ASSERT_TRUE(ws2);
    ASSERT_EQ(Post({{"conversation_id", human_conv}, {"text", "I want a human"}})->status, 202);
    json notice = NextMessage(*ws2);
    EXPECT_EQ(notice.value("kind", ""), "notice");
    ASSERT_TRUE(WaitUntil([&] { return GetConversation(human_conv).state() == rv1::CONVERSATION_STATE_ASSIGNED; },
                          kReplyTimeout))
        << suite().Logs();
    EXPECT_EQ(GetConversation(human_conv).operator_id(), "op-anna");

    {
        grpc::ClientContext ctx;
        suite().Authorize(ctx, "op-anna");
        rv1::ReplyRequest req;
        req.set_operator_id("op-anna");
        req.set_conversation_id(human_conv);
        req.set_text("Hi, I'm Anna. How can I help?");
        rv1::ReplyResponse resp;
        auto s = suite().routing().Reply(&ctx, req, &resp);
        ASSERT_TRUE(s.ok()) << s.error_message();
        EXPECT_FALSE(resp.reply_id().empty());
    }
    json op_reply = NextMessage(*ws2);
    EXPECT_EQ(op_reply.value("author", ""), "operator");
    EXPECT_EQ(op_reply.value("text", ""), "Hi, I'm Anna. How can I help?");
    EXPECT_EQ(op_reply.value("marker", ""), "You are talking to Anna");

    // Another operator cannot act on Anna's conversation.
    {
        grpc::ClientContext ctx;
        suite().Authorize(ctx, "op-boris");
        rv1::ResolveRequest req;
        req.set_operator_id("op-boris");
        req.set_conversation_id(human_conv);
        rv1::ResolveResponse resp;
        EXPECT_EQ(suite().routing().Resolve(&ctx, req, &resp).error_code(), grpc::StatusCode::PERMISSION_DENIED);
    }
    {
        grpc::ClientContext ctx;
        suite().Authorize(ctx, "op-anna");
        rv1::ResolveRequest req;
        req.set_operator_id("op-anna");
        req.set_conversation_id(human_conv);
        rv1::ResolveResponse resp;
        auto s = suite().routing().Resolve(&ctx, req, &resp);
        ASSERT_TRUE(s.ok()) << s.error_message();
    }
    // Request latencies, per service: gRPC calls by method and code, HTTP by route pattern.
    EXPECT_GE(MetricOr0(suite().routing_port, "switchboard_grpc_request_seconds_count",
                        {{"method", "/switchboard.routing.v1.RoutingService/Resolve"}, {"code", "PERMISSION_DENIED"}}),
              1);
    EXPECT_GE(MetricOr0(suite().routing_port, "switchboard_grpc_request_seconds_count",
                        {{"method", "/switchboard.routing.v1.RoutingService/Reply"}, {"code", "OK"}}),
              1);
    EXPECT_GE(MetricOr0(suite().web_port, "switchboard_http_request_seconds_count",
                        {{"method", "POST"}, {"route", "/v1/messages"}, {"code", "202"}}) +
                  MetricOr0(suite().web2_port, "switchboard_http_request_seconds_count",
                            {{"method", "POST"}, {"route", "/v1/messages"}, {"code", "202"}}),
              2);

    // The bot's conversation resolves after the idle time (1.5 s here); the operator's now.
    const auto port = suite().metrics_port;
    EXPECT_TRUE(WaitMetric(port, "switchboard_conversations_resolved_total", {{"channel", "web"}, {"resolved_by", "bot"}}, 1))
        << Metrics(port);
    EXPECT_TRUE(WaitMetric(port, "switchboard_conversations_resolved_total",
                           {{"channel", "web"}, {"resolved_by", "operator"}}, 1))
        << Metrics(port);
    EXPECT_TRUE(WaitMetric(port, "switchboard_first_response_seconds_count", {{"channel", "web"}, {"responder", "bot"}}, 1))
        << Metrics(port);
    EXPECT_TRUE(WaitMetric(port, "switchboard_first_response_seconds_count",
                           {{"channel", "web"}, {"responder", "operator"}}, 1))
        << Metrics(port);
    EXPECT_EQ(MetricOr0(port, "switchboard_handoffs_total", {{"channel", "web"}, {"reason", "customer_request"}}), 1);
    // The bot answered within milliseconds: its first response is in the lowest buckets.
    const double bot_sum = MetricOr0(port, "switchboard_first_response_seconds_sum", {{"channel", "web"}, {"responder", "bot"}});
    EXPECT_GT(bot_sum, 0);
    EXPECT_LT(bot_sum, 5.0);
}

TEST_F(E2E, RussianQuestionGetsTheRussianAnswer) {
    const std::string conv = "e2e-ru-1";
    auto ws = OpenSocket(conv);
    ASSERT_TRUE(ws);
    ASSERT_EQ(Post({{"conversation_id", conv}, {"text", "Как сбросить пароль?"}})->status, 202);
    json reply = NextMessage(*ws);
    EXPECT_EQ(reply.value("text", ""), DemoAnswer("ru-reset-password"));
}

TEST_F(E2E, UncoveredQuestionIsHandedOffNotAnswered) {
    const std::string conv = "e2e-oos-1";
    auto ws = OpenSocket(conv);
    ASSERT_TRUE(ws);
    ASSERT_EQ(Post({{"conversation_id", conv}, {"text", "what is the boiling point of tungsten on venus"}})->status, 202);
    json msg = NextMessage(*ws);
    EXPECT_EQ(msg.value("kind", ""), "notice") << msg.dump();
    EXPECT_EQ(msg.value("author", ""), "bot");
    EXPECT_TRUE(WaitUntil(
        [&] {
            auto s = GetConversation(conv).state();
            return s == rv1::CONVERSATION_STATE_QUEUED || s == rv1::CONVERSATION_STATE_ASSIGNED;
        },
        kReplyTimeout));
    EXPECT_TRUE(WaitMetric(suite().metrics_port, "switchboard_handoffs_total",
                           {{"channel", "web"}, {"reason", "low_confidence"}}, 1));
}

TEST_F(E2E, RepeatedMessageIdIsAcceptedOnceAndAnsweredOnce) {
    const std::string conv = "e2e-dup-1";
    auto ws = OpenSocket(conv);
    ASSERT_TRUE(ws);
    const json body{{"conversation_id", conv}, {"text", "how much does plus cost"}, {"message_id", "w-1"}};
    auto first = Post(body);
    auto second = Post(body);
    ASSERT_EQ(first->status, 202) << first->body;
    ASSERT_EQ(second->status, 200) << second->body;
    EXPECT_EQ(json::parse(second->body)["status"], "duplicate");
    EXPECT_EQ(json::parse(second->body)["message_id"], json::parse(first->body)["message_id"]);
    (void)NextMessage(*ws);
    EXPECT_FALSE(ws->Read(1500ms).has_value()) << "a second reply arrived";
    EXPECT_EQ(History(conv)["messages"].size(), 2u);
}

TEST_F(E2E, BadRequestsAreRefusedWithAReasonAndNothingIsPublished) {
    const auto web = suite().web_port;
    auto bad_json = http::Fetch("127.0.0.1", web, "POST", "/v1/messages", "{oops");
    ASSERT_TRUE(bad_json.ok());
    EXPECT_EQ(bad_json->status, 400);
    EXPECT_EQ(json::parse(bad_json->body)["error"], "invalid_json");

    auto no_text = Post({{"conversation_id", "e2e-bad-1"}});
    EXPECT_EQ(no_text->status, 400);
    EXPECT_EQ(json::parse(no_text->body)["error"], "invalid_text");

    auto huge = http::Fetch("127.0.0.1", web, "POST", "/v1/messages",
                            json{{"conversation_id", "e2e-bad-1"}, {"text", std::string(100000, 'a')}}.dump());
    ASSERT_TRUE(huge.ok());
    EXPECT_EQ(huge->status, 413);
    EXPECT_TRUE(json::parse(huge->body).contains("error"));
    EXPECT_EQ(MetricOr0(web, "switchboard_http_requests_rejected_total", {{"status", "413"}}), 1);

    EXPECT_EQ(MetricOr0(web, "switchboard_gateway_requests_rejected_total", {{"channel", "web"}, {"reason", "invalid_json"}}), 1);
    EXPECT_EQ(MetricOr0(web, "switchboard_gateway_requests_rejected_total", {{"channel", "web"}, {"reason", "invalid_text"}}), 1);
    EXPECT_TRUE(History("e2e-bad-1")["messages"].empty());
}

TEST_F(E2E, UndecodableKafkaRecordIsSkippedAndTheNextMessageIsStillAnswered) {
    auto producer = kafka::MakeProducer({testing::KafkaBrokers(), "e2e", {}});
    const std::string conv = "e2e-poison-1";
    ASSERT_TRUE(producer->ProduceSync(suite().naming().Inbound(), conv, "\xff\x00garbage").ok());
    auto ws = OpenSocket(conv);
    ASSERT_TRUE(ws);
    ASSERT_EQ(Post({{"conversation_id", conv}, {"text", "how do i export my notes"}})->status, 202);
    json reply = NextMessage(*ws);
    EXPECT_EQ(reply.value("text", ""), DemoAnswer("en-export-data"));
    EXPECT_GE(MetricOr0(suite().assistant_port, "switchboard_assistant_invalid_records_total", {}), 1);
}

TEST_F(E2E, RepliesReachSocketsOnEveryGatewayReplica) {
    // Posted through one replica, watched on both: whichever consumes the reply, both sockets get it.
    for (int i = 0; i < 4; ++i) {
        const std::string conv = "e2e-replicas-" + std::to_string(i);
        auto ws1 = OpenSocket(conv);
        auto ws2 = http::WebSocketClient::Connect("127.0.0.1", suite().web2_port, "/v1/conversations/" + conv + "/ws");
        ASSERT_TRUE(ws1 && ws2.ok());
        ASSERT_EQ(Post({{"conversation_id", conv}, {"text", "how do i enable two factor authentication"}})->status, 202);
        const std::string expected = DemoAnswer("en-two-factor");
        EXPECT_EQ(NextMessage(*ws1).value("text", ""), expected);
        EXPECT_EQ(NextMessage(**ws2).value("text", ""), expected);
    }
}

TEST_F(E2E, BadConfigurationStopsStartUpNamingTheKey) {
    const auto log = std::filesystem::temp_directory_path() / ("switchboard-e2e-badcfg-" + suite().naming().ns());
    ServiceProcess assistant("assistant", SWITCHBOARD_ASSISTANT_BIN,
                             {{"SWITCHBOARD_HTTP_PORT", "eighty"}, {"SWITCHBOARD_KB_PATH", SWITCHBOARD_DEMO_KB}},
                             log.string());
    EXPECT_EQ(assistant.WaitExit(10s), 2);
    EXPECT_NE(assistant.LogTail().find("'http.port'"), std::string::npos) << assistant.LogTail();

    ServiceProcess no_kb("assistant", SWITCHBOARD_ASSISTANT_BIN, {{"SWITCHBOARD_KB_PATH", "/nonexistent/kb.jsonl"}},
                         log.string());
    EXPECT_EQ(no_kb.WaitExit(10s), 2);
    EXPECT_NE(no_kb.LogTail().find("/nonexistent/kb.jsonl"), std::string::npos) << no_kb.LogTail();

    ServiceProcess bad_margin("assistant", SWITCHBOARD_ASSISTANT_BIN,
                              {{"SWITCHBOARD_ASSISTANT_MARGIN", "1.5"}, {"SWITCHBOARD_KB_PATH", SWITCHBOARD_DEMO_KB}},
                              log.string());
    EXPECT_EQ(bad_margin.WaitExit(10s), 2);
    EXPECT_NE(bad_margin.LogTail().find("'assistant.margin'"), std::string::npos) << bad_margin.LogTail();
}

TEST_F(E2E, KnowledgeBaseEditsReachCustomersWithoutARestart) {
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(suite().assistant_grpc_port),
                                       grpc::InsecureChannelCredentials());
    auto admin = switchboard::kb::v1::KnowledgeBaseAdmin::NewStub(channel);
    auto assistant = switchboard::assistant::v1::AssistantService::NewStub(channel);
    const std::string question = "zebrafish tank calibration procedure";
    // What the assistant's index would answer with, as operators see it through Ask.
    auto best = [&]() -> std::string {
        grpc::ClientContext ctx;
        switchboard::assistant::v1::AskRequest req;
        req.set_query(question);
        switchboard::assistant::v1::AskResponse resp;
        if (!assistant->Ask(&ctx, req, &resp).ok() || !resp.confident()) return "";
        return resp.articles(0).article().id();
    };
    ASSERT_EQ(best(), "");

    // The demo knowledge base was the seed: the assistant published it to the (empty) topic.
    const auto demo = kb::LoadJsonlFile(SWITCHBOARD_DEMO_KB);
    ASSERT_TRUE(demo.ok());
    {
        grpc::ClientContext ctx;
        switchboard::kb::v1::ListArticlesRequest req;
        switchboard::kb::v1::ListArticlesResponse resp;
        ASSERT_TRUE(admin->ListArticles(&ctx, req, &resp).ok());
        EXPECT_EQ(resp.total_size(), static_cast<int>(demo->size()));
    }

    // Upsert: the article reaches the running assistant within seconds.
    const std::string answer = "Fill the tank, run the calibration wizard, then wait ten minutes.";
    const auto started = std::chrono::steady_clock::now();
    {
        grpc::ClientContext ctx;
        switchboard::kb::v1::UpsertArticleRequest req;
        auto* a = req.mutable_article();
        a->set_id("e2e-zebrafish");
        a->add_questions(question);
        a->add_questions("how do I calibrate the zebrafish tank");
        a->set_answer(answer);
        a->set_lang("en");
        a->set_enabled(true);
        switchboard::kb::v1::UpsertArticleResponse resp;
        auto s = admin->UpsertArticle(&ctx, req, &resp);
        ASSERT_TRUE(s.ok()) << s.error_message();
        EXPECT_TRUE(resp.created());
        EXPECT_EQ(resp.article().version(), 1);
    }
    ASSERT_TRUE(WaitUntil([&] { return best() == "e2e-zebrafish"; }, 5s)) << suite().Logs();
    {
        const std::string conv = "e2e-kb-live-1";
        auto ws = OpenSocket(conv);
        ASSERT_TRUE(ws);
        ASSERT_EQ(Post({{"conversation_id", conv}, {"text", question + "?"}})->status, 202);
        json reply = NextMessage(*ws);
        EXPECT_EQ(reply.value("author", ""), "bot");
        EXPECT_EQ(reply.value("kind", ""), "reply") << reply.dump();
        EXPECT_EQ(reply.value("text", ""), answer);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);

    // Delete: the same question is handed off again.
    {
        grpc::ClientContext ctx;
        switchboard::kb::v1::DeleteArticleRequest req;
        req.set_id("e2e-zebrafish");
        switchboard::kb::v1::DeleteArticleResponse resp;
        auto s = admin->DeleteArticle(&ctx, req, &resp);
        ASSERT_TRUE(s.ok()) << s.error_message();
    }
    ASSERT_TRUE(WaitUntil([&] { return best().empty(); }, 5s)) << suite().Logs();
    {
        const std::string conv = "e2e-kb-live-2";
        auto ws = OpenSocket(conv);
        ASSERT_TRUE(ws);
        ASSERT_EQ(Post({{"conversation_id", conv}, {"text", question + "?"}})->status, 202);
        json notice = NextMessage(*ws);
        EXPECT_EQ(notice.value("kind", ""), "notice") << notice.dump();
        EXPECT_NE(notice.value("text", ""), answer);
    }
    {
        grpc::ClientContext ctx;
        switchboard::kb::v1::GetArticleRequest req;
        req.set_id("e2e-zebrafish");
        switchboard::kb::v1::Article resp;
        EXPECT_EQ(admin->GetArticle(&ctx, req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
    }
}

}  // namespace
}  // namespace switchboard::e2e

namespace switchboard::e2e {
namespace {

TEST_F(E2E, AnswerThatDidNotHelpIsHandedOffAndShowsInWhatToAddNext) {
    const std::string conv = "e2e-failed-1";
    auto ws = OpenSocket(conv);
    ASSERT_TRUE(ws);
    ASSERT_EQ(Post({{"conversation_id", conv}, {"text", "how do I reset my password?"}})->status, 202);
    EXPECT_EQ(NextMessage(*ws).value("text", ""), DemoAnswer("en-reset-password"));
    ASSERT_EQ(Post({{"conversation_id", conv}, {"text", "that didn't help"}})->status, 202);
    EXPECT_EQ(NextMessage(*ws).value("kind", ""), "notice");
    EXPECT_TRUE(WaitMetric(suite().metrics_port, "switchboard_handoffs_total",
                           {{"channel", "web"}, {"reason", "bot_failed"}}, 1));

    // Unanswerable questions are recorded and clustered for the curators.
    for (const char* q : {"do you have a student discount", "any student discount for me?",
                          "student discount please"}) {
        const std::string c = std::string("e2e-gap-") + std::to_string(std::hash<std::string>{}(q) % 100000);
        ASSERT_EQ(Post({{"conversation_id", c}, {"text", q}})->status, 202);
    }
    auto stub = switchboard::assistant::v1::AssistantService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(suite().assistant_grpc_port), grpc::InsecureChannelCredentials()));
    switchboard::assistant::v1::ListGapsResponse gaps;
    const bool clustered = WaitUntil(
        [&] {
            grpc::ClientContext ctx;
            switchboard::assistant::v1::ListGapsRequest req;
            gaps.Clear();
            if (!stub->ListGaps(&ctx, req, &gaps).ok() || gaps.clusters_size() == 0) return false;
            return gaps.clusters(0).count() >= 3;
        },
        kReplyTimeout);
    ASSERT_TRUE(clustered) << gaps.DebugString();
    EXPECT_NE(gaps.clusters(0).representative().find("student"), std::string::npos) << gaps.DebugString();
    // The answer that did not help is recorded as the question it failed on, not as the complaint.
    for (const auto& c : gaps.clusters()) {
        for (const auto& e : c.examples()) EXPECT_EQ(e.find("didn't help"), std::string::npos) << gaps.DebugString();
    }
}

// A deployment's own greeting and thanks are small talk in its words: they neither replace the
// answer a thanks confirms nor become what "that didn't help" complains about.
TEST_F(E2E, KnowledgeBaseGreetingAndThanksAreSmallTalkNotAnswers) {
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(suite().assistant_grpc_port),
                                       grpc::InsecureChannelCredentials());
    auto admin = switchboard::kb::v1::KnowledgeBaseAdmin::NewStub(channel);
    auto assistant = switchboard::assistant::v1::AssistantService::NewStub(channel);
    const std::map<std::string, std::pair<std::vector<std::string>, std::string>> courtesy = {
        {"e2e-hello", {{"hello there", "hi there"}, "Hello from the Acme assistant!"}},
        {"e2e-thanks", {{"thank you", "thanks a lot"}, "Glad to help. Anything else?"}},
    };
    for (const auto& [id, article] : courtesy) {
        grpc::ClientContext ctx;
        switchboard::kb::v1::UpsertArticleRequest req;
        auto* a = req.mutable_article();
        a->set_id(id);
        for (const auto& q : article.first) a->add_questions(q);
        a->set_answer(article.second);
        a->set_lang("en");
        a->set_enabled(true);
        switchboard::kb::v1::UpsertArticleResponse resp;
        auto s = admin->UpsertArticle(&ctx, req, &resp);
        ASSERT_TRUE(s.ok()) << s.error_message();
    }
    auto best = [&](const std::string& query) -> std::string {
        grpc::ClientContext ctx;
        switchboard::assistant::v1::AskRequest req;
        req.set_query(query);
        switchboard::assistant::v1::AskResponse resp;
        if (!assistant->Ask(&ctx, req, &resp).ok() || !resp.confident()) return "";
        return resp.articles(0).article().id();
    };
    ASSERT_TRUE(WaitUntil([&] { return best("hi there") == "e2e-hello" && best("thank you") == "e2e-thanks"; }, 5s))
        << suite().Logs();

    const std::map<std::string, std::string> by_bot = {{"channel", "web"}, {"resolved_by", "bot"}};
    const double resolved_by_bot = MetricOr0(suite().metrics_port, "switchboard_conversations_resolved_total", by_bot);
    const std::string conv = "e2e-courtesy-1";
    auto ws = OpenSocket(conv);
    ASSERT_TRUE(ws);
    ASSERT_EQ(Post({{"conversation_id", conv}, {"text", "how do I reset my password?"}})->status, 202);
    EXPECT_EQ(NextMessage(*ws).value("text", ""), DemoAnswer("en-reset-password"));
    ASSERT_EQ(Post({{"conversation_id", conv}, {"text", "hi there"}})->status, 202);
    EXPECT_EQ(NextMessage(*ws).value("text", ""), "Hello from the Acme assistant!");
    ASSERT_EQ(Post({{"conversation_id", conv}, {"text", "thank you"}})->status, 202);
    EXPECT_EQ(NextMessage(*ws).value("text", ""), "Glad to help. Anything else?");
    // The thanks confirmed the password answer (the greeting in between did not replace it).
    EXPECT_TRUE(
        WaitMetric(suite().metrics_port, "switchboard_conversations_resolved_total", by_bot, resolved_by_bot + 1));
    ASSERT_EQ(Post({{"conversation_id", conv}, {"text", "that didn't help"}})->status, 202);
    EXPECT_EQ(NextMessage(*ws).value("kind", ""), "notice");
    // What did not help is the password answer: the gap recorded is its question.
    switchboard::assistant::v1::ListGapsResponse gaps;
    const bool recorded = WaitUntil(
        [&] {
            grpc::ClientContext ctx;
            gaps.Clear();
            if (!assistant->ListGaps(&ctx, switchboard::assistant::v1::ListGapsRequest(), &gaps).ok()) return false;
            for (const auto& c : gaps.clusters()) {
                for (const auto& e : c.examples()) {
                    if (e.find("reset my password") != std::string::npos) return true;
                }
            }
            return false;
        },
        kReplyTimeout);
    EXPECT_TRUE(recorded) << gaps.DebugString();
    for (const auto& c : gaps.clusters()) {
        for (const auto& e : c.examples()) {
            EXPECT_EQ(e.find("hi there"), std::string::npos) << gaps.DebugString();
            EXPECT_EQ(e.find("thank you"), std::string::npos) << gaps.DebugString();
        }
    }
    for (const auto& [id, article] : courtesy) {
        grpc::ClientContext ctx;
        switchboard::kb::v1::DeleteArticleRequest req;
        req.set_id(id);
        switchboard::kb::v1::DeleteArticleResponse resp;
        EXPECT_TRUE(admin->DeleteArticle(&ctx, req, &resp).ok());
    }
    ASSERT_TRUE(WaitUntil([&] { return best("hi there").empty(); }, 5s)) << suite().Logs();
}


}  // namespace
}  // namespace switchboard::e2e

namespace switchboard::e2e {
namespace {

// An operator's suggested question variant is not used until a reviewer approves it.
TEST_F(E2E, SuggestedQuestionIsUsedOnlyAfterApproval) {
    namespace kv1 = switchboard::kb::v1;
    auto admin = kv1::KnowledgeBaseAdmin::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(suite().assistant_grpc_port), grpc::InsecureChannelCredentials()));
    const std::string question = "zebra stripes question xyz";
    const std::string answer = DemoAnswer("en-support-hours");
    ASSERT_FALSE(answer.empty());

    std::string suggestion_id;
    {
        grpc::ClientContext ctx;
        kv1::ProposeQuestionRequest req;
        req.set_article_id("en-support-hours");
        req.set_question(question);
        req.set_proposed_by("op-anna");
        kv1::ProposeQuestionResponse resp;
        auto s = admin->ProposeQuestion(&ctx, req, &resp);
        ASSERT_TRUE(s.ok()) << s.error_message();
        suggestion_id = resp.suggestion_id();
    }
    {
        const std::string conv = "e2e-suggest-1";
        auto ws = OpenSocket(conv);
        ASSERT_TRUE(ws);
        ASSERT_EQ(Post({{"conversation_id", conv}, {"text", question}})->status, 202);
        json notice = NextMessage(*ws);
        EXPECT_EQ(notice.value("kind", ""), "notice") << notice.dump();
        EXPECT_NE(notice.value("text", ""), answer);
    }
    {
        grpc::ClientContext ctx;
        kv1::ReviewSuggestionRequest req;
        req.set_suggestion_id(suggestion_id);
        req.set_decision(kv1::REVIEW_DECISION_APPROVE);
        req.set_reviewer_id("op-lead");
        kv1::ReviewSuggestionResponse resp;
        auto s = admin->ReviewSuggestion(&ctx, req, &resp);
        ASSERT_TRUE(s.ok()) << s.error_message();
        EXPECT_EQ(resp.suggestion().status(), kv1::SUGGESTION_STATUS_APPROVED);
    }
    {
        // The index is rebuilt (debounced) after the catalog has the change.
        auto assistant = switchboard::assistant::v1::AssistantService::NewStub(grpc::CreateChannel(
            "127.0.0.1:" + std::to_string(suite().assistant_grpc_port), grpc::InsecureChannelCredentials()));
        ASSERT_TRUE(WaitUntil(
            [&] {
                grpc::ClientContext ctx;
                switchboard::assistant::v1::AskRequest req;
                req.set_query(question);
                switchboard::assistant::v1::AskResponse resp;
                return assistant->Ask(&ctx, req, &resp).ok() && resp.confident() &&
                       resp.articles(0).article().id() == "en-support-hours";
            },
            5s))
            << suite().Logs();
        const std::string conv = "e2e-suggest-2";
        auto ws = OpenSocket(conv);
        ASSERT_TRUE(ws);
        ASSERT_EQ(Post({{"conversation_id", conv}, {"text", question}})->status, 202);
        json reply = NextMessage(*ws);
        EXPECT_EQ(reply.value("kind", ""), "reply") << reply.dump();
        EXPECT_EQ(reply.value("text", ""), answer);
    }
}

}  // namespace
}  // namespace switchboard::e2e
