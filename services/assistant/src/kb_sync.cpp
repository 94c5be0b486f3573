#include "kb_sync.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <numeric>
#include <utility>

namespace switchboard::assistant {

KbSync::KbSync(KbCatalog& catalog, kb::LiveIndex& index, KbPublisher& publisher,
               std::vector<kb::Article> seed, Options options, KbProbe* probe, Hooks hooks)
    : catalog_(catalog),
      index_(index),
      publisher_(publisher),
      seed_(std::move(seed)),
      options_(options),
      probe_(probe),
      hooks_(std::move(hooks)) {}

KbSync::~KbSync() { Stop(); }

Status KbSync::OnRecord(const kafka::Record& record) {
    auto changed = catalog_.Apply(record);
    if (!changed) {
        if (probe_ != nullptr) probe_->OnInvalidRecord();
        return changed.error();
    }
    {
        std::lock_guard lock(mu_);
        if (seeding_) read_while_seeding_.insert(record.key);
        seed_unread_.erase(record.key);
        dirty_ = dirty_ || *changed;
    }
    cv_.notify_all();
    return Status::Ok();
}

void KbSync::OnCaughtUp(const std::vector<std::int64_t>& end_offsets) {
    const std::int64_t records = std::accumulate(end_offsets.begin(), end_offsets.end(), std::int64_t{0});
    {
        std::lock_guard lock(mu_);
        caught_up_ = true;
        // Offsets only grow, even when compaction removes records: an end offset of 0 everywhere
        // means nobody ever wrote, not that everything was deleted (then the seed must not return).
        seeding_ = records == 0 && !seed_.empty();
    }
    cv_.notify_all();
}

void KbSync::Start() {
    std::lock_guard lock(lifecycle_mu_);
    if (started_) return;
    started_ = true;
    thread_ = std::thread([this] { Run(); });
}

void KbSync::Stop() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    std::lock_guard lock(lifecycle_mu_);
    if (thread_.joinable()) thread_.join();
}

void KbSync::Run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
        if (!caught_up_) {
            cv_.wait(lock, [this] { return stop_ || caught_up_; });
            continue;
        }
        if (seeding_) {
            if (!Seed(lock)) cv_.wait_for(lock, options_.seed_retry, [this] { return stop_; });
            continue;
        }
        if (!synced_.load()) {
            if (!seed_unread_.empty()) {
                cv_.wait(lock, [this] { return stop_ || seed_unread_.empty(); });
                continue;
            }
            dirty_ = false;
            lock.unlock();
            Rebuild(/*first=*/true);
            lock.lock();
            continue;
        }
        if (!dirty_) {
            cv_.wait(lock, [this] { return stop_ || dirty_; });
            continue;
        }
        const Clock::time_point due = last_rebuild_ + options_.debounce;
        if (Clock::now() < due) {
            cv_.wait_until(lock, due, [this] { return stop_; });
            continue;
        }
        dirty_ = false;
        lock.unlock();
        Rebuild(/*first=*/false);
        lock.lock();
    }
}

void KbSync::FirstSynced() {
    catalog_.MarkSynced();
    spdlog::info("knowledge base synced from {}: {} articles", publisher_.topic(), catalog_.size());
    if (catalog_.size() == 0) {
        spdlog::warn(
            "the knowledge base is empty: every question is handed to an operator until "
            "articles are added (KnowledgeBaseAdmin)");
    }
    if (hooks_.on_synced) {
        try {
            hooks_.on_synced();
        } catch (const std::exception& e) {
            spdlog::critical("after the knowledge base synced: {}", e.what());
        }
    }
    {
        std::lock_guard lock(mu_);
        synced_.store(true);
    }
    cv_.notify_all();
}

bool KbSync::Seed(std::unique_lock<std::mutex>& lock) {
    std::vector<ArticleChange> changes;
    for (kb::Article a : seed_) {
        a.version = std::max<std::int64_t>(a.version, 1);
        changes.push_back(ArticleChange::Upsert(std::move(a)));
    }
    lock.unlock();
    spdlog::info("{} has never held a record: publishing the {} seed articles", publisher_.topic(),
                 changes.size());
    const Status published = publisher_.Publish(changes);
    lock.lock();
    if (!published.ok()) {
        spdlog::error("cannot publish the seed knowledge base to {} (retrying): {}", publisher_.topic(),
                      published.error().message);
        return false;
    }
    seeding_ = false;
    // Some may have been read back already, while this thread waited for the delivery reports
    // (even deleted again by an admin of another replica).
    for (const ArticleChange& c : changes) {
        if (!read_while_seeding_.contains(c.id)) seed_unread_.insert(c.id);
    }
    read_while_seeding_.clear();
    return true;
}

void KbSync::Rebuild(bool first) {
    const auto started = Clock::now();
    KbCatalog::Articles snapshot = catalog_.Snapshot();
    std::vector<kb::Article> articles;
    articles.reserve(snapshot.size());
    for (auto& [id, article] : snapshot) articles.push_back(std::move(article));
    const std::size_t count = articles.size();
    if (hooks_.build_quick_index) {
        if (auto quick = hooks_.build_quick_index(articles)) {
            index_.Set(std::move(quick));
            spdlog::info("knowledge base of {} articles served by a quick index ({:.1f} s) while the full one builds",
                         count, std::chrono::duration<double>(Clock::now() - started).count());
            if (first) {
                FirstSynced();
                first = false;
            }
            cv_.notify_all();  // WaitIndexed sees the quick index
        }
    }
    index_.Set(hooks_.build_index ? hooks_.build_index(std::move(articles))
                                  : std::make_shared<const kb::Index>(std::move(articles)));
    if (first) FirstSynced();
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (probe_ != nullptr) probe_->OnRebuild(seconds, count);
    spdlog::debug("knowledge-base index rebuilt: {} articles in {:.1f} ms", count, seconds * 1000);
    {
        std::lock_guard lock(mu_);
        ++rebuilds_;
        last_rebuild_ = started;
    }
    cv_.notify_all();
}

bool KbSync::WaitIndexed(const std::function<bool(const kb::Index&)>& condition,
                         std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return synced_.load() && condition(*index_.Get()); });
}

std::uint64_t KbSync::rebuilds() const {
    std::lock_guard lock(mu_);
    return rebuilds_;
}

}  // namespace switchboard::assistant
