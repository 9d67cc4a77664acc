// One OpenSSL i2d_* encoding into a vector, for the key types that print their public key as
// DER (i2d_PUBKEY for an EVP_PKEY, i2d_EC_PUBKEY for an EC_KEY). Empty when OpenSSL fails.
// Start-up and tools only: it allocates.
#pragma once

#include <openssl/crypto.h>

#include <cstdint>
#include <vector>

namespace approov::detail {

template <class Key>
[[nodiscard]] std::vector<std::uint8_t> i2d_bytes(const Key* key,
                                                  int (*i2d)(const Key*, unsigned char**)) {
  unsigned char* der = nullptr;
  const int n = i2d(key, &der);
  if (n <= 0) return {};
  std::vector<std::uint8_t> out(der, der + n);
  OPENSSL_free(der);
  return out;
}

}  // namespace approov::detail
