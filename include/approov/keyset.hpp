// Keysets: asymmetric verification keys (RSA, RSA-PSS, ECDSA, EdDSA) and JWKS `oct` secrets,
// each with a key id and one algorithm, read from PEM, JWK or JWKS text; and `KeySet`, keys
// that can be replaced while verifiers use them (a JWKS URL refreshed in the background).
// docs/KEYSETS.md shows how to move an API from the shared secret to a keyset.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "approov/algorithm.hpp"
#include "approov/configured.hpp"

namespace approov {

namespace detail {
class JwsKey;
class DynamicKeys;
}  // namespace detail

/// Largest JWK or JWKS text read.
inline constexpr std::size_t kMaxJwksSize = 1024 * 1024;
/// Most keys one JWKS may hold.
inline constexpr std::size_t kMaxJwksKeys = 1000;

/// One keyset key: a public key (or a JWKS `oct` secret), its key id and the one JWS algorithm
/// it verifies. Parsed and checked when read, never afterwards; immutable; cheap to copy (copies
/// share the key) and safe to share between threads.
class VerificationKey {
 public:
  explicit VerificationKey(std::shared_ptr<const detail::JwsKey> key) noexcept
      : key_(std::move(key)) {}

  [[nodiscard]] const std::string& key_id() const noexcept;
  [[nodiscard]] Algorithm algorithm() const noexcept;
  /// "RSA 2048-bit", "EC P-256", "Ed25519", "HS256 secret".
  [[nodiscard]] std::string_view description() const noexcept;
  /// The key as a public JWK (kty, kid, use "sig", alg, then the key members); empty for an
  /// HS256 secret, which is never printed.
  [[nodiscard]] std::string public_jwk() const;

  /// The library's key object (for the library itself).
  [[nodiscard]] const std::shared_ptr<const detail::JwsKey>& jws_key() const noexcept {
    return key_;
  }

 private:
  std::shared_ptr<const detail::JwsKey> key_;
};

/// A PEM public key (`PUBLIC KEY` or `RSA PUBLIC KEY`) with its key id and algorithm given
/// beside it. The key must fit the algorithm (RSA >= 2048 bits for RS*/PS*, P-256 for ES256,
/// P-384 for ES384, P-521 for ES512, Ed25519 for EdDSA; never HS256). `source` names the key in
/// messages ("APPROOV_PEM_KEY", "key file k.pem").
[[nodiscard]] Configured<VerificationKey> key_from_pem(std::string_view pem, std::string key_id,
                                                       Algorithm algorithm,
                                                       std::string_view source = "the PEM key");

/// One JWK (RFC 7517): kty RSA, EC (P-256/P-384/P-521), OKP (Ed25519) or oct (HS256, at least
/// 32 bytes), a string `kid`, `use` "sig" if present, no private members. Its algorithm is its
/// `alg`, or `algorithm` when it has none (both given must agree; neither is an error). Read
/// with the strict JSON rules of tokens.
[[nodiscard]] Configured<VerificationKey> key_from_jwk(
    std::string_view json, std::optional<Algorithm> algorithm = std::nullopt,
    std::string_view source = "the JWK");

/// A JWKS ({"keys":[...]}): every key as for `key_from_jwk`, each with its own `alg`, distinct
/// `kid`s, at least one key. Any problem refuses the whole set (never a partial load), with a
/// message naming the key's position and kid and what is wrong.
[[nodiscard]] Configured<std::vector<VerificationKey>> keys_from_jwks(
    std::string_view json, std::string_view source = "the JWKS");

/// A key file: PEM (then `key_id` and `algorithm` are required), a JWK (`algorithm` optional,
/// `key_id` refused: the JWK names itself) or a JWKS (neither), told apart by the content.
/// At most `kMaxJwksSize` bytes.
[[nodiscard]] Configured<std::vector<VerificationKey>> keys_from_file(
    const std::string& path, std::optional<std::string> key_id = std::nullopt,
    std::optional<Algorithm> algorithm = std::nullopt);

/// Keyset keys that can be replaced at run time, e.g. by a JWKS URL refresher. Verifiers
/// configured with a KeySet (VerifierConfig::key_set) always use its current keys: `replace`
/// swaps them atomically (verifications in flight finish with the old ones). Readers take no
/// lock: each thread keeps the keys it last used and takes the new ones (one brief lock) on its
/// first verification after a replacement.
///
/// A verification that meets a `kid` the set does not hold asks for a refresh
/// (`request_refresh`): a flag and a wake-up, never a fetch, so the verify path stays noexcept
/// and allocation-free; the refresher decides when to fetch (and rate-limits).
class KeySet {
 public:
  /// An empty set (tokens that need a keyset key get `unknown_kid` until the first replace).
  [[nodiscard]] static std::shared_ptr<KeySet> create();

  /// Replaces the keys. Refused, keeping the current keys, if `keys` is empty or two keys share
  /// a kid: returns the message, or "" on success.
  [[nodiscard]] std::string replace(std::vector<VerificationKey> keys);
  /// Reads a JWKS (`keys_from_jwks`) and replaces the keys with it; on any problem the current
  /// keys stay and the message is returned ("" on success).
  [[nodiscard]] std::string replace_from_jwks(std::string_view jwks,
                                              std::string_view source = "the JWKS");

  /// The current keys (a copy of the list; the keys are shared).
  [[nodiscard]] std::vector<VerificationKey> keys() const;
  /// How many times the keys were replaced (0: still empty).
  [[nodiscard]] std::uint64_t generation() const noexcept;

  /// Asks the refresher for a refresh: noexcept, no allocation, no blocking. Several requests
  /// before the refresher runs count as one.
  void request_refresh() noexcept;
  /// For the refresher: waits up to `timeout` (in slices of at most 200 ms) for a request.
  /// Returns true, and clears the request, if one is pending.
  [[nodiscard]] bool wait_for_refresh_request(std::chrono::milliseconds timeout);
  /// Wakes a thread blocked in wait_for_refresh_request (e.g. to stop it).
  void wake() noexcept;
  /// Refresh requests taken (each flag raise counts once).
  [[nodiscard]] std::uint64_t refresh_requests() const noexcept;

  /// The library's implementation object (for the library itself).
  [[nodiscard]] const std::shared_ptr<detail::DynamicKeys>& dynamic_keys() const noexcept {
    return impl_;
  }

 private:
  explicit KeySet(std::shared_ptr<detail::DynamicKeys> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<detail::DynamicKeys> impl_;
};

}  // namespace approov
