#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace switchboard::kb {

// Turns a text into a unit-length vector whose dot product with another measures how close their
// meanings are (a sentence encoder). Implementations must be thread-safe.
class Embedder {
public:
    virtual ~Embedder() = default;
    virtual std::vector<float> Embed(std::string_view text) const = 0;
    virtual std::size_t dim() const = 0;
};

}  // namespace switchboard::kb
