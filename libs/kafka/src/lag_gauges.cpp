#include "lag_gauges.hpp"

#include <nlohmann/json.hpp>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace switchboard::kafka {

LagGauges::LagGauges(prometheus::Registry* registry, std::string group) : group_(std::move(group)) {
    if (registry != nullptr) {
        family_ = &prometheus::BuildGauge()
                       .Name("switchboard_kafka_consumer_lag")
                       .Help("Records between the consumer group's position and the partition's end (high "
                             "watermark), per assigned partition, from librdkafka statistics")
                       .Register(*registry);
    }
}

bool LagGauges::Update(std::string_view stats_json) {
    const auto doc = nlohmann::json::parse(stats_json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return false;
    const auto topics = doc.find("topics");
    if (topics == doc.end() || !topics->is_object()) return true;
    std::lock_guard lock(mu_);
    // Partitions not reported now (revoked in a rebalance) or with an unknown lag are dropped, so
    // a former owner does not keep reporting its last lag.
    std::map<std::pair<std::string, std::string>, prometheus::Gauge*> current;
    for (const auto& [topic, t] : topics->items()) {
        const auto partitions = t.find("partitions");
        if (partitions == t.end() || !partitions->is_object()) continue;
        for (const auto& [partition, p] : partitions->items()) {
            if (partition == "-1" || !p.is_object()) continue;  // librdkafka's internal UA partition
            const auto lag = p.find("consumer_lag");
            if (lag == p.end() || !lag->is_number_integer() || lag->get<long long>() < 0) continue;
            if (family_ == nullptr) continue;
            const std::pair<std::string, std::string> key{topic, partition};
            auto it = gauges_.find(key);
            prometheus::Gauge* gauge = it != gauges_.end() ? it->second
                                                           : &family_->Add({{"group", group_},
                                                                            {"topic", topic},
                                                                            {"partition", partition}});
            gauge->Set(static_cast<double>(lag->get<long long>()));
            current.emplace(key, gauge);
        }
    }
    for (const auto& [key, gauge] : gauges_) {
        if (current.count(key) == 0) family_->Remove(gauge);
    }
    gauges_ = std::move(current);
    return true;
}

}  // namespace switchboard::kafka
