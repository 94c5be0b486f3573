// Integration: the RoutingService over real gRPC (in-process server on 127.0.0.1:0) on top of the
// real Router, Redis and Kafka: authentication, validation, and the offer → accept / decline flow
// as an inbox sees it through StreamAssignments.
#include "routing_grpc.hpp"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <chrono>
#include <thread>

#include "operator_token.hpp"
#include "switchboard/kafka/admin.hpp"
#include "switchboard/testing/environment.hpp"

namespace switchboard::routing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kSecret = "test-secret-0123456789abcdef";

class RoutingGrpcTest : public ::testing::Test {
protected:
    void SetUp() override {
        naming_ = std::make_unique<events::Naming>(testing::UniqueNamespace());
        ASSERT_TRUE(kafka::EnsureTopics(testing::KafkaBrokers(), naming_->AllTopics(1)).ok());
        redis::ClientConfig rc;
        rc.host = testing::RedisHost();
        rc.port = testing::RedisPort();
        redis_ = redis::MakeClient(rc);
        ASSERT_TRUE(redis_->Healthy()) << "Redis not reachable; start it with tools/stack start";
        store_ = std::make_unique<conversation::Store>(*redis_, naming_->RedisPrefix());
        producer_ = kafka::MakeProducer({testing::KafkaBrokers(), "routing-grpc-test", {}});
        probe_ = std::make_unique<RoutingProbe>(registry_);
        hub_ = std::make_unique<InboxHub>(*redis_, rc, InboxHub::ChannelFor(naming_->RedisPrefix()),
                                          InboxHub::Options{});
        hub_->Start();
        for (int i = 0; i < 500 && !hub_->Subscribed(); ++i) std::this_thread::sleep_for(10ms);
        ASSERT_TRUE(hub_->Subscribed());
        Router::Options ro;
        ro.offer_timeout = 60s;
        router_ = std::make_unique<Router>(*store_, *producer_, *naming_, clock_, *probe_, *hub_, ro);
        service_ = std::make_unique<RoutingGrpc>(*router_, *hub_, clock_,
                                                 RoutingGrpc::Options{std::string(kSecret), 50ms});
        grpc::ServerBuilder builder;
        int port = 0;
        builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
        builder.RegisterService(service_.get());
        server_ = builder.BuildAndStart();
        ASSERT_TRUE(server_ && port > 0);
        stub_ = v1::RoutingService::NewStub(
            grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
    }

    void TearDown() override {
        if (hub_) hub_->Shutdown();
        if (server_) server_->Shutdown(std::chrono::system_clock::now() + 5s);
        if (hub_) hub_->Stop();
    }

    std::string Token(const std::string& op, std::chrono::seconds ttl = 1h) {
        return MintOperatorToken(kSecret, OperatorId(op), clock_.Now() + ttl);
    }

    std::unique_ptr<grpc::ClientContext> As(const std::string& op) {
        auto ctx = std::make_unique<grpc::ClientContext>();
        ctx->AddMetadata("authorization", "Bearer " + Token(op));
        ctx->set_deadline(std::chrono::system_clock::now() + 20s);
        return ctx;
    }

    grpc::Status Online(const std::string& op, bool auto_accept, int capacity = 2) {
        v1::SetStatusRequest req;
        req.set_status(v1::OPERATOR_STATUS_ONLINE);
        req.set_capacity(capacity);
        req.set_auto_accept(auto_accept);
        v1::SetStatusResponse resp;
        return stub_->SetStatus(As(op).get(), req, &resp);
    }

    void Queue(const std::string& conv) {
        conversation::Store::Handoff h;
        h.channel = "web";
        h.language = "en";
        h.reason = "customer_request";
        h.topics = {"billing"};
        ASSERT_EQ(store_->Enqueue(ConversationId(conv), h, clock_.Now()).value(),
                  conversation::Store::EnqueueOutcome::kQueued);
    }

    v1::Conversation Get(const std::string& op, const std::string& conv, grpc::Status* status = nullptr) {
        v1::GetConversationRequest req;
        req.set_conversation_id(conv);
        v1::Conversation resp;
        const auto s = stub_->GetConversation(As(op).get(), req, &resp);
        if (status != nullptr) *status = s;
        return resp;
    }

    // Reads the stream until an event of `kind` for `conv` (events may repeat: pending + live).
    static bool ReadUntil(grpc::ClientReader<v1::InboxEvent>& reader, v1::InboxEvent::Kind kind,
                          const std::string& conv, v1::InboxEvent* out = nullptr) {
        v1::InboxEvent e;
        while (reader.Read(&e)) {
            if (e.kind() == kind && e.conversation_id() == conv) {
                if (out != nullptr) *out = e;
                return true;
            }
        }
        return false;
    }

    SystemClock clock_;
    std::unique_ptr<events::Naming> naming_;
    std::unique_ptr<redis::Client> redis_;
    std::unique_ptr<conversation::Store> store_;
    std::unique_ptr<kafka::Producer> producer_;
    prometheus::Registry registry_;
    std::unique_ptr<RoutingProbe> probe_;
    std::unique_ptr<InboxHub> hub_;
    std::unique_ptr<Router> router_;
    std::unique_ptr<RoutingGrpc> service_;
    std::unique_ptr<grpc::Server> server_;
    std::unique_ptr<v1::RoutingService::Stub> stub_;
};

TEST_F(RoutingGrpcTest, CallsWithoutAValidTokenAreUnauthenticated) {
    v1::ListQueueRequest req;
    v1::ListQueueResponse resp;
    {
        grpc::ClientContext ctx;
        EXPECT_EQ(stub_->ListQueue(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
    }
    for (const std::string& header :
         {std::string("Bearer nonsense"), "Basic " + Token("alice"), "Bearer " + Token("alice", -1s),
          "Bearer " +
              MintOperatorToken("another secret, long enough", OperatorId("alice"), clock_.Now() + 1h)}) {
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", header);
        EXPECT_EQ(stub_->ListQueue(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED)
            << header;
    }
    // The stream too.
    grpc::ClientContext ctx;
    auto reader = stub_->StreamAssignments(&ctx, v1::StreamAssignmentsRequest{});
    v1::InboxEvent e;
    EXPECT_FALSE(reader->Read(&e));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
    // "bearer" in any case is accepted.
    grpc::ClientContext ok;
    ok.AddMetadata("authorization", "bearer " + Token("alice"));
    EXPECT_TRUE(stub_->ListQueue(&ok, req, &resp).ok());
}

TEST_F(RoutingGrpcTest, ActingAsAnotherOperatorIsPermissionDenied) {
    v1::SetStatusRequest set;
    set.set_operator_id("bob");
    set.set_status(v1::OPERATOR_STATUS_ONLINE);
    v1::SetStatusResponse set_resp;
    EXPECT_EQ(stub_->SetStatus(As("alice").get(), set, &set_resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    v1::HeartbeatRequest hb;
    hb.set_operator_id("bob");
    v1::HeartbeatResponse hb_resp;
    EXPECT_EQ(stub_->Heartbeat(As("alice").get(), hb, &hb_resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    // Its own id, or none, is fine.
    set.set_operator_id("alice");
    EXPECT_TRUE(stub_->SetStatus(As("alice").get(), set, &set_resp).ok());
    hb.clear_operator_id();
    EXPECT_TRUE(stub_->Heartbeat(As("alice").get(), hb, &hb_resp).ok());
    const auto expires = events::FromTimestamp(hb_resp.expires_at());
    EXPECT_GT(expires, clock_.Now() + 20s);
    EXPECT_LT(expires, clock_.Now() + 40s);
}

TEST_F(RoutingGrpcTest, InvalidInputIsInvalidArgument) {
    auto code = [](const grpc::Status& s) { return s.error_code(); };
    constexpr auto kInvalid = grpc::StatusCode::INVALID_ARGUMENT;
    {
        v1::SetStatusRequest r;  // no status
        v1::SetStatusResponse resp;
        EXPECT_EQ(code(stub_->SetStatus(As("alice").get(), r, &resp)), kInvalid);
        r.set_status(v1::OPERATOR_STATUS_ONLINE);
        r.set_capacity(101);
        EXPECT_EQ(code(stub_->SetStatus(As("alice").get(), r, &resp)), kInvalid);
        r.set_capacity(3);
        r.mutable_skills()->add_topics("bill ing");
        EXPECT_EQ(code(stub_->SetStatus(As("alice").get(), r, &resp)), kInvalid);
        r.mutable_skills()->clear_topics();
        r.mutable_skills()->add_channels("fax");
        EXPECT_EQ(code(stub_->SetStatus(As("alice").get(), r, &resp)), kInvalid);
        r.mutable_skills()->clear_channels();
        for (int i = 0; i < 33; ++i) r.mutable_skills()->add_languages("l" + std::to_string(i));
        EXPECT_EQ(code(stub_->SetStatus(As("alice").get(), r, &resp)), kInvalid);
        r.mutable_skills()->clear_languages();
        r.mutable_skills()->add_topics("Billing");  // lower-cased, fine
        r.mutable_skills()->add_channels("WEB");
        EXPECT_TRUE(stub_->SetStatus(As("alice").get(), r, &resp).ok());
    }
    {
        v1::ReplyRequest r;
        r.set_conversation_id("c1");
        v1::ReplyResponse resp;
        EXPECT_EQ(code(stub_->Reply(As("alice").get(), r, &resp)), kInvalid);  // empty text
        r.set_text(std::string(4097, 'x'));
        EXPECT_EQ(code(stub_->Reply(As("alice").get(), r, &resp)), kInvalid);
        r.set_text("hi");
        r.set_conversation_id("bad id");
        EXPECT_EQ(code(stub_->Reply(As("alice").get(), r, &resp)), kInvalid);
    }
    {
        v1::ListQueueRequest r;
        r.set_limit(1001);
        v1::ListQueueResponse resp;
        EXPECT_EQ(code(stub_->ListQueue(As("alice").get(), r, &resp)), kInvalid);
        r.set_limit(-1);
        EXPECT_EQ(code(stub_->ListQueue(As("alice").get(), r, &resp)), kInvalid);
    }
    {
        v1::TransferRequest r;
        r.set_conversation_id("c1");
        v1::TransferResponse resp;
        EXPECT_EQ(code(stub_->Transfer(As("alice").get(), r, &resp)), kInvalid);  // no target
        r.set_to_operator_id("alice");
        EXPECT_EQ(code(stub_->Transfer(As("alice").get(), r, &resp)), kInvalid);  // yourself
        r.mutable_to_skills()->add_topics("no way!");
        EXPECT_EQ(code(stub_->Transfer(As("alice").get(), r, &resp)), kInvalid);
    }
    {
        v1::GetConversationRequest r;
        v1::Conversation resp;
        EXPECT_EQ(code(stub_->GetConversation(As("alice").get(), r, &resp)), kInvalid);
        v1::AcceptRequest a;
        v1::AcceptResponse a_resp;
        EXPECT_EQ(code(stub_->Accept(As("alice").get(), a, &a_resp)), kInvalid);
    }
}

TEST_F(RoutingGrpcTest, AnOfferArrivesOnTheStreamAndIsAccepted) {
    ASSERT_TRUE(Online("alice", /*auto_accept=*/false).ok());
    auto stream_ctx = As("alice");
    auto reader = stub_->StreamAssignments(stream_ctx.get(), v1::StreamAssignmentsRequest{});

    Queue("conv-accept");
    ASSERT_TRUE(router_->Dispatch().ok());
    v1::InboxEvent offered;
    ASSERT_TRUE(ReadUntil(*reader, v1::InboxEvent::KIND_OFFERED, "conv-accept", &offered));
    EXPECT_EQ(offered.channel(), switchboard::common::v1::CHANNEL_WEB);
    EXPECT_GT(events::FromTimestamp(offered.offer_deadline()), clock_.Now() + 30s);

    // Offered: alice may read it, bob may not.
    grpc::Status s;
    EXPECT_EQ(Get("alice", "conv-accept", &s).state(), v1::CONVERSATION_STATE_OFFERED);
    EXPECT_TRUE(s.ok()) << s.error_message();
    Get("bob", "conv-accept", &s);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);

    // Bob cannot accept alice's offer.
    v1::AcceptRequest accept;
    accept.set_conversation_id("conv-accept");
    v1::AcceptResponse accept_resp;
    EXPECT_EQ(stub_->Accept(As("bob").get(), accept, &accept_resp).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
    ASSERT_TRUE(stub_->Accept(As("alice").get(), accept, &accept_resp).ok());

    const auto conv = Get("alice", "conv-accept", &s);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(conv.state(), v1::CONVERSATION_STATE_ASSIGNED);
    EXPECT_EQ(conv.operator_id(), "alice");
    EXPECT_EQ(conv.channel(), switchboard::common::v1::CHANNEL_WEB);
    EXPECT_EQ(conv.handoff_reason(), "customer_request");
    EXPECT_EQ(conv.language(), "en");

    // Accepting again is an idempotent retry; resolving works once.
    EXPECT_TRUE(stub_->Accept(As("alice").get(), accept, &accept_resp).ok());
    v1::ResolveRequest resolve;
    resolve.set_conversation_id("conv-accept");
    v1::ResolveResponse resolve_resp;
    EXPECT_EQ(stub_->Resolve(As("bob").get(), resolve, &resolve_resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_TRUE(stub_->Resolve(As("alice").get(), resolve, &resolve_resp).ok());
    EXPECT_EQ(stub_->Resolve(As("alice").get(), resolve, &resolve_resp).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);

    stream_ctx->TryCancel();
    while (reader->Read(&offered)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(RoutingGrpcTest, ADeclinedOfferGoesBackToTheQueue) {
    ASSERT_TRUE(Online("alice", /*auto_accept=*/false).ok());
    Queue("conv-decline");
    ASSERT_TRUE(router_->Dispatch().ok());

    // Opened after the offer: the pending state carries it.
    auto stream_ctx = As("alice");
    auto reader = stub_->StreamAssignments(stream_ctx.get(), v1::StreamAssignmentsRequest{});
    ASSERT_TRUE(ReadUntil(*reader, v1::InboxEvent::KIND_OFFERED, "conv-decline"));

    v1::DeclineRequest decline;
    decline.set_conversation_id("conv-decline");
    v1::DeclineResponse decline_resp;
    ASSERT_TRUE(stub_->Decline(As("alice").get(), decline, &decline_resp).ok());
    EXPECT_EQ(stub_->Decline(As("alice").get(), decline, &decline_resp).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);

    // Queued again, so any operator may preview it, and it is listed.
    grpc::Status s;
    EXPECT_EQ(Get("bob", "conv-decline", &s).state(), v1::CONVERSATION_STATE_QUEUED);
    EXPECT_TRUE(s.ok()) << s.error_message();
    v1::ListQueueRequest list;
    v1::ListQueueResponse listed;
    ASSERT_TRUE(stub_->ListQueue(As("bob").get(), list, &listed).ok());
    ASSERT_EQ(listed.conversations_size(), 1);
    EXPECT_EQ(listed.conversations(0).conversation_id(), "conv-decline");
    EXPECT_EQ(listed.conversations(0).state(), v1::CONVERSATION_STATE_QUEUED);

    // Bob (auto-accepting) comes online and gets it; alice, who declined, does not get it again.
    v1::SetStatusRequest bob;
    bob.set_status(v1::OPERATOR_STATUS_ONLINE);
    bob.set_auto_accept(true);
    v1::SetStatusResponse bob_resp;
    ASSERT_TRUE(stub_->SetStatus(As("bob").get(), bob, &bob_resp).ok());
    ASSERT_TRUE(router_->Dispatch().ok());
    const auto conv = Get("bob", "conv-decline", &s);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(conv.state(), v1::CONVERSATION_STATE_ASSIGNED);
    EXPECT_EQ(conv.operator_id(), "bob");

    stream_ctx->TryCancel();
    v1::InboxEvent e;
    while (reader->Read(&e)) {
    }
}

TEST_F(RoutingGrpcTest, OpenStreamsEndPromptlyWhenTheHubShutsDown) {
    ASSERT_TRUE(Online("alice", true).ok());
    auto stream_ctx = As("alice");
    auto reader = stub_->StreamAssignments(stream_ctx.get(), v1::StreamAssignmentsRequest{});
    for (int i = 0; i < 500 && hub_->open_streams() == 0; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(hub_->open_streams(), 1u);
    const auto t0 = std::chrono::steady_clock::now();
    hub_->Shutdown();
    v1::InboxEvent e;
    while (reader->Read(&e)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
    server_->Shutdown(std::chrono::system_clock::now() + 10s);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
    server_.reset();
}

}  // namespace
}  // namespace switchboard::routing
