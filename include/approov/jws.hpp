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

#include "approov/algorithm.hpp"
#include "approov/config.hpp"
#include "approov/reason.hpp"

namespace approov {

namespace detail {
class KeyRing;  // the configured keys and the one place that picks a token's key (private)
}

class VerificationKey;  // approov/keyset.hpp
class KeySet;           // approov/keyset.hpp

/// The key that verified a token.
struct JwsKeyUsed {
  /// Position in configuration order: the secrets, then the keys, then a key set's current keys.
  std::size_t index = 0;
  /// The key's id (empty for a secret without one). Points into the verifier's keys: valid
  /// while the verifier lives and, for a key from a `KeySet`, until the calling thread's next
  /// verification (a key set's old keys are released by the threads that used them).
  std::string_view key_id;
  Algorithm algorithm = Algorithm::HS256;
};

/// Verifies compact JWS tokens against a set of keys, without looking at the payload:
/// size, shape (two dots, three non-empty segments), canonical unpadded base64url, the JOSE
/// header (strict I-JSON object, `alg` equal to the key's algorithm, no `crit`/`b64`/`enc`/
/// `zip`, `kid` a string if present) and the signature.
///
/// Choosing the key (the only place it happens), in one of two modes:
///
/// - **MAC first** (HS256 secrets only, the Approov default): the MAC is checked before any
///   JSON is parsed. With one secret `kid` is ignored; with several (rotation) the MAC picks the
///   secret, and a `kid`, when present, must equal that secret's id (`unknown_kid` otherwise).
///   `alg` must be "HS256" (`bad_header`).
///
/// - **Header first** (a keyset is configured: asymmetric keys, JWKS `oct` keys, or a `KeySet`;
///   secrets may be configured beside it). The header is read first, under the same size and
///   JSON rules (`bad_json`, `bad_header`); the key is chosen from it:
///   1. a `kid` selects the keyset key with exactly that id, else the secret with that id, else
///      `unknown_kid` (and a key set is asked to refresh);
///   2. without a `kid`, an `alg` of "HS256" goes to the secrets if any are configured, the MAC
///      picking among them as in the default mode (so Approov's default tokens keep working);
///   3. otherwise, without a `kid`, the keyset's only key if it has exactly one, else
///      `unknown_kid`;
///   then the header's `alg` must equal that key's algorithm (`bad_algorithm`: so a public key
///   is never used as an HMAC secret and "none" is never accepted), and the signature must
///   verify (`bad_signature`). The payload is still only returned once the signature verified.
///
/// Immutable after creation (a `KeySet` changes atomically underneath); copies share the keys;
/// safe to use from any number of threads. `verify` is noexcept, never allocates (beyond a
/// thread's first use of a changed `KeySet`, see there) and never logs.
class JwsVerifier {
 public:
  /// HS256 keys from secrets (each at least `kMinSecretSize` bytes; key ids distinct when set,
  /// at most `kMaxKeyIdSize` bytes). `max_token_size`: 1 .. `kMaxTokenSize`.
  [[nodiscard]] static Configured<JwsVerifier> create(const std::vector<Secret>& secrets,
                                                      std::size_t max_token_size = kMaxTokenSize);
  /// Secrets and a keyset: `keys` (read from PEM, JWK or JWKS) and/or a `key_set` that may
  /// change at run time. Key ids must be distinct across secrets and keys. At least one of the
  /// three must be non-empty.
  [[nodiscard]] static Configured<JwsVerifier> create(const std::vector<Secret>& secrets,
                                                      const std::vector<VerificationKey>& keys,
                                                      std::shared_ptr<KeySet> key_set,
                                                      std::size_t max_token_size = kMaxTokenSize);

  /// Verifies `token` and writes the decoded payload into `payload_out` (room for
  /// `kMaxPayloadSize` bytes), setting `payload_size`, and the key that verified it into
  /// `used`. Returns `Reason::ok` or the first failed rule (in MAC-first mode a bad MAC is
  /// always `bad_signature`, whatever else is wrong after it).
  [[nodiscard]] Reason verify(std::string_view token, char* payload_out, std::size_t& payload_size,
                              JwsKeyUsed& used) const noexcept;
  /// Same, with the index of the key (in configuration order) into `key_index`.
  [[nodiscard]] Reason verify(std::string_view token, char* payload_out, std::size_t& payload_size,
                              std::size_t* key_index = nullptr) const noexcept;

  /// True in header-first mode (a keyset is configured).
  [[nodiscard]] bool header_first() const noexcept;
  /// Number of configured secrets and keys (not counting a key set's), and the id of key
  /// `index` (empty when it has none).
  [[nodiscard]] std::size_t key_count() const noexcept;
  [[nodiscard]] std::string_view key_id(std::size_t index) const noexcept;

 private:
  explicit JwsVerifier(std::shared_ptr<const detail::KeyRing> ring) : ring_(std::move(ring)) {}
  std::shared_ptr<const detail::KeyRing> ring_;
};

}  // namespace approov
