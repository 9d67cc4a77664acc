// Stable reason codes for every outcome of an Approov check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace approov {

/// Why a token or request was accepted or rejected.
///
/// The numeric values and the names returned by `to_string` are stable: they are logged,
/// counted in metrics and returned through the C API, so existing values never change meaning.
/// New codes are only ever appended. None of them reveals anything about the secret or the
/// token beyond the rule that failed; the HTTP answer is the same for every failure.
enum class Reason : std::uint8_t {
  ok = 0,                       ///< every check passed
  missing_token = 1,            ///< token header absent, or present with an empty value
  duplicate_token = 2,          ///< token header present more than once (or comma-joined)
  bad_prefix = 3,               ///< configured prefix (e.g. `Bearer `) not found
  token_too_long = 4,           ///< more than the configured maximum (8192 bytes by default)
  malformed = 5,                ///< not three non-empty base64url segments (canonical, unpadded)
  bad_signature = 6,            ///< signature not 32 bytes, or the HMAC does not match
  bad_header = 7,               ///< JOSE header: alg not HS256, crit/b64/enc/zip, kid not a string
  unknown_kid = 8,              ///< `kid` names no configured secret (multi-secret mode)
  bad_json = 9,                 ///< header or payload not a strict I-JSON object
  missing_exp = 10,             ///< no `exp` claim
  bad_exp = 11,                 ///< `exp` not a number, or beyond 253402300799
  expired = 12,                 ///< now >= exp + leeway
  not_yet_valid = 13,           ///< now + leeway < nbf
  bad_nbf = 14,                 ///< `nbf` present but not a number
  iat_future = 15,              ///< iat > now + leeway
  bad_iat = 16,                 ///< `iat` present but not a number
  bad_audience = 17,            ///< `aud` does not contain the configured audience
  bad_issuer = 18,              ///< `iss` is not the configured issuer
  missing_binding_header = 19,  ///< a bound header is absent or empty
  duplicate_binding_header = 20,  ///< a bound header is present more than once
  missing_pay = 21,               ///< binding required but the token has no `pay` claim
  bad_pay = 22,                   ///< `pay` is not a string holding a canonical base64 SHA-256
  binding_mismatch = 23,          ///< `pay` is not the SHA-256 of the bound header values
};

/// Number of defined reason codes (for metric tables indexed by reason).
inline constexpr std::size_t kReasonCount = 24;

/// The stable snake_case name of a reason, e.g. "bad_signature". Unknown values give "unknown".
[[nodiscard]] std::string_view to_string(Reason reason) noexcept;

/// True for reasons caused by token binding (useful to tell binding failures apart in logs).
[[nodiscard]] constexpr bool is_binding_reason(Reason reason) noexcept {
  return reason >= Reason::missing_binding_header && reason <= Reason::binding_mismatch;
}

}  // namespace approov
