#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace prometheus {
class Registry;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace switchboard::kafka {

// switchboard_kafka_consumer_lag{group, topic, partition}: records between a consumer group's
// position and the partition's high watermark, from librdkafka's statistics (every few seconds).
// Thread-safety: Update may run on librdkafka's threads; it is serialized.
class LagGauges {
public:
    LagGauges(prometheus::Registry* registry, std::string group);
    // Applies one statistics JSON document; malformed input is ignored (false).
    bool Update(std::string_view stats_json);

private:
    prometheus::Family<prometheus::Gauge>* family_ = nullptr;
    std::string group_;
    std::mutex mu_;
    std::map<std::pair<std::string, std::string>, prometheus::Gauge*> gauges_;
};

}  // namespace switchboard::kafka
