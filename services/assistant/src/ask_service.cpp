#include "ask_service.hpp"

namespace switchboard::assistant {

namespace {
constexpr std::size_t kMaxQueryBytes = 4096;
constexpr int kDefaultK = 5;
constexpr int kMaxK = 50;
}  // namespace

AskService::AskService(const kb::LiveIndex& index, const Responder& responder, AssistantProbe& probe)
    : index_(index), responder_(responder), probe_(probe) {}

grpc::Status AskService::Ask(grpc::ServerContext*, const v1::AskRequest* request, v1::AskResponse* response) {
    probe_.OnAsk();
    if (request->query().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "query must not be empty"};
    if (request->query().size() > kMaxQueryBytes) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "query longer than 4096 bytes"};
    }
    if (request->k() < 0 || request->k() > kMaxK) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "k must be between 0 (default 5) and 50"};
    }
    const int k = request->k() == 0 ? kDefaultK : request->k();
    const auto snapshot = index_.Get();
    const auto matches = snapshot->Search(request->query(), static_cast<std::size_t>(k), request->lang());
    for (const auto& m : matches) {
        auto* scored = response->add_articles();
        scored->set_score(m.score);
        auto* a = scored->mutable_article();
        a->set_id(m.article->id.str());
        for (const auto& q : m.article->questions) a->add_questions(q);
        a->set_answer(m.article->answer);
        a->set_lang(m.article->lang);
        for (const auto& t : m.article->tags) a->add_tags(t);
        a->set_enabled(m.article->enabled);
        a->set_version(m.article->version);
    }
    response->set_confident(!matches.empty() && matches.front().score >= responder_.options().threshold);
    return grpc::Status::OK;
}

}  // namespace switchboard::assistant
