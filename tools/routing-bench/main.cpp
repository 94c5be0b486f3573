// switchboard-routing-bench: throughput and latency of the routing service as deployed. Against
// running routing replicas (it does not start them) on one namespace: puts N operators online
// through gRPC, produces M HandoffRequested events to chat.events.v1 (as the assistant does), reads
// chat.events.v1 for ConversationOffered / OperatorAssigned and reports assignments per second and
// handoff → offer/assignment latency (send time → the moment this tool reads the event). Operators
// heartbeat while it runs, resolve conversations to free capacity when needed, and go offline at
// the end. Bounded (M handoffs, --timeout-s) and meant for a local or staging stack.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "switchboard/channel/secrets.hpp"
#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/core/ids.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/kafka/admin.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "switchboard/kafka/producer.hpp"
#include "switchboard/routing/v1/routing.grpc.pb.h"

namespace {

namespace chat = switchboard::chat::v1;
namespace rv1 = switchboard::routing::v1;
using Steady = std::chrono::steady_clock;

double Percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

std::vector<std::string> Split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string item; std::getline(in, item, ',');) {
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

// "<op>.<expiry>.<hex HMAC-SHA256(secret, op + "." + expiry)>", as `routing token` mints them.
std::string MintToken(const std::string& secret, const std::string& op, std::chrono::seconds ttl) {
    const auto expiry = std::chrono::duration_cast<std::chrono::seconds>(
                            (std::chrono::system_clock::now() + ttl).time_since_epoch())
                            .count();
    const std::string payload = op + "." + std::to_string(expiry);
    return payload + "." + switchboard::channel::HmacSha256Hex(secret, payload);
}

// A few threads running gRPC calls queued from the Kafka consumer thread (which must not block).
class CallPool {
public:
    explicit CallPool(int threads) {
        for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
    }
    ~CallPool() { Stop(); }
    void Post(std::function<void()> call) {
        {
            std::lock_guard lock(mu_);
            calls_.push_back(std::move(call));
        }
        cv_.notify_one();
    }
    void Stop() {
        {
            std::lock_guard lock(mu_);
            if (stopping_) return;
            stopping_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_) t.join();
    }

private:
    void Run() {
        for (;;) {
            std::function<void()> call;
            {
                std::unique_lock lock(mu_);
                cv_.wait(lock, [&] { return stopping_ || !calls_.empty(); });
                if (calls_.empty()) return;  // stopping and drained
                call = std::move(calls_.front());
                calls_.pop_front();
            }
            call();
        }
    }
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> calls_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app(
        "Routing service benchmark: N operators online over gRPC, M HandoffRequested events to "
        "chat.events.v1, "
        "assignments/s and handoff -> offer/assignment latency read back from chat.events.v1. Needs running "
        "routing replicas on --namespace and the operator token secret in SWITCHBOARD_ROUTING_TOKEN_SECRET.",
        "switchboard-routing-bench");
    std::string grpc_addresses = "127.0.0.1:9082";
    std::string brokers = "127.0.0.1:19092";
    std::string ns;
    int operators = 20;
    int capacity = 100;
    int handoffs = 2000;
    double rate = 0;
    int timeout_s = 60;
    int partitions = 6;
    int call_threads = 8;
    int timeline_ms = 0;
    bool manual = false;
    std::string resolve = "auto";
    std::string secret_env = "SWITCHBOARD_ROUTING_TOKEN_SECRET";
    app.add_option("--grpc", grpc_addresses,
                   "routing replicas' gRPC addresses, comma-separated (calls rotate)")
        ->capture_default_str();
    app.add_option("--brokers", brokers, "Kafka bootstrap servers")->capture_default_str();
    app.add_option("--namespace", ns,
                   "the deployment's namespace (topics and Redis keys); the replicas must use it")
        ->required();
    app.add_option("--operators", operators, "operators put online")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    app.add_option("--capacity", capacity, "each operator's capacity")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    app.add_option("--handoffs", handoffs, "HandoffRequested events to produce")
        ->check(CLI::Range(1, 10000000))
        ->capture_default_str();
    app.add_option("--rate", rate, "handoffs per second; 0 = as fast as possible")->capture_default_str();
    app.add_option("--timeout-s", timeout_s, "give up waiting for assignments after this long")
        ->capture_default_str();
    app.add_option("--partitions", partitions,
                   "partitions for topics this creates if missing (existing ones are kept)")
        ->capture_default_str();
    app.add_option("--call-threads", call_threads, "threads making Resolve/Accept calls")
        ->capture_default_str();
    app.add_option("--timeline-ms", timeline_ms,
                   "also print handoff -> first offer/assignment per window of this many ms of send time "
                   "(0 = off), to see when stalls happen")
        ->capture_default_str();
    app.add_flag("--manual", manual, "operators do not auto-accept: the tool accepts each offer over gRPC");
    app.add_option(
           "--resolve", resolve,
           "resolve assigned conversations to free capacity: auto (only if handoffs exceed operators x "
           "capacity), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
    app.add_option("--secret-env", secret_env, "environment variable holding the operator token secret")
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    auto secret = switchboard::channel::ReadSecret(secret_env);
    if (!secret) {
        std::cerr << "cannot read the token secret from " << secret_env << ": " << secret.error().message
                  << "\n";
        return 2;
    }
    const bool resolving = resolve == "always" || (resolve == "auto" && static_cast<long long>(handoffs) >
                                                                            1LL * operators * capacity);
    const switchboard::events::Naming naming(ns);
    if (auto s = switchboard::kafka::EnsureTopics(brokers, naming.AllTopics(partitions)); !s.ok()) {
        std::cerr << "cannot create topics: " << s.error().message << "\n";
        return 2;
    }

    // ---- gRPC ----
    std::vector<std::unique_ptr<rv1::RoutingService::Stub>> stubs;
    for (const auto& addr : Split(grpc_addresses)) {
        stubs.push_back(
            rv1::RoutingService::NewStub(grpc::CreateChannel(addr, grpc::InsecureChannelCredentials())));
    }
    if (stubs.empty()) {
        std::cerr << "--grpc: no address\n";
        return 2;
    }
    std::atomic<std::size_t> next_stub{0};
    auto stub = [&]() -> rv1::RoutingService::Stub& { return *stubs[next_stub++ % stubs.size()]; };
    const std::string run = "rb-" + switchboard::NewUuid().substr(0, 8);
    std::vector<std::string> op_ids, tokens;
    for (int i = 0; i < operators; ++i) {
        op_ids.push_back(run + "-op" + std::to_string(i));
        tokens.push_back(MintToken(*secret, op_ids.back(), std::chrono::hours(2)));
    }
    auto context = [&](std::size_t op, grpc::ClientContext& ctx) {
        ctx.AddMetadata("authorization", "Bearer " + tokens[op]);
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    };
    auto set_status = [&](std::size_t i, rv1::OperatorStatus status) {
        grpc::ClientContext ctx;
        context(i, ctx);
        rv1::SetStatusRequest req;
        req.set_operator_id(op_ids[i]);
        req.set_display_name("Bench " + std::to_string(i));
        req.set_status(status);
        req.set_capacity(capacity);
        req.set_auto_accept(!manual);
        rv1::SetStatusResponse resp;
        return stub().SetStatus(&ctx, req, &resp);
    };
    for (std::size_t i = 0; i < op_ids.size(); ++i) {
        if (auto s = set_status(i, rv1::OPERATOR_STATUS_ONLINE); !s.ok()) {
            std::cerr << "SetStatus(ONLINE) for " << op_ids[i] << " failed: " << s.error_message() << "\n";
            return 1;
        }
    }
    std::atomic<bool> running{true};
    std::thread heartbeats([&] {
        while (running) {
            for (std::size_t i = 0; i < op_ids.size() && running; ++i) {
                grpc::ClientContext ctx;
                context(i, ctx);
                rv1::HeartbeatRequest req;
                req.set_operator_id(op_ids[i]);
                rv1::HeartbeatResponse resp;
                (void)stub().Heartbeat(&ctx, req, &resp);
            }
            for (int t = 0; t < 50 && running; ++t)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });

    // ---- what comes back ----
    std::vector<std::atomic<std::int64_t>> sent_ns(static_cast<std::size_t>(handoffs));
    std::vector<std::atomic<bool>> first_seen(static_cast<std::size_t>(handoffs));
    std::vector<std::atomic<bool>> assigned_seen(static_cast<std::size_t>(handoffs));
    std::mutex mu;
    std::condition_variable done_cv;
    std::vector<double> to_first_ms, to_assigned_ms;
    std::vector<std::size_t> first_index;  // handoff of each to_first_ms entry
    std::atomic<int> assigned{0}, offered{0}, resolved{0}, call_failures{0};
    std::atomic<bool> marker_seen{false};
    std::atomic<std::int64_t> last_assigned_ns{0};
    std::unordered_map<std::string, std::size_t> op_index;
    for (std::size_t i = 0; i < op_ids.size(); ++i) op_index[op_ids[i]] = i;
    CallPool calls(call_threads);
    const std::string conv_prefix = run + "-c";
    const std::string marker_key = run + "-marker";

    auto on_record = [&](const switchboard::kafka::Record& r) -> switchboard::Status {
        if (r.key == marker_key) {
            marker_seen = true;
            return switchboard::Status::Ok();
        }
        if (r.key.rfind(conv_prefix, 0) != 0) return switchboard::Status::Ok();
        chat::ConversationEvent ev;
        if (!ev.ParseFromString(r.value)) return switchboard::Status::Ok();
        const bool is_assigned = ev.kind_case() == chat::ConversationEvent::kOperatorAssigned;
        const bool is_offered = ev.kind_case() == chat::ConversationEvent::kConversationOffered;
        if (!is_assigned && !is_offered) return switchboard::Status::Ok();
        const std::size_t n = std::strtoul(r.key.c_str() + conv_prefix.size(), nullptr, 10);
        if (n >= sent_ns.size()) return switchboard::Status::Ok();
        const std::int64_t now = Steady::now().time_since_epoch().count();
        const double ms = static_cast<double>(now - sent_ns[n].load()) / 1e6;
        const std::string& op =
            is_assigned ? ev.operator_assigned().operator_id() : ev.conversation_offered().operator_id();
        const auto oi = op_index.find(op);
        if (!first_seen[n].exchange(true)) {
            std::lock_guard lock(mu);
            to_first_ms.push_back(ms);
            first_index.push_back(n);
        }
        if (is_offered) {
            ++offered;
            if (manual && oi != op_index.end()) {
                calls.Post([&, n, i = oi->second] {
                    grpc::ClientContext ctx;
                    context(i, ctx);
                    rv1::AcceptRequest req;
                    req.set_operator_id(op_ids[i]);
                    req.set_conversation_id(conv_prefix + std::to_string(n));
                    rv1::AcceptResponse resp;
                    if (!stub().Accept(&ctx, req, &resp).ok()) ++call_failures;
                });
            }
            return switchboard::Status::Ok();
        }
        if (assigned_seen[n].exchange(true)) return switchboard::Status::Ok();  // duplicate (redelivery)
        {
            std::lock_guard lock(mu);
            to_assigned_ms.push_back(ms);
        }
        last_assigned_ns = now;
        if (++assigned >= handoffs) done_cv.notify_all();
        if (resolving && oi != op_index.end()) {
            calls.Post([&, n, i = oi->second] {
                grpc::ClientContext ctx;
                context(i, ctx);
                rv1::ResolveRequest req;
                req.set_operator_id(op_ids[i]);
                req.set_conversation_id(conv_prefix + std::to_string(n));
                rv1::ResolveResponse resp;
                if (stub().Resolve(&ctx, req, &resp).ok()) {
                    ++resolved;
                } else {
                    ++call_failures;
                }
            });
        }
        return switchboard::Status::Ok();
    };
    auto consumer = switchboard::kafka::MakeConsumer(
        {brokers, "routing-bench-" + run, "routing-bench", {naming.Events()}, "latest", {}}, on_record);
    consumer->Start();

    auto producer = switchboard::kafka::MakeProducer({brokers, "routing-bench", {}});
    // Wait until the consumer reads the topic ("latest" starts only once partitions are assigned).
    {
        chat::ConversationEvent marker;
        switchboard::events::FillEnvelope(marker.mutable_envelope(), switchboard::NewUuid(), marker_key,
                                          switchboard::common::v1::CHANNEL_WEB, "routing-bench", "",
                                          std::chrono::system_clock::now());
        const auto give_up = Steady::now() + std::chrono::seconds(30);
        while (!marker_seen && Steady::now() < give_up) {
            (void)producer->ProduceSync(naming.Events(), marker_key, marker.SerializeAsString());
            for (int i = 0; i < 10 && !marker_seen; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (!marker_seen) {
            std::cerr << "the consumer never saw its own marker on " << naming.Events() << "\n";
            return 1;
        }
    }

    std::cout << "run " << run << ": " << operators << " operators x capacity " << capacity
              << (manual ? " (manual accept)" : " (auto-accept)") << ", " << handoffs << " handoffs"
              << (rate > 0 ? " at " + std::to_string(static_cast<int>(rate)) + "/s" : " as fast as possible")
              << ", resolve " << (resolving ? "on" : "off") << ", " << stubs.size()
              << " gRPC target(s), topic " << naming.Events() << std::endl;

    // ---- load ----
    std::atomic<int> produce_failures{0};
    const auto started = Steady::now();
    for (int i = 0; i < handoffs; ++i) {
        if (rate > 0) {
            const auto due = started + std::chrono::duration_cast<Steady::duration>(
                                           std::chrono::duration<double>(i / rate));
            std::this_thread::sleep_until(due);
        }
        const std::string conv = conv_prefix + std::to_string(i);
        chat::ConversationEvent ev;
        switchboard::events::FillEnvelope(ev.mutable_envelope(), switchboard::NewUuid(), conv,
                                          switchboard::common::v1::CHANNEL_WEB, "routing-bench", "",
                                          std::chrono::system_clock::now());
        auto* h = ev.mutable_handoff_requested();
        h->set_reason(chat::HANDOFF_REASON_CUSTOMER_REQUEST);
        h->set_language("en");
        h->set_text("I want to talk to a human");
        sent_ns[static_cast<std::size_t>(i)] = Steady::now().time_since_epoch().count();
        producer->Produce(naming.Events(), conv, ev.SerializeAsString(), [&](switchboard::Status s) {
            if (!s.ok()) ++produce_failures;
        });
    }
    (void)producer->Flush(std::chrono::seconds(30));
    const double send_s = std::chrono::duration<double>(Steady::now() - started).count();

    {
        std::unique_lock lock(mu);
        done_cv.wait_until(lock, Steady::now() + std::chrono::seconds(timeout_s),
                           [&] { return assigned >= handoffs; });
    }
    const double total_s =
        assigned > 0 ? static_cast<double>(last_assigned_ns - started.time_since_epoch().count()) / 1e9 : 0;

    // ---- report ----
    std::vector<double> first, full;
    std::vector<std::size_t> first_of;
    {
        std::lock_guard lock(mu);
        first = to_first_ms;
        first_of = first_index;
        full = to_assigned_ms;
    }
    auto line = [](const char* what, const std::vector<double>& v) {
        std::cout << std::fixed << std::setprecision(1) << what << " (" << v.size() << "): p50 "
                  << Percentile(v, 50) << " ms, p90 " << Percentile(v, 90) << " ms, p99 " << Percentile(v, 99)
                  << " ms, max " << (v.empty() ? 0 : *std::max_element(v.begin(), v.end())) << " ms\n";
    };
    std::cout << std::fixed << std::setprecision(1) << "sent " << handoffs << " handoffs in " << send_s
              << " s (" << handoffs / std::max(send_s, 1e-9) << "/s), " << produce_failures
              << " produce failures\n"
              << "assigned " << assigned << "/" << handoffs << " (offered " << offered << ") in " << total_s
              << " s: " << (total_s > 0 ? assigned / total_s : 0) << " assignments/s\n";
    line("handoff -> first offer/assignment", first);
    if (manual) line("handoff -> assignment (after Accept)", full);
    if (timeline_ms > 0) {
        // Windows by send time: a stall shows as a window whose max is far above its p50.
        const std::int64_t t0 = started.time_since_epoch().count();
        std::vector<std::vector<double>> windows;
        for (std::size_t k = 0; k < first.size(); ++k) {
            const auto w = static_cast<std::size_t>((sent_ns[first_of[k]].load() - t0) / 1000000 / timeline_ms);
            if (w >= windows.size()) windows.resize(w + 1);
            windows[w].push_back(first[k]);
        }
        for (std::size_t w = 0; w < windows.size(); ++w) {
            const auto& v = windows[w];
            std::cout << std::fixed << std::setprecision(1) << "  sent +" << std::setw(6)
                      << static_cast<double>(w) * timeline_ms / 1000.0 << " s: " << std::setw(5) << v.size()
                      << " p50 " << std::setw(6) << Percentile(v, 50) << " p99 " << std::setw(6) << Percentile(v, 99)
                      << " max " << std::setw(6) << (v.empty() ? 0 : *std::max_element(v.begin(), v.end()))
                      << " ms\n";
        }
    }

    // ---- clean up: let resolutions finish, operators offline ----
    running = false;
    heartbeats.join();
    calls.Stop();
    if (resolving) std::cout << "resolved " << resolved << ", ";
    std::cout << call_failures << " failed Accept/Resolve calls\n";
    for (std::size_t i = 0; i < op_ids.size(); ++i) (void)set_status(i, rv1::OPERATOR_STATUS_OFFLINE);
    consumer->Stop();
    return assigned >= handoffs ? 0 : 1;
}
