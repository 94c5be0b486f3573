#include <openssl/evp.h>

#include <array>
#include <stdexcept>
#include <string>
#include <utility>

#include "switchboard/redis/client.hpp"

namespace switchboard::redis {
namespace {

std::string Sha1Hex(const std::string& data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    // EVP_Digest rather than SHA1(): the latter is deprecated in OpenSSL 3.
    if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha1(), nullptr) != 1) {
        throw std::runtime_error("redis: OpenSSL SHA-1 failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(size * 2);
    for (unsigned int i = 0; i < size; ++i) {
        hex.push_back(kHex[digest[i] >> 4]);
        hex.push_back(kHex[digest[i] & 0x0f]);
    }
    return hex;
}

}  // namespace

Script::Script(std::string source) : source_(std::move(source)), sha1_(Sha1Hex(source_)) {}

}  // namespace switchboard::redis
