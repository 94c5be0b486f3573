#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kb_catalog.hpp"
#include "kb_probe.hpp"
#include "kb_publisher.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "switchboard/kb/live_index.hpp"

namespace switchboard::assistant {

// Keeps one replica's knowledge base in step with kb.articles.v1, the source of truth.
//
// A kafka::TopicReader hands every record of the topic, from the beginning, to OnRecord (which
// updates the KbCatalog) and says when it has caught up with the topic's end (OnCaughtUp).
// KbSync's own thread then:
//  1. seeds: if the topic has never held a record (every partition's end offset is 0) and there
//     is a seed (the kb.path file), publishes the seed articles and waits to read them back;
//     two replicas seeding at once write the same records, which is harmless;
//  2. builds the first kb::Index, swaps it into the LiveIndex, marks the catalog synced and calls
//     `hooks.on_synced` (once): from now on Synced() is true (/readyz "kb_synced");
//  3. rebuilds and swaps the index after every later change, at most once per `debounce` while
//     records keep arriving (the first change after a quiet period is applied at once).
// Each build may come in two steps: `hooks.build_quick_index` (when it returns an index) is swapped
// in first, and serves (and, the first time, counts as synced) while `hooks.build_index` runs: a
// big knowledge base is answered from within seconds of a change, not after a long training.
// Readers of the LiveIndex keep the snapshot they took, so a swap never tears a decision.
//
// Lifetime: Start() once; Stop() (also the destructor) ends KbSync's thread, on which the hooks
// run. The reader whose callbacks call this object must be stopped before it is
// destroyed. The catalog, index and publisher must outlive it.
// Thread-safety: OnRecord/OnCaughtUp from the reader thread; the rest from any thread.
class KbSync {
public:
    struct Options {
        std::chrono::milliseconds debounce{200};
        std::chrono::milliseconds seed_retry{1000};  // after a failed seed publish
    };

    struct Hooks {
        // Builds each index; empty = kb::Index(articles) with default options. Runs on KbSync's
        // thread, never concurrently with itself.
        std::function<std::shared_ptr<const kb::Index>(std::vector<kb::Article>)> build_index;
        // Optional: a faster, lesser index to serve while build_index runs; null = none this time
        // (e.g. a knowledge base small enough to build fully in a moment). Same thread.
        std::function<std::shared_ptr<const kb::Index>(const std::vector<kb::Article>&)> build_quick_index;
        // Called once, on KbSync's thread, right after the first index is swapped in.
        std::function<void()> on_synced;
    };

    KbSync(KbCatalog& catalog, kb::LiveIndex& index, KbPublisher& publisher, std::vector<kb::Article> seed,
           Options options, KbProbe* probe, Hooks hooks = {});
    ~KbSync();
    KbSync(const KbSync&) = delete;
    KbSync& operator=(const KbSync&) = delete;

    // TopicReader callbacks. OnRecord's Error means the record was skipped (the reader logs it).
    Status OnRecord(const kafka::Record& record);
    void OnCaughtUp(const std::vector<std::int64_t>& end_offsets);

    void Start();
    void Stop();

    bool Synced() const { return synced_.load(); }
    // Waits until the swapped-in index satisfies `condition` (checked after each rebuild).
    bool WaitIndexed(const std::function<bool(const kb::Index&)>& condition,
                     std::chrono::milliseconds timeout);
    std::uint64_t rebuilds() const;

private:
    using Clock = std::chrono::steady_clock;

    void Run();
    bool Seed(std::unique_lock<std::mutex>& lock);
    // Builds and swaps in the index (quick first, if any); `first`: the first sync, completed
    // (FirstSynced) as soon as an index serves.
    void Rebuild(bool first);
    void FirstSynced();

    KbCatalog& catalog_;
    kb::LiveIndex& index_;
    KbPublisher& publisher_;
    const std::vector<kb::Article> seed_;
    const Options options_;
    KbProbe* const probe_;
    const Hooks hooks_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    bool caught_up_ = false;
    bool seeding_ = false;                      // the topic was empty and the seed still has to be published
    std::set<std::string> seed_unread_;         // seed ids published but not read back yet
    std::set<std::string> read_while_seeding_;  // ids read between catching up and publishing the seed
    bool dirty_ = false;                        // the catalog changed since the last rebuild
    std::uint64_t rebuilds_ = 0;
    Clock::time_point last_rebuild_{};
    std::atomic<bool> synced_{false};

    std::mutex lifecycle_mu_;
    bool started_ = false;
    std::thread thread_;
};

}  // namespace switchboard::assistant
