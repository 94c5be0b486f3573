#pragma once

#include "assistant_probe.hpp"
#include "gap_log.hpp"
#include "responder.hpp"
#include "switchboard/assistant/v1/assistant.grpc.pb.h"

namespace switchboard::assistant {

// gRPC AssistantService: operators ask the knowledge base directly, and see what it lacks.
// Thread-safe.
class AskService final : public switchboard::assistant::v1::AssistantService::Service {
public:
    // `gap_encoders`: sentence encoders that group "what to add next" by meaning as well as words
    // (multilingual ones: the handed-off questions are in every language); empty = words only.
    AskService(const kb::LiveIndex& index, const Responder& responder, GapLog& gaps, AssistantProbe& probe,
               std::vector<kb::Index::Semantic> gap_encoders = {});

    grpc::Status Ask(grpc::ServerContext* context, const v1::AskRequest* request, v1::AskResponse* response) override;
    grpc::Status ListGaps(grpc::ServerContext* context, const v1::ListGapsRequest* request,
                          v1::ListGapsResponse* response) override;

private:
    const kb::LiveIndex& index_;
    const Responder& responder_;
    GapLog& gaps_;
    AssistantProbe& probe_;
    std::vector<kb::Index::Semantic> gap_encoders_;
};

}  // namespace switchboard::assistant
