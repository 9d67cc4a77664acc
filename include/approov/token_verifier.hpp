// Verifying an Approov token: strict compact JWS, HS256 with the algorithm fixed by
// configuration, then the time claims (SPEC §3).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "approov/config.hpp"
#include "approov/reason.hpp"

namespace approov {

namespace detail {
struct HmacKey;  // pre-keyed HMAC-SHA256 state (private)
}

/// Largest decoded payload a token within `kMaxTokenSize` can carry.
inline constexpr std::size_t kMaxPayloadSize = 6144;

/// The claims of a verified token.
///
/// A `Claims` object owns a copy of the decoded payload (it holds no pointer into the token
/// or the verifier), so it stays valid after the request buffer is gone. It never allocates:
/// the storage is inline (about 12 KiB), which is why verification writes into a `Claims`
/// the caller provides, or returns one inside a `VerifyResult`.
///
/// Views returned by the accessors point into this object and live as long as it does and
/// until it is reused for another verification. String accessors return the claim unescaped
/// (UTF-8); they return nothing when the claim is absent or is not a JSON string.
/// The contents are only meaningful after a verification that returned `Reason::ok`.
class Claims {
 public:
  Claims() noexcept {}  // leaves the buffer uninitialised on purpose: no per-verify zeroing
  Claims(const Claims& other) noexcept;
  Claims& operator=(const Claims& other) noexcept;

  /// The decoded payload JSON exactly as signed.
  [[nodiscard]] std::string_view payload_json() const noexcept { return view(payload_); }
  /// `exp` as the nearest double (for display and arithmetic); the checks use exact decimals.
  [[nodiscard]] double exp() const noexcept { return exp_; }
  /// `exp` as its JSON number text, e.g. "4708683205.891912".
  [[nodiscard]] std::string_view exp_text() const noexcept { return view(exp_text_); }
  [[nodiscard]] std::optional<double> nbf() const noexcept;
  [[nodiscard]] std::optional<double> iat() const noexcept;
  [[nodiscard]] std::optional<std::string_view> ip() const noexcept { return str(ip_); }
  [[nodiscard]] std::optional<std::string_view> did() const noexcept { return str(did_); }
  [[nodiscard]] std::optional<std::string_view> arc() const noexcept { return str(arc_); }
  [[nodiscard]] std::optional<std::string_view> ipk() const noexcept { return str(ipk_); }
  [[nodiscard]] std::optional<std::string_view> pay() const noexcept { return str(pay_); }
  /// True if the token has a `pay` claim of any JSON type (`pay()` is set only for strings).
  [[nodiscard]] bool has_pay() const noexcept { return pay_seen_; }
  [[nodiscard]] std::optional<std::string_view> mskid() const noexcept { return str(mskid_); }
  [[nodiscard]] std::optional<std::string_view> iss() const noexcept { return str(iss_); }
  [[nodiscard]] std::optional<std::string_view> sub() const noexcept { return str(sub_); }
  /// `aud` when it is a string (for an array, use `claim_json("aud")`).
  [[nodiscard]] std::optional<std::string_view> aud() const noexcept { return str(aud_); }
  /// Raw JSON text of any top-level claim's value (escaped as signed), or nothing if absent.
  [[nodiscard]] std::optional<std::string_view> claim_json(std::string_view name) const noexcept;
  /// Key id of the configured secret that verified the token (empty in single-secret mode).
  [[nodiscard]] std::string_view key_id() const noexcept { return key_id_; }

 private:
  friend class TokenVerifier;
  friend struct ClaimsBuilder;
  struct Span {
    std::uint16_t offset = 0;
    std::uint16_t length = 0;
    bool present = false;
  };
  [[nodiscard]] std::string_view view(Span s) const noexcept {
    return {buffer_.data() + s.offset, s.length};
  }
  [[nodiscard]] std::optional<std::string_view> str(Span s) const noexcept {
    if (!s.present) return std::nullopt;
    return view(s);
  }
  void reset() noexcept;
  void copy_from(const Claims& other) noexcept;

