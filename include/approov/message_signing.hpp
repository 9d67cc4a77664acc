// Approov message signing: RFC 9421 HTTP message signatures made by the app's SDK, checked
// after the token (and binding) so that a token copied off one request cannot be replayed on
// another. See docs/MESSAGE_SIGNING.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "approov/claims.hpp"
#include "approov/config.hpp"
#include "approov/reason.hpp"
#include "approov/request.hpp"

namespace approov {

/// Largest combined `Signature` or `Signature-Input` field value (all field lines joined).
inline constexpr std::size_t kMaxSignatureFieldSize = 8192;
/// Largest configurable clock skew for signatures, in seconds.
inline constexpr std::int64_t kMaxSignatureSkewSeconds = 300;

/// Where a replay store says a signature stands.
enum class ReplayVerdict : std::uint8_t {
  first_seen,   ///< recorded now: the request may go on
  replayed,     ///< already recorded and not yet expired
  unavailable,  ///< the store could not answer (a shared store that is down or slow)
};

/// Remembers signatures until they expire, so each is accepted once. Implementations must be
/// thread-safe; `check_and_insert` is called on the request path and must not block for long.
class ReplayStore {
 public:
  virtual ~ReplayStore() = default;
  /// Atomically: if `key` is recorded and its expiry is after `now`, `replayed`; otherwise
  /// record it until `expires_at` (Unix seconds) and answer `first_seen`. `key` is a digest
  /// (never a signature or token in clear).
  [[nodiscard]] virtual ReplayVerdict check_and_insert(std::string_view key,
                                                       std::int64_t expires_at,
                                                       std::int64_t now) noexcept = 0;
};

/// The in-process replay store: sharded fixed-size tables in memory (about 40 bytes per entry,
/// allocated once). It never forgets a live entry to make room: when the table around a key
/// is full of unexpired signatures it answers `unavailable` (so the fail-closed default
/// refuses). Catches replays on this process only; use a shared store when several instances
/// serve one API. Keys longer than 32 bytes are compared on their first 32 bytes.
[[nodiscard]] std::shared_ptr<ReplayStore> make_memory_replay_store(std::size_t capacity = 1 << 20);

/// Configuration shared by every route of a verifier. Built once at start-up.
struct MessageSigningConfig {
  /// The account message-signing secret (HMAC-SHA256 "account" signatures), from
  /// `APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64` / `..._BASE64URL`; none: tokens that
  /// carry only `mskid` go through unsigned.
  std::optional<Secret> account_secret;
  /// If set, a token's `mskid` must equal it (`APPROOV_ACCOUNT_MESSAGE_SIGNING_KEY_ID`).
  std::string account_key_id;
  /// The public base URL of the API (`APPROOV_SIGNATURE_BASE_URL`, e.g.
  /// "https://api.example.com"): its scheme and authority replace the request's own in
  /// `@target-uri`, `@authority` and `@scheme`, for a server behind a TLS-terminating proxy.
  std::string base_url;
  /// Clock skew S, 0..300 s: reject `created > now + S` and `now > expires + S`.
  std::int64_t clock_skew_seconds = 60;
  /// Longest accepted `expires - created`, in seconds (the SDKs use 15).
  std::int64_t max_lifetime_seconds = 300;
  /// Remembers accepted signatures (optional).
  std::shared_ptr<ReplayStore> replay_store;
  /// What to do when the replay store cannot answer: refuse (`replay_store_unavailable`, the
  /// default) or let the request through.
  bool replay_fail_open = false;
};

/// Reads the message-signing settings from the environment (the variables above). A variable
/// that is set but malformed is an error naming it (never printing a secret).
[[nodiscard]] Configured<MessageSigningConfig> message_signing_from_environment();

/// What one route asks of message signatures.
struct SigningPolicy {
  /// Check signatures on this route (after the token and any binding).
  bool enabled = false;
  /// A token that calls for no signature (neither `ipk` nor, with an account secret, `mskid`)
  /// is refused with `missing_signature` instead of going through unsigned.
  bool require_signature = false;
  /// The components every signature must cover. Empty: the default list, `@method`,
  /// `@target-uri` and the token header's name lowercased, plus `content-digest` whenever
  /// the request has a body (a non-zero Content-Length, or Transfer-Encoding).
  std::vector<std::string> required_components;
};

}  // namespace approov
