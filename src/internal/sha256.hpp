// SHA-256 and pre-keyed HMAC-SHA256 on OpenSSL's low-level SHA-256 (assembly-accelerated).
//
// OpenSSL 3 marks the low-level API deprecated in favour of EVP, but EVP_MD_CTX copies and
// EVP_MAC re-inits allocate through the provider layer on every call. The fixed-size
// SHA256_CTX can be copied by value, which is what makes a verify allocation-free; see
// docs/PERFORMANCE.md for the measurements behind this choice.
#pragma once

#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace approov {
namespace detail {

inline constexpr std::size_t kSha256Size = 32;

class Sha256 {
 public:
  Sha256() noexcept { SHA256_Init(&ctx_); }
  void update(const void* data, std::size_t size) noexcept { SHA256_Update(&ctx_, data, size); }
  void update(std::string_view s) noexcept { update(s.data(), s.size()); }
  void finish(std::uint8_t out[kSha256Size]) noexcept {
    SHA256_Final(out, &ctx_);
    OPENSSL_cleanse(&ctx_, sizeof ctx_);
  }

 private:
  SHA256_CTX ctx_;
};

/// HMAC-SHA256 with the ipad/opad blocks absorbed once (RFC 2104), so each MAC costs the
/// message blocks plus two compression calls and two struct copies.
struct HmacKey {
  SHA256_CTX inner;
  SHA256_CTX outer;

  HmacKey(const std::uint8_t* key, std::size_t size) noexcept {
    std::uint8_t block[SHA256_CBLOCK] = {};
    if (size > SHA256_CBLOCK) {
      SHA256(key, size, block);
    } else if (size > 0) {
      std::memcpy(block, key, size);
    }
    std::uint8_t pad[SHA256_CBLOCK];
    for (std::size_t i = 0; i < SHA256_CBLOCK; ++i) pad[i] = block[i] ^ 0x36;
    SHA256_Init(&inner);
    SHA256_Update(&inner, pad, sizeof pad);
    for (std::size_t i = 0; i < SHA256_CBLOCK; ++i) pad[i] = block[i] ^ 0x5c;
    SHA256_Init(&outer);
    SHA256_Update(&outer, pad, sizeof pad);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
  }
  ~HmacKey() { OPENSSL_cleanse(this, sizeof *this); }
  HmacKey(const HmacKey&) = default;
  HmacKey& operator=(const HmacKey&) = default;

  void mac(const void* data, std::size_t size, std::uint8_t out[kSha256Size]) const noexcept {
    SHA256_CTX ctx = inner;
    SHA256_Update(&ctx, data, size);
    SHA256_Final(out, &ctx);
    ctx = outer;
    SHA256_Update(&ctx, out, kSha256Size);
    SHA256_Final(out, &ctx);
    OPENSSL_cleanse(&ctx, sizeof ctx);
  }
};

/// Constant-time equality of two byte strings of the same length.
inline bool equal_ct(const void* a, const void* b, std::size_t size) noexcept {
  return CRYPTO_memcmp(a, b, size) == 0;
}

}  // namespace detail
}  // namespace approov
