// Composition root of the assistant: builds the object graph, runs until SIGTERM, then stops
// everything in reverse order.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string_view>

#include "ask_service.hpp"
#include "encoder_embedder.hpp"
#include "eval.hpp"
#include "assistant_probe.hpp"
#include "inbound_handler.hpp"
#include "kb_admin_service.hpp"
#include "kb_sync.hpp"
#include "responder.hpp"
#include "suggestion_store.hpp"
#include "switchboard/conversation/store.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/kafka/topic_reader.hpp"
#include "switchboard/kb/article.hpp"
#include "switchboard/runtime/bootstrap.hpp"
#include "switchboard/runtime/grpc_metrics.hpp"
#include "switchboard/runtime/service_runtime.hpp"

using namespace switchboard;

int main(int argc, char** argv) {
    // `assistant eval …`: offline quality evaluation, no Kafka or Redis (see src/eval.hpp).
    if (argc >= 2 && std::string_view(argv[1]) == "eval") return assistant::RunEval(argc - 1, argv + 1);
    // `assistant gaps …`: "what to add next", asked of a running assistant over gRPC.
    if (argc >= 2 && std::string_view(argv[1]) == "gaps") return assistant::RunGaps(argc - 1, argv + 1);
    runtime::BlockTerminationSignals();
    config::Schema schema;
    runtime::AddCommonKeys(schema, 8081);
    schema
        .String("kb.path", "",
                "seed knowledge base, JSON Lines (one article per line): published to kb.articles.v1 if "
                "that topic has never held a record, after which the topic is the knowledge base; "
                "empty = the topic only")
        .Int("kb.debounce-ms", 200, "rebuild the index at most this often while kb.articles.v1 keeps changing",
             0, 60000)
        .Int("kb.admin-apply-timeout-ms", 3000,
             "how long a KnowledgeBaseAdmin write waits to read its own change back before returning", 0,
             60000)
        .String("grpc.listen", "127.0.0.1:9081",
                "address of the gRPC AssistantService and KnowledgeBaseAdmin (with reflection)")
        .Double("assistant.threshold", 0.5, "minimum score (0..1) to answer; below it the customer is handed off")
        .String("assistant.language-thresholds", "",
                "per-language thresholds overriding assistant.threshold, e.g. 'ru=0.45,en=0.5' (as "
                "'assistant eval --tune-on' prints them in language_thresholds)")
        .Double("assistant.margin", 0.0,
                "minimum lead (0..1) of the best article's score over the second best's to answer (as "
                "'assistant eval --tune-on' prints it in margin); closer calls are handed off")
        .String("assistant.encoders", "off",
                "sentence encoders: 'off' (lexical retrieval and classifier only) or a comma-separated list "
                "of 'minilm' (all-MiniLM-L6-v2, English), 'bge' (bge-small-en-v1.5, English) and 'use' "
                "(Universal Sentence Encoder multilingual v3), each optionally name=DIR; the models come from "
                "tools/stack install")
        .Double("assistant.semantic-weight", kb::Index::Semantic{}.weight,
                "weight of each encoder's similarity against the lexical spaces' (1.0 in all)")
        .Double("assistant.classifier-weight", kb::Index::Options{}.classifier_weight,
                "share of the score from the classifier trained on the articles' question variants "
                "(0 = retrieval only)")
        .Int("kafka.consumers", 1, "consumer threads for chat.inbound.v1", 1, 64)
        .Int("conversation.reopen-window-ms", 86400000,
             "a resolved conversation that gets a customer message within this time is reopened (not a new "
             "conversation, and not a durable resolution)",
             0, 30LL * 86400000);
    const auto cfg = runtime::Bootstrap(argc, argv, "assistant",
                                        "Switchboard assistant: answers customers from the knowledge base or "
                                        "hands them to an operator; gRPC Ask for operators, "
                                        "KnowledgeBaseAdmin for curators.\n"
                                        "Also: 'assistant eval --help' (quality on labelled cases, offline) and "
                                        "'assistant gaps --help' (what to add to the knowledge base next).",
                                        schema);
    const auto common = runtime::ReadCommon(cfg);

    // The seed is validated like an admin write: it is published as if it were one.
    std::vector<kb::Article> seed;
    if (const std::string& path = cfg.GetString("kb.path"); !path.empty()) {
        auto articles = kb::LoadJsonlFile(path);
        if (!articles) {
            spdlog::critical("cannot load the knowledge base: {}", articles.error().message);
            return 2;
        }
        for (const kb::Article& a : *articles) {
            if (Status s = kb::ValidateArticle(a); !s.ok()) {
                spdlog::critical("cannot load the knowledge base: {}: article {}: {}", path, a.id.str(),
                                 s.error().message);
                return 2;
            }
        }
        seed = std::move(articles).value();
        spdlog::info("seed knowledge base: {} articles from {}", seed.size(), path);
    }
    for (const char* key : {"assistant.threshold", "assistant.margin"}) {
        if (const double v = cfg.GetDouble(key); v < 0 || v > 1) {
            spdlog::critical("config key '{}' must be between 0 and 1", key);
            return 2;
        }
    }
    kb::Index::Options index_options;
    index_options.classifier_weight = cfg.GetDouble("assistant.classifier-weight");
    if (index_options.classifier_weight < 0 || index_options.classifier_weight > 1) {
        spdlog::critical("config key 'assistant.classifier-weight' must be between 0 and 1");
        return 2;
    }
    // Rebuilds after a knowledge-base change only embed the new question variants (cache).
    auto encoders = assistant::LoadEncoders(cfg.GetString("assistant.encoders"),
                                            cfg.GetDouble("assistant.semantic-weight"), /*cache=*/true);
    if (!encoders) {
        spdlog::critical("cannot load the sentence encoders: {}", encoders.error().message);
        return 2;
    }
    spdlog::info("retrieval: sentence encoders {}, classifier weight {}", encoders->names,
                 index_options.classifier_weight);
    // Empty until KbSync has read kb.articles.v1; the inbound consumers only start after that.
    kb::LiveIndex index(std::make_shared<const kb::Index>(std::vector<kb::Article>{}));
    assistant::Responder::Options responder_options;
    responder_options.threshold = cfg.GetDouble("assistant.threshold");
    responder_options.margin = cfg.GetDouble("assistant.margin");
    if (auto parsed = assistant::ParseLanguageThresholds(cfg.GetString("assistant.language-thresholds")); parsed) {
        responder_options.language_thresholds = std::move(parsed).value();
    } else {
        spdlog::critical("config key 'assistant.language-thresholds': {}", parsed.error().message);
        return 2;
    }
    const assistant::Responder responder(index, responder_options);

    const events::Naming naming(common.ns);
    const SystemClock clock;
    runtime::ServiceRuntime rt("assistant", common.http);
    assistant::AssistantProbe probe(rt.registry());

    auto redis = redis::MakeClient(common.redis, &rt.registry());
    conversation::Store::Options store_options;
    store_options.reopen_window = std::chrono::milliseconds(cfg.GetInt("conversation.reopen-window-ms"));
    conversation::Store store(*redis, naming.RedisPrefix(), store_options);
    auto producer = runtime::OrExit("create the Kafka producer", [&] {
        return kafka::MakeProducer({common.kafka_brokers, "assistant", {}}, &rt.registry());
    });
    assistant::ConversationMemory memory(*redis, naming.RedisPrefix());
    assistant::GapLog gaps(*redis, naming.RedisPrefix());
    assistant::InboundHandler handler(responder, store, memory, gaps, *producer, naming, clock, probe);

    std::vector<std::unique_ptr<kafka::Consumer>> consumers;
    for (int i = 0; i < cfg.GetInt("kafka.consumers"); ++i) {
        consumers.push_back(kafka::MakeConsumer(
            {common.kafka_brokers, naming.Group("assistant"), "assistant", {naming.Inbound()}, "earliest", {}},
            [&handler](const kafka::Record& r) { return handler.Handle(r); }, &rt.registry()));
    }

    // The knowledge base lives on kb.articles.v1 (src/kb_sync.hpp): every replica reads all of it at
    // start and follows it; customer messages are consumed only once it is read.
    assistant::KbProbe kb_probe(rt.registry());
    assistant::KbCatalog catalog;
    assistant::KbPublisher publisher(*producer, naming.KbArticles());
    assistant::KbSync::Hooks kb_hooks;
    kb_hooks.build_index = [&index_options, &encoders](std::vector<kb::Article> articles) {
        return std::make_shared<const kb::Index>(std::move(articles), index_options, encoders->spaces);
    };
    // Training the classifier grows with variants × articles (about a second for the demo's 50
    // articles, half a minute for 5,000): a big knowledge base is first served by retrieval alone,
    // so a change is live within seconds, then by the full index.
    kb_hooks.build_quick_index = [&index_options, &encoders](
                                     const std::vector<kb::Article>& articles) -> std::shared_ptr<const kb::Index> {
        constexpr std::size_t kRetrievalFirstAbove = 500;
        if (index_options.classifier_weight == 0 || articles.size() <= kRetrievalFirstAbove) return nullptr;
        kb::Index::Options retrieval_only = index_options;
        retrieval_only.classifier_weight = 0;
        return std::make_shared<const kb::Index>(articles, retrieval_only, encoders->spaces);
    };
    kb_hooks.on_synced = [&consumers] {
        for (auto& c : consumers) c->Start();
    };
    const assistant::KbSync::Options kb_sync_options{std::chrono::milliseconds(cfg.GetInt("kb.debounce-ms")),
                                                     std::chrono::seconds(1)};
    assistant::KbSync kb_sync(catalog, index, publisher, std::move(seed), kb_sync_options, &kb_probe,
                              std::move(kb_hooks));
    auto kb_reader = runtime::OrExit("create the Kafka reader of " + naming.KbArticles(), [&] {
        return kafka::MakeTopicReader(
            {common.kafka_brokers, "assistant-kb", naming.KbArticles(), {}},
            {[&kb_sync](const kafka::Record& r) { return kb_sync.OnRecord(r); },
             [&kb_sync](const std::vector<std::int64_t>& ends) { kb_sync.OnCaughtUp(ends); }},
            &rt.registry());
    });
    // Operators' suggestions wait for a review in Redis; an approval publishes like UpsertArticle.
    assistant::SuggestionStore suggestions(*redis, naming.RedisPrefix());
    assistant::KbAdminService kb_admin(catalog, publisher, kb_probe,
                                       {std::chrono::milliseconds(cfg.GetInt("kb.admin-apply-timeout-ms"))},
                                       &suggestions);

    // Handed-off questions come in every language and are many: multilingual encoders, uncached.
    std::vector<kb::Index::Semantic> multilingual;
    for (const auto& space : encoders->uncached) {
        if (space.languages.empty()) multilingual.push_back(space);
    }
    assistant::AskService ask(index, responder, gaps, probe, multilingual);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    runtime::InstrumentGrpc(builder, rt.registry());
    int grpc_port = 0;
    builder.AddListeningPort(cfg.GetString("grpc.listen"), grpc::InsecureServerCredentials(), &grpc_port);
    builder.RegisterService(&ask);
    builder.RegisterService(&kb_admin);
    auto rpc_server = builder.BuildAndStart();
    if (!rpc_server || grpc_port == 0) {
        spdlog::critical("cannot listen for gRPC on {}", cfg.GetString("grpc.listen"));
        return 2;
    }

    rt.AddReadinessCheck("redis", [&redis] { return redis->Healthy(); });
    rt.AddReadinessCheck("kafka_producer", [&producer] { return producer->Healthy(); });
    rt.AddReadinessCheck("kb_synced", [&kb_sync] { return kb_sync.Synced(); });
    rt.AddReadinessCheck("kafka_consumer", [&consumers] {
        for (const auto& c : consumers) {
            if (!c->Healthy()) return false;
        }
        return true;
    });
    runtime::OrExit("start the HTTP server", [&] { rt.Start(); });
    kb_sync.Start();
    kb_reader->Start();  // the consumers start once the knowledge base is synced (kb_hooks)
    spdlog::info("assistant started: http port {}, gRPC port {}; reading {}, then consuming {}", rt.port(),
                 grpc_port, naming.KbArticles(), naming.Inbound());

    const int sig = runtime::WaitForTerminationSignal();
    spdlog::info("signal {} received: draining", sig);
    kb_sync.Stop();  // first: it may still be about to start the consumers
    for (auto& c : consumers) c->Stop();  // finishes the record in hand, commits offsets
    rpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(common.drain_ms));
    kb_reader->Stop();
    (void)producer->Flush(std::chrono::milliseconds(common.drain_ms));
    rt.Stop();
    spdlog::info("assistant stopped");
    return 0;
}
