// Compact JWS verification (RFC 7515) without judging claims: the layer under TokenVerifier.
// Algorithm-agnostic: every configured key has one algorithm and an optional key id, and the
// key that verifies a token is chosen in one place (see `JwsVerifier`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "approov/config.hpp"
#include "approov/reason.hpp"

namespace approov {

/// JWS algorithms (RFC 7518 names). A key allows exactly one; `none` does not exist here.
enum class Algorithm : std::uint8_t {
  HS256,
  RS256,
  RS384,
  RS512,
  PS256,
  PS384,
  PS512,
  ES256,
  ES384,
  ES512,
  EdDSA,
};

/// The RFC 7518 name, e.g. "ES256".
[[nodiscard]] std::string_view to_string(Algorithm algorithm) noexcept;
/// The algorithm with this exact (case-sensitive) name, or nothing.
[[nodiscard]] std::optional<Algorithm> algorithm_from_string(std::string_view name) noexcept;

namespace detail {
class KeyRing;  // the configured keys and the one place that picks a token's key (private)
}

/// Verifies compact JWS tokens against a set of keys, without looking at the payload:
/// size, shape (two dots, three non-empty segments), canonical unpadded base64url, the JOSE
/// header (strict I-JSON object, `alg` equal to the key's algorithm, no `crit`/`b64`/`enc`/
/// `zip`, `kid` a string if present) and the signature.
///
/// Choosing the key (the only place it happens):
/// - HS256 secrets only (the Approov default): the MAC is checked before any JSON is parsed.
///   With one secret `kid` is ignored; with several (rotation) the MAC picks the secret, and a
///   `kid`, when present, must equal that secret's id (`unknown_kid` otherwise).
///
/// Immutable after creation; copies share the keys; safe to use from any number of threads.
/// `verify` is noexcept, never allocates and never logs.
class JwsVerifier {
 public:
  /// HS256 keys from secrets (each at least `kMinSecretSize` bytes; key ids distinct when set,
  /// at most `kMaxKeyIdSize` bytes). `max_token_size`: 1 .. `kMaxTokenSize`.
  [[nodiscard]] static Configured<JwsVerifier> create(const std::vector<Secret>& secrets,
                                                      std::size_t max_token_size = kMaxTokenSize);

  /// Verifies `token` and writes the decoded payload into `payload_out` (room for
  /// `kMaxPayloadSize` bytes), setting `payload_size`, and the index of the key that verified
  /// it (in configuration order) into `key_index`. Returns `Reason::ok` or the first failed
  /// rule; a bad MAC is always `bad_signature`, whatever else is wrong after it.
  [[nodiscard]] Reason verify(std::string_view token, char* payload_out, std::size_t& payload_size,
                              std::size_t* key_index = nullptr) const noexcept;

  /// Number of keys, and the id of key `index` (empty when it has none).
  [[nodiscard]] std::size_t key_count() const noexcept;
  [[nodiscard]] std::string_view key_id(std::size_t index) const noexcept;

 private:
  explicit JwsVerifier(std::shared_ptr<const detail::KeyRing> ring) : ring_(std::move(ring)) {}
  std::shared_ptr<const detail::KeyRing> ring_;
};

}  // namespace approov
