#include "kb_probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace switchboard::assistant {

KbProbe::KbProbe(prometheus::Registry& registry)
    : articles_(prometheus::BuildGauge()
                    .Name("switchboard_kb_articles")
                    .Help("Articles in the knowledge-base index answering right now")
                    .Register(registry)
                    .Add({})),
      rebuilds_(prometheus::BuildCounter()
                    .Name("switchboard_kb_index_rebuilds_total")
                    .Help("Knowledge-base index rebuilds after changes on kb.articles.v1")
                    .Register(registry)
                    .Add({})),
      rebuild_seconds_(prometheus::BuildHistogram()
                           .Name("switchboard_kb_index_rebuild_seconds")
                           .Help("Time to build a knowledge-base index")
                           .Register(registry)
                           .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05, 0.1,
                                                                            0.25, 0.5, 1, 2.5, 5})),
      invalid_(
          prometheus::BuildCounter()
              .Name("switchboard_kb_invalid_records_total")
              .Help("kb.articles.v1 records that could not be used (undecodable, key and id differ), skipped")
              .Register(registry)
              .Add({})),
      admin_calls_(prometheus::BuildCounter()
                       .Name("switchboard_kb_admin_requests_total")
                       .Help("KnowledgeBaseAdmin calls by method and gRPC status code")
                       .Register(registry)) {}

void KbProbe::OnRebuild(double seconds, std::size_t articles) {
    rebuilds_.Increment();
    rebuild_seconds_.Observe(seconds);
    articles_.Set(static_cast<double>(articles));
}

void KbProbe::OnInvalidRecord() { invalid_.Increment(); }

void KbProbe::OnAdminCall(std::string_view method, std::string_view code) {
    // Admin calls are rare: the label lookup per call is fine.
    admin_calls_.Add({{"method", std::string(method)}, {"code", std::string(code)}}).Increment();
}

}  // namespace switchboard::assistant
