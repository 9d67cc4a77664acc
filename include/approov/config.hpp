// Configuration of a verifier: secrets, clock leeway, limits. Built once at start-up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "approov/configured.hpp"
#include "approov/keyset.hpp"

namespace approov {

/// Largest accepted token, in bytes, checked before any decoding.
inline constexpr std::size_t kMaxTokenSize = 8192;
/// Largest decoded JWS payload (or header) a token within `kMaxTokenSize` can carry.
inline constexpr std::size_t kMaxPayloadSize = 6144;
/// Longest key id a configured key may have, in bytes (`Claims` keeps a copy inline).
inline constexpr std::size_t kMaxKeyIdSize = 128;
/// Largest configurable clock leeway, in seconds.
inline constexpr std::int64_t kMaxLeewaySeconds = 300;
/// Shortest accepted HMAC secret, in bytes after decoding.
inline constexpr std::size_t kMinSecretSize = 32;
/// Largest accepted HMAC secret, in bytes after decoding (a sanity limit).
inline constexpr std::size_t kMaxSecretSize = 1024;
/// Latest accepted `exp`: 9999-12-31T23:59:59Z.
inline constexpr std::int64_t kMaxExp = 253402300799;

/// One HMAC secret. The bytes are wiped when the object is destroyed; they are never printed
/// by this library, and no error message ever contains them or the text they came from.
class Secret {
 public:
  Secret() = default;
  Secret(std::vector<std::uint8_t> bytes, std::string key_id = {})
      : bytes_(std::move(bytes)), key_id_(std::move(key_id)) {}
  Secret(const Secret&) = default;
  Secret(Secret&&) noexcept = default;
  Secret& operator=(const Secret&) = default;
  Secret& operator=(Secret&&) noexcept = default;
  ~Secret();

  [[nodiscard]] const std::vector<std::uint8_t>& bytes() const noexcept { return bytes_; }
  /// Key id that a token's `kid` must equal to select this secret (empty: no id).
  [[nodiscard]] const std::string& key_id() const noexcept { return key_id_; }

 private:
  std::vector<std::uint8_t> bytes_;
  std::string key_id_;
};

/// Which text form a configured secret is in.
enum class SecretEncoding {
  base64,     ///< RFC 4648 standard alphabet, padding required (`APPROOV_BASE64_SECRET`)
  base64url,  ///< RFC 4648 URL-safe alphabet, padding optional (`APPROOV_BASE64URL_SECRET`)
};

/// Decodes a secret's text strictly: leading/trailing ASCII whitespace is trimmed;
/// any other malformation, or fewer than `kMinSecretSize` bytes, is an error. `setting` names
/// the variable or flag in the message (e.g. "APPROOV_BASE64_SECRET").
[[nodiscard]] Configured<Secret> decode_secret(std::string_view text, SecretEncoding encoding,
                                               std::string_view setting, std::string key_id = {});

/// Reads the secret from the environment: `APPROOV_BASE64_SECRET` or `APPROOV_BASE64URL_SECRET`.
/// Setting both is accepted only if they decode to the same bytes. Neither set is an error
/// that says which variables were looked at.
[[nodiscard]] Configured<Secret> secret_from_environment();

/// Largest secret file read (a secret is a few dozen characters).
inline constexpr std::size_t kMaxSecretFileSize = 64 * 1024;

/// Reads a secret from a file, such as `approov secret -get base64 > FILE` writes: at most
/// `kMaxSecretFileSize` bytes, leading and trailing ASCII whitespace trimmed, then decoded as
/// `encoding`, or, when none is given, as standard base64 and else as base64url (the two
/// alphabets never decode one text to different bytes). The file's text is wiped from memory
/// once decoded. `setting` names the source in messages (default: "secret file PATH"); they
/// never contain the secret.
[[nodiscard]] Configured<Secret> secret_from_file(
    const std::string& path, std::optional<SecretEncoding> encoding = std::nullopt,
    std::string setting = {}, std::string key_id = {});

/// Everything a `TokenVerifier` needs. Validated by `TokenVerifier::create`. At least one
/// secret, key or key set.
struct VerifierConfig {
  /// One secret (single-secret mode: `kid` is ignored, even if the secret has a key id) or
  /// several for rotation, each with an optional key id (distinct when set). With several, the
  /// MAC selects the secret and a token's `kid`, when present, must equal that secret's id.
  /// With a keyset (below) configured too, a token's `kid` and `alg` decide: see
  /// approov::JwsVerifier and docs/KEYSETS.md.
  std::vector<Secret> secrets;
  /// Keyset keys (from PEM, JWK or JWKS: approov/keyset.hpp), each with a key id and one
  /// algorithm. Any key here, or a `key_set`, turns on header-first verification.
  std::vector<VerificationKey> keys;
  /// Keys that change at run time (a JWKS URL): the verifier always uses its current keys.
  std::shared_ptr<KeySet> key_set;
  /// Clock leeway applied to `exp`, `nbf` and `iat`, 0..300 seconds.
  std::int64_t leeway_seconds = 0;
  /// Token size limit, at most `kMaxTokenSize`.
  std::size_t max_token_size = kMaxTokenSize;
  /// If set, `aud` (a string or an array of strings) must contain this value.
  std::optional<std::string> audience;
  /// If set, `iss` must be a string equal to this value.
  std::optional<std::string> issuer;
};

}  // namespace approov
