// Public keys for signature verification (RSA, ECDSA P-256/P-384/P-521, Ed25519) over
// OpenSSL 3. Private to the library; used by the keyset layer (asymmetric JWS keys), the JWK/
// JWKS reader and message signing (the `ipk` installation key).
//
// A PublicKey is parsed and checked once; afterwards it is immutable, cheap to copy (copies
// share one key) and safe to use from any number of threads. `verify` is noexcept, never
// throws, never logs and, once the key's verification contexts are cached (`prepare`, or the
// first verify in each concurrent thread), allocates nothing in this library's code; what
// OpenSSL allocates inside its verify primitive is stated in docs/PERFORMANCE.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "approov/jws.hpp"

namespace approov::detail {

enum class KeyType : std::uint8_t { rsa, ec, ed25519 };
enum class Curve : std::uint8_t { none, p256, p384, p521 };

/// Smallest and largest RSA modulus accepted, in bits.
inline constexpr std::size_t kMinRsaBits = 2048;
inline constexpr std::size_t kMaxRsaBits = 8192;

/// Size in bytes of one coordinate (and of r or s) on `curve`: 32, 48, 66 (0 for none).
[[nodiscard]] std::size_t coordinate_size(Curve curve) noexcept;
/// "P-256", "P-384", "P-521" (the JWK `crv` names), "" for none.
[[nodiscard]] std::string_view curve_name(Curve curve) noexcept;
/// The curve with this JWK `crv` name (exact), or none.
[[nodiscard]] Curve curve_from_name(std::string_view name) noexcept;

class PublicKey;

/// What a key constructor returns: the key, or a short static English phrase saying what is
/// wrong ("RSA modulus shorter than 2048 bits"). The phrase never contains the key's bytes;
/// callers prefix it with where the key came from.
class [[nodiscard]] KeyResult;

class PublicKey {
 public:
  /// A DER SubjectPublicKeyInfo (RFC 5280): rsaEncryption (parameters NULL), id-ecPublicKey
  /// with a named curve P-256/P-384/P-521 and an uncompressed point, or Ed25519 (RFC 8410).
  /// Strict DER, nothing after the structure. The request-path form (message signing parses
  /// the token's `ipk` with it): noexcept, no message allocation; an EC key costs one OpenSSL
  /// EC_KEY (no provider decoder, which is ~50 times dearer: see docs/PERFORMANCE.md).
  [[nodiscard]] static KeyResult from_spki_der(const std::uint8_t* der, std::size_t size) noexcept;

  /// PEM text holding one `PUBLIC KEY` (SubjectPublicKeyInfo) or `RSA PUBLIC KEY` (PKCS#1)
  /// block, with only whitespace around it. A private key, a certificate or any other block is
  /// refused with a message saying so.
  [[nodiscard]] static KeyResult from_pem(std::string_view text) noexcept;

  /// An RSA key from its modulus and public exponent, unsigned big-endian without leading zero
  /// octets (the JWK `n` and `e` members, decoded). Modulus 2048..8192 bits and odd; exponent
  /// odd, at least 3, at most 64 bits.
  [[nodiscard]] static KeyResult from_rsa(const std::uint8_t* n, std::size_t n_size,
                                          const std::uint8_t* e, std::size_t e_size) noexcept;

  /// An EC key from its affine coordinates, each exactly `coordinate_size(curve)` bytes (the
  /// JWK `x` and `y` members, decoded). The point must be on the curve.
  [[nodiscard]] static KeyResult from_ec(Curve curve, const std::uint8_t* x, std::size_t x_size,
                                         const std::uint8_t* y, std::size_t y_size) noexcept;

  /// An Ed25519 key from its 32-byte encoding (the JWK `x` member of an OKP key, decoded).
  [[nodiscard]] static KeyResult from_ed25519(const std::uint8_t* x, std::size_t size) noexcept;

  [[nodiscard]] KeyType type() const noexcept;
  [[nodiscard]] Curve curve() const noexcept;
  /// Modulus bits (RSA), 256/384/521 (EC), 256 (Ed25519).
  [[nodiscard]] std::size_t bits() const noexcept;
  /// "RSA 2048-bit", "EC P-256", "Ed25519": for messages.
  [[nodiscard]] std::string_view description() const noexcept;

  /// True if this key can verify `algorithm`: RS*/PS* for RSA, ES256/ES384/ES512 for P-256/
  /// P-384/P-521 respectively, EdDSA for Ed25519. Never HS256: a public key is not a secret.
  [[nodiscard]] bool fits(Algorithm algorithm) const noexcept;

  /// True if `signature` (`size` bytes) is a valid `algorithm` signature of `message` under
  /// this key. False for an algorithm the key does not fit, and for any malformed signature:
  ///   ES*: the JOSE form r||s, exactly 2 x coordinate size bytes, each of r and s in [1, n-1]
  ///        (a DER signature is refused), over SHA-256/384/512;
  ///   RS*: RSASSA-PKCS1-v1_5, PS*: RSASSA-PSS with MGF1 using the same hash and a salt as long
  ///        as the hash (RFC 7518 section 3.5); the signature exactly as long as the modulus;
  ///   EdDSA: Ed25519 (RFC 8032), 64 bytes.
  [[nodiscard]] bool verify(Algorithm algorithm, std::string_view message,
                            const std::uint8_t* signature, std::size_t size) const noexcept;

  /// Caches up to `contexts` verification contexts for `algorithm` now, so that the first
  /// verifies in that many concurrent threads do not create them. Start-up only; false if
  /// OpenSSL could not create them (the key still works, creating contexts on demand).
  bool prepare(Algorithm algorithm, std::size_t contexts) const noexcept;

  /// The key as DER SubjectPublicKeyInfo (tools, tests). Empty on allocation failure.
  [[nodiscard]] std::vector<std::uint8_t> spki_der() const;

  /// The JWK members of the public key, decoded: RSA `n`, `e`; EC `x`, `y` (full size);
  /// Ed25519 `x` (in `x`).
  struct Components {
    std::vector<std::uint8_t> n, e, x, y;
  };
  [[nodiscard]] Components components() const;

  class Impl;  // one subclass per family (src/pkey/rsa.cpp, ecdsa.cpp, eddsa.cpp)
  explicit PublicKey(std::shared_ptr<const Impl> impl) noexcept : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<const Impl> impl_;
};

class [[nodiscard]] KeyResult {
 public:
  KeyResult(PublicKey key) noexcept : key_(std::move(key)) {}  // NOLINT: implicit on purpose
  static KeyResult failure(const char* problem) noexcept { return KeyResult(problem); }

  [[nodiscard]] bool ok() const noexcept { return key_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] const PublicKey& value() const& { return *key_; }
  [[nodiscard]] PublicKey&& value() && { return std::move(*key_); }
  [[nodiscard]] const PublicKey* operator->() const { return &*key_; }
  /// What is wrong (a static string), or nullptr when ok.
  [[nodiscard]] const char* problem() const noexcept { return problem_; }

 private:
  explicit KeyResult(const char* problem) noexcept : problem_(problem) {}
  std::optional<PublicKey> key_;
  const char* problem_ = nullptr;
};

}  // namespace approov::detail
