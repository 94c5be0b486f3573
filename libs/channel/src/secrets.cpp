#include "switchboard/channel/secrets.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace switchboard::channel {

Result<std::string> ReadSecret(const std::string& env_name) {
    if (const char* v = std::getenv(env_name.c_str()); v != nullptr && *v != '\0') return std::string(v);
    const std::string file_var = env_name + "_FILE";
    const char* path = std::getenv(file_var.c_str());
    if (path == nullptr || *path == '\0') {
        return Error::Fatal("secret not set: set " + env_name + " or " + file_var + " (a file holding it)");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::Fatal("secret file named by " + file_var + " cannot be read: " + path);
    std::ostringstream buf;
    buf << in.rdbuf();
    std::string value = buf.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    if (value.empty()) return Error::Fatal("secret file named by " + file_var + " is empty: " + path);
    return value;
}

std::string RequireSecret(const std::string& env_name) {
    auto secret = ReadSecret(env_name);
    if (!secret) throw std::runtime_error(secret.error().message);
    if (secret->empty()) throw std::runtime_error("secret " + env_name + " is empty; set it or " + env_name + "_FILE");
    return std::move(secret).value();
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
    // The length is not secret (a signature's length is public); the content is compared fully.
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), mac, &len);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(kHex[mac[i] >> 4]);
        out.push_back(kHex[mac[i] & 0xF]);
    }
    return out;
}

}  // namespace switchboard::channel
