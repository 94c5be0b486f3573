// switchboard-admin: operational commands for a Switchboard deployment.
#include <CLI/CLI.hpp>

#include <iostream>

#include "switchboard/events/naming.hpp"
#include "switchboard/kafka/admin.hpp"

int main(int argc, char** argv) {
    CLI::App app("Switchboard administration", "switchboard-admin");
    app.require_subcommand(1);

    std::string brokers = "127.0.0.1:19092";
    std::string ns;
    int partitions = 6;
    auto* topics = app.add_subcommand("create-topics",
                                      "create every Switchboard topic that does not exist yet (idempotent)");
    topics->add_option("--brokers", brokers, "Kafka bootstrap servers")->capture_default_str();
    topics->add_option("--namespace", ns, "topic prefix (empty for the production names)");
    topics->add_option("--partitions", partitions, "partitions per topic")->check(CLI::Range(1, 1024))->capture_default_str();

    CLI11_PARSE(app, argc, argv);

    if (*topics) {
        const switchboard::events::Naming naming(ns);
        const auto specs = naming.AllTopics(partitions);
        if (auto s = switchboard::kafka::EnsureTopics(brokers, specs); !s.ok()) {
            std::cerr << "switchboard-admin: cannot create topics on " << brokers << ": " << s.error().message << "\n";
            return 1;
        }
        for (const auto& t : specs) std::cout << t.name << " (" << t.partitions << " partitions)\n";
    }
    return 0;
}