  Span payload_, exp_text_, nbf_text_, iat_text_, ip_, did_, arc_, ipk_, pay_, mskid_, iss_, sub_,
      aud_;
  double exp_ = 0;
  bool pay_seen_ = false;
  std::string_view key_id_;  // points into the verifier's configuration
  std::uint16_t used_ = 0;   // bytes of buffer_ in use (payload, then unescaped strings)
  std::array<char, 2 * kMaxPayloadSize> buffer_;
};

/// Outcome of a verification or request check: a reason and, when it is `ok`, the claims.
class [[nodiscard]] VerifyResult {
 public:
  [[nodiscard]] Reason reason() const noexcept { return reason_; }
  [[nodiscard]] bool ok() const noexcept { return reason_ == Reason::ok; }
  explicit operator bool() const noexcept { return ok(); }
  /// Meaningful only when `ok()`.
  [[nodiscard]] const Claims& claims() const noexcept { return claims_; }

 private:
  friend class TokenVerifier;
  friend class RequestCheck;
  Reason reason_ = Reason::missing_token;
  Claims claims_;
};

/// Lower-level compact JWS check for one HS256 key, without judging claims: size, shape,
/// canonical base64url, 32-byte signature, HMAC-SHA256 in constant time, then the JOSE header
/// (strict JSON object, `alg` exactly "HS256", no `crit`/`b64`/`enc`/`zip`, `kid` a string).
/// The payload need not be JSON. Immutable after construction; safe to share between threads.
class JwsHs256Verifier {
 public:
  /// `key` must be at least 1 byte; `TokenVerifier` enforces the 32-byte minimum of SPEC §4.
  explicit JwsHs256Verifier(const std::vector<std::uint8_t>& key);
  ~JwsHs256Verifier();
  JwsHs256Verifier(const JwsHs256Verifier&);
  JwsHs256Verifier& operator=(const JwsHs256Verifier&);
  JwsHs256Verifier(JwsHs256Verifier&&) noexcept;
  JwsHs256Verifier& operator=(JwsHs256Verifier&&) noexcept;

  /// Verifies `token` and copies the decoded payload into `payload_out` (at least
  /// `kMaxPayloadSize` bytes), setting `payload_size`. Returns `Reason::ok` or the first failed
  /// rule. `max_token_size` defaults to `kMaxTokenSize`.
  [[nodiscard]] Reason verify(std::string_view token, char* payload_out, std::size_t& payload_size,
                              std::size_t max_token_size = kMaxTokenSize) const noexcept;

 private:
  friend class TokenVerifier;
  std::unique_ptr<detail::HmacKey> key_;
};

/// Verifies Approov tokens (SPEC §3, §4).
///
/// Built once from a `VerifierConfig`; immutable afterwards, so one instance may be shared by
/// any number of threads without locks. `verify` is `noexcept`, never allocates, never logs,
/// and never parses JSON before the MAC has been checked.
class TokenVerifier {
 public:
  /// Validates the configuration (secret sizes, distinct key ids, leeway range, limits).
  [[nodiscard]] static Configured<TokenVerifier> create(VerifierConfig config);
  /// One secret, default limits.
  [[nodiscard]] static Configured<TokenVerifier> create(Secret secret,
                                                        std::int64_t leeway_seconds = 0);
  /// One secret from `APPROOV_BASE64_SECRET` / `APPROOV_BASE64URL_SECRET` (see
  /// `secret_from_environment`), default limits. The usual start-up call.
  [[nodiscard]] static Configured<TokenVerifier> from_environment(std::int64_t leeway_seconds = 0);

  /// Verifies `token` at time `now` (seconds since the Unix epoch) into `claims`.
  ///
  /// Range of `now`: the meaningful clock values are 0 .. `kMaxExp` (what `unix_now()` gives
  /// until the year 9999). Any int64 is handled without overflow, and the time rules are exact
  /// while `now - leeway` and `now + leeway` stay within int64; at the very ends of the int64
  /// range those sums saturate, which can only reject a token, never accept one. Callers
  /// taking `now` from users (the CLI's `--now`) refuse values outside 0 .. `kMaxExp`.
  [[nodiscard]] Reason verify(std::string_view token, std::int64_t now,
                              Claims& claims) const noexcept;
  /// Same, returning the claims inside the result.
  [[nodiscard]] VerifyResult verify(std::string_view token, std::int64_t now) const noexcept;

  [[nodiscard]] const VerifierConfig& config() const noexcept { return *config_; }

 private:
  TokenVerifier() = default;
  std::shared_ptr<const VerifierConfig> config_;
  std::vector<JwsHs256Verifier> keys_;  // parallel to config_->secrets
};

/// Seconds since the Unix epoch from the system clock.
[[nodiscard]] std::int64_t unix_now() noexcept;

}  // namespace approov
