#pragma once

#include <memory>
#include <string>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/kb/embedder.hpp"
#include "switchboard/kb/index.hpp"

namespace switchboard::assistant {

// The sentence encoders the knowledge base's index uses, loaded from a setting:
//   "off"                 lexical retrieval and classifier only;
//   "minilm,use" (etc.)   comma-separated encoders, each optionally "name=DIR" for its model
//                         directory (default: where tools/stack install puts it):
//     minilm  all-MiniLM-L6-v2 (English; its similarity is used for English queries only),
//     bge     bge-small-en-v1.5 (English likewise; twice MiniLM's layers, stronger on paraphrases),
//     use     Universal Sentence Encoder multilingual v3 (16 languages, Russian included).
// With `cache`, every encoder remembers the embeddings of the knowledge base's variants, so a
// rebuild after a small change only embeds what is new.
struct Encoders {
    std::vector<std::unique_ptr<kb::Embedder>> owned;
    std::vector<kb::Index::Semantic> spaces;  // point into `owned`
    // The same spaces on the encoders themselves, past any cache: for texts not worth keeping.
    std::vector<kb::Index::Semantic> uncached;
    std::string names;                        // "minilm,use", or "off"
    bool empty() const { return spaces.empty(); }
};

Result<Encoders> LoadEncoders(const std::string& setting, double retrieval_weight, bool cache);

}  // namespace switchboard::assistant
