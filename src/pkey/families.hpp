// What the key families (rsa.cpp, ecdsa.cpp, eddsa.cpp) share with public_key.cpp: the
// implementation interface behind PublicKey, one constructor per family, the digests, and the
// OpenSSL error-queue guard. Private to src/pkey.
#pragma once

#include <openssl/err.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "public_key.hpp"

namespace approov::detail {

class PublicKey::Impl {
 public:
  Impl(KeyType type, Curve curve, std::size_t bits) noexcept
      : type_(type), curve_(curve), bits_(bits) {}
  virtual ~Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  [[nodiscard]] KeyType type() const noexcept { return type_; }
  [[nodiscard]] Curve curve() const noexcept { return curve_; }
  [[nodiscard]] std::size_t bits() const noexcept { return bits_; }

  [[nodiscard]] virtual std::string_view description() const noexcept = 0;
  [[nodiscard]] virtual bool fits(Algorithm algorithm) const noexcept = 0;
  [[nodiscard]] virtual bool verify(Algorithm algorithm, std::string_view message,
                                    const std::uint8_t* signature,
                                    std::size_t size) const noexcept = 0;
  virtual bool prepare(Algorithm algorithm, std::size_t contexts) const noexcept = 0;
  [[nodiscard]] virtual std::vector<std::uint8_t> spki_der() const = 0;
  [[nodiscard]] virtual PublicKey::Components components() const = 0;

 private:
  KeyType type_;
  Curve curve_;
  std::size_t bits_;
};

/// `n`, `e`: unsigned big-endian, no leading zero octet (checked here).
KeyResult make_rsa_key(const std::uint8_t* n, std::size_t n_size, const std::uint8_t* e,
                       std::size_t e_size) noexcept;
/// `point`: the SEC 1 encoding (0x04 || x || y for an uncompressed point).
KeyResult make_ec_key(Curve curve, const std::uint8_t* point, std::size_t size) noexcept;
/// `x`: the 32-byte RFC 8032 encoding.
KeyResult make_ed25519_key(const std::uint8_t* x, std::size_t size) noexcept;

/// A message digest, big enough for SHA-512.
struct Digest {
  std::uint8_t bytes[64];
  std::size_t size = 0;
};

/// SHA-256/384/512 of `message` as `algorithm` prescribes (RS256, PS256, ES256: SHA-256, ...).
/// False for EdDSA and HS256, which hash inside their primitive. No allocation.
[[nodiscard]] bool digest_for(Algorithm algorithm, std::string_view message, Digest& out) noexcept;

/// Keeps OpenSSL's per-thread error queue as the caller had it: a failed verify pushes error
/// entries (some with allocated text) that would otherwise linger and confuse the next user of
/// the queue on this thread, such as a TLS library calling SSL_get_error.
class ErrorQueueGuard {
 public:
  ErrorQueueGuard() noexcept { ERR_set_mark(); }
  ~ErrorQueueGuard() { ERR_pop_to_mark(); }
  ErrorQueueGuard(const ErrorQueueGuard&) = delete;
  ErrorQueueGuard& operator=(const ErrorQueueGuard&) = delete;
};

/// Number of significant bits of an unsigned big-endian number (0 for zero).
[[nodiscard]] std::size_t bit_length(const std::uint8_t* bytes, std::size_t size) noexcept;

}  // namespace approov::detail
