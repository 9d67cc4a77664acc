// Verifying an Approov token: strict compact JWS with the algorithm fixed by configuration
// (the JwsVerifier layer: HS256 secrets and/or a keyset), then the claims: exp, nbf, iat, and
// optionally aud and iss.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "approov/claims.hpp"
#include "approov/config.hpp"
#include "approov/jws.hpp"
#include "approov/reason.hpp"

namespace approov {

/// Verifies Approov tokens.
///
/// Built once from a `VerifierConfig`; immutable afterwards, so one instance may be shared by
/// any number of threads without locks (copies share the configuration). `verify` is
/// `noexcept`, never allocates, never logs, and (with HS256 secrets only) never parses JSON
/// before the MAC has been checked; with a keyset the header is read first (approov::JwsVerifier
/// says how the key is chosen), the payload still only after the signature verified.
class TokenVerifier {
 public:
  /// Validates the configuration (secret sizes, distinct key ids, leeway range, limits, at least
  /// one secret, key or key set).
  [[nodiscard]] static Configured<TokenVerifier> create(VerifierConfig config);
  /// One secret, default limits.
  [[nodiscard]] static Configured<TokenVerifier> create(Secret secret,
                                                        std::int64_t leeway_seconds = 0);
  /// One secret from `APPROOV_BASE64_SECRET` / `APPROOV_BASE64URL_SECRET` (see
  /// `secret_from_environment`), default limits. The usual start-up call.
  [[nodiscard]] static Configured<TokenVerifier> from_environment(std::int64_t leeway_seconds = 0);

  /// Verifies `token` at time `now` (seconds since the Unix epoch) into `claims`, which the
  /// caller owns and may reuse (the preferred form: see `Claims` about its size).
  ///
  /// Range of `now`: the meaningful clock values are 0 .. `kMaxExp` (what `unix_now()` gives
  /// until the year 9999). Any int64 is handled without overflow, and the time rules are exact
  /// while `now - leeway` and `now + leeway` stay within int64; at the very ends of the int64
  /// range those sums saturate, which can only reject a token, never accept one. Callers
  /// taking `now` from users (the CLI's `--now`) refuse values outside 0 .. `kMaxExp`.
  [[nodiscard]] Reason verify(std::string_view token, std::int64_t now,
                              Claims& claims) const noexcept;
  /// Same, returning the claims inside the result (about 12.5 KiB by value).
  [[nodiscard]] VerifyResult verify(std::string_view token, std::int64_t now) const noexcept;

  [[nodiscard]] const VerifierConfig& config() const noexcept { return *config_; }
  /// The JWS layer underneath (the configured keys).
  [[nodiscard]] const JwsVerifier& jws() const noexcept { return jws_; }

 private:
  TokenVerifier(std::shared_ptr<const VerifierConfig> config, JwsVerifier jws)
      : config_(std::move(config)), jws_(std::move(jws)) {}
  std::shared_ptr<const VerifierConfig> config_;
  JwsVerifier jws_;
};

/// Seconds since the Unix epoch from the system clock.
[[nodiscard]] std::int64_t unix_now() noexcept;

}  // namespace approov
