#include "kb_catalog.hpp"

#include <utility>

namespace switchboard::assistant {

kb::v1::Article ToProto(const kb::Article& article) {
    kb::v1::Article out;
    out.set_id(article.id.str());
    for (const auto& q : article.questions) out.add_questions(q);
    out.set_answer(article.answer);
    out.set_lang(article.lang);
    for (const auto& t : article.tags) out.add_tags(t);
    out.set_enabled(article.enabled);
    out.set_version(article.version);
    for (const auto& l : article.links) {
        auto* link = out.add_links();
        link->set_title(l.title);
        link->set_url(l.url);
    }
    for (const auto& c : article.channels) out.add_channels(c);
    return out;
}

kb::Article FromProto(const kb::v1::Article& article) {
    kb::Article out;
    out.id = ArticleId(article.id());
    out.questions.assign(article.questions().begin(), article.questions().end());
    out.answer = article.answer();
    out.lang = article.lang();
    out.tags.assign(article.tags().begin(), article.tags().end());
    out.enabled = article.enabled();
    out.version = article.version();
    for (const auto& l : article.links()) out.links.push_back({l.title(), l.url()});
    out.channels.assign(article.channels().begin(), article.channels().end());
    return out;
}

Result<bool> KbCatalog::Apply(const kafka::Record& record) {
    if (record.key.empty()) return Error::Fatal("kb.articles record without a key");
    if (record.value_is_null) {
        std::lock_guard lock(mu_);
        const bool erased = articles_.erase(record.key) > 0;
        if (erased) changed_.notify_all();
        return erased;
    }
    // Writers never produce an empty value (an Article always has an id), so an empty one is
    // not a delete but garbage.
    kb::v1::Article wire;
    if (record.value.empty() || !wire.ParseFromString(record.value)) {
        return Error::Fatal("undecodable Article for key " + record.key);
    }
    if (wire.id() != record.key) {
        return Error::Fatal("Article id \"" + wire.id() + "\" differs from its record key \"" + record.key +
                            "\"");
    }
    // Deliberately lenient beyond this: the topic is the source of truth, and a record the
    // index can use is kept even if a stricter writer would have refused it.
    if (wire.questions().empty() || wire.answer().empty()) {
        return Error::Fatal("Article " + record.key + " has no question or no answer");
    }
    kb::Article article = FromProto(wire);
    std::lock_guard lock(mu_);
    auto [it, inserted] = articles_.try_emplace(record.key, article);
    if (!inserted) {
        if (it->second == article) return false;
        it->second = std::move(article);
    }
    changed_.notify_all();
    return true;
}

std::optional<kb::Article> KbCatalog::Find(const std::string& id) const {
    std::lock_guard lock(mu_);
    const auto it = articles_.find(id);
    if (it == articles_.end()) return std::nullopt;
    return it->second;
}

KbCatalog::Articles KbCatalog::Snapshot() const {
    std::lock_guard lock(mu_);
    return articles_;
}

std::size_t KbCatalog::size() const {
    std::lock_guard lock(mu_);
    return articles_.size();
}

bool KbCatalog::WaitUntil(const std::function<bool(const Articles&)>& condition,
                          std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return condition(articles_); });
}

void KbCatalog::MarkSynced() {
    std::lock_guard lock(mu_);
    synced_ = true;
}

bool KbCatalog::synced() const {
    std::lock_guard lock(mu_);
    return synced_;
}

}  // namespace switchboard::assistant
