// Approov message signing: RFC 9421 HTTP message signatures made by the app's SDK, checked
// after the token (and binding) so that a token copied off one request cannot be replayed on
// another. See docs/MESSAGE_SIGNING.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
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

/// What a replay store has answered since it was made, for metrics. Counters only grow.
struct ReplayStoreStats {
  std::uint64_t stored = 0;       ///< `first_seen` answers: signatures recorded
  std::uint64_t replayed = 0;     ///< `replayed` answers
  std::uint64_t unavailable = 0;  ///< `unavailable` answers: each one a request refused with
                                  ///< `replay_store_unavailable`, or let through when fail-open
  // Shared stores only (zero for the in-process one):
  std::uint64_t connects = 0;          ///< connections opened (the first ones and reconnections)
  std::uint64_t connect_failures = 0;  ///< connection attempts that failed (each starts a
                                       ///< back-off during which no new connection is tried)
  std::uint64_t timeouts = 0;          ///< connects or commands that ran out of time
  std::uint64_t errors = 0;  ///< other failures: refused or closed connections, error replies
};

/// A shared replay store's report that it stopped answering, or answers again: material for
/// one log line. Events are rate limited by the store (see `RedisReplayOptions`).
struct ReplayStoreEvent {
  enum class Kind : std::uint8_t {
    unavailable,  ///< a connect or command failed: `unavailable` answers follow
    recovered,    ///< a command succeeded again after an `unavailable` event
  };
  Kind kind = Kind::unavailable;
  /// What happened, e.g. "redis 127.0.0.1:6379 db 0: connect: Connection refused". Never holds
  /// a password, a key or a signature. Valid only during the call.
  std::string_view message;
  /// `unavailable` answers since the previous event (those this event stands for).
  std::uint64_t unavailable_answers = 0;
};

/// Receives a replay store's events. Called on a request thread, at most a few times per
/// interval; it must be thread-safe and quick (write a log line, bump a metric). Whatever it
/// throws is swallowed.
using ReplayEventHandler = std::function<void(const ReplayStoreEvent&)>;

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
  /// Counters for metrics (zeros for a store that keeps none). Safe to call from any thread.
  [[nodiscard]] virtual ReplayStoreStats stats() const noexcept { return {}; }
  /// Where the store is, for a start-up line: "memory", "redis 127.0.0.1:6379 db 0". Never a
  /// password.
  [[nodiscard]] virtual std::string description() const { return {}; }
};

/// The in-process replay store: sharded fixed-size tables in memory (about 40 bytes per entry,
/// allocated once). It never forgets a live entry to make room: when the table around a key
/// is full of unexpired signatures it answers `unavailable` (so the fail-closed default
/// refuses). Catches replays on this process only; use a shared store when several instances
/// serve one API. Keys longer than 32 bytes are compared on their first 32 bytes.
[[nodiscard]] std::shared_ptr<ReplayStore> make_memory_replay_store(std::size_t capacity = 1 << 20);

/// A replay store from its text form, the one `APPROOV_REPLAY_STORE` and the sidecar take:
///   - "memory": the in-process store (`make_memory_replay_store`);
///   - "redis://[USER:PASSWORD@]HOST[:PORT][/DB][?OPTIONS]" or "unix:PATH[?db=N&OPTIONS]": a
///     Redis store shared by every instance (see approov/redis_replay_store.hpp for the
///     options); an error if this build has no Redis support;
///   - "none" or "": no store (a null pointer: replay protection off).
/// `on_event` receives a shared store's unavailable/recovered events. `setting` names the
/// source in messages (e.g. "APPROOV_REPLAY_STORE"); messages never repeat the text (it may
/// hold a password).
[[nodiscard]] Configured<std::shared_ptr<ReplayStore>> make_replay_store(
    std::string_view spec, ReplayEventHandler on_event = {},
    std::string_view setting = "the replay store");

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

/// Reads the message-signing settings from the environment (the variables above, and the
/// replay store: `APPROOV_REPLAY_STORE` as `make_replay_store` reads it, default none, and
/// `APPROOV_REPLAY_FAIL=open|closed`, default closed). A variable that is set but malformed is
/// an error naming it (never printing a secret or a password). `on_replay_event` receives the
/// events of a Redis store made here (e.g. to log them).
[[nodiscard]] Configured<MessageSigningConfig> message_signing_from_environment(
    ReplayEventHandler on_replay_event = {});

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
