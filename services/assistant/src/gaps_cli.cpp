#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>

#include <iostream>

#include "eval.hpp"
#include "switchboard/assistant/v1/assistant.grpc.pb.h"

namespace switchboard::assistant {

int RunGaps(int argc, char** argv) {
    CLI::App app("What to add next: clusters of the questions the assistant handed off, largest first.",
                 "assistant gaps");
    std::string server = "127.0.0.1:9081";
    int limit = 20;
    std::string lang;
    app.add_option("--server", server, "the assistant's gRPC address")->capture_default_str();
    app.add_option("--limit", limit, "clusters to show")->check(CLI::Range(1, 200))->capture_default_str();
    app.add_option("--lang", lang, "only questions in this language (en, ru)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    auto stub = v1::AssistantService::NewStub(grpc::CreateChannel(server, grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::ListGapsRequest req;
    req.set_limit(limit);
    req.set_lang(lang);
    v1::ListGapsResponse resp;
    const auto status = stub->ListGaps(&ctx, req, &resp);
    if (!status.ok()) {
        std::cerr << "assistant gaps: " << server << ": " << status.error_message() << "\n";
        return 1;
    }
    std::cout << resp.questions() << " handed-off questions, " << resp.clusters_size() << " clusters shown\n";
    for (const auto& c : resp.clusters()) {
        std::cout << "\n" << c.count() << "×  " << c.representative() << "\n";
        for (int i = 1; i < c.examples_size(); ++i) std::cout << "      " << c.examples(i) << "\n";
    }
    return 0;
}

}  // namespace switchboard::assistant
