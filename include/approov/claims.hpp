// The claims of a verified Approov token, and the result type of a verification.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "approov/algorithm.hpp"
#include "approov/config.hpp"
#include "approov/reason.hpp"

namespace approov {

/// The claims of a verified token.
///
/// Ownership: a `Claims` object owns a copy of the decoded payload and of the verifying key's
/// id; it holds no pointer into the token, the request or the verifier, so it stays valid
/// after all of them are gone, and copies are independent.
///
/// Size: it never allocates; the storage is inline, about 12.5 KiB (`sizeof(Claims)`). Give
/// verification a `Claims&` that lives somewhere cheap (a member, a `thread_local`, or one
/// per connection) rather than a fresh local per request when stack space matters; the
/// `VerifyResult` form returns one by value, which costs that much stack too.
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
  /// True if the token has an `ipk` / `mskid` claim of any JSON type (the accessors above are
  /// set only for strings): message signing refuses a present key that is not a string.
  [[nodiscard]] bool has_ipk() const noexcept { return ipk_seen_; }
  [[nodiscard]] bool has_mskid() const noexcept { return mskid_seen_; }
  [[nodiscard]] std::optional<std::string_view> iss() const noexcept { return str(iss_); }
  [[nodiscard]] std::optional<std::string_view> sub() const noexcept { return str(sub_); }
  /// `aud` when it is a string (for an array, use `claim_json("aud")`).
  [[nodiscard]] std::optional<std::string_view> aud() const noexcept { return str(aud_); }
  /// Raw JSON text of any top-level claim's value (escaped as signed), or nothing if absent.
  [[nodiscard]] std::optional<std::string_view> claim_json(std::string_view name) const noexcept;
  /// Id of the configured key that verified the token (empty when it has none). A copy,
  /// owned by this object.
  [[nodiscard]] std::string_view key_id() const noexcept { return {key_id_.data(), key_id_size_}; }
  /// Algorithm of the key that verified the token (the header's `alg`, which must equal it).
  [[nodiscard]] Algorithm algorithm() const noexcept { return algorithm_; }

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
  void set_key_id(std::string_view id) noexcept;

  Span payload_, exp_text_, nbf_text_, iat_text_, ip_, did_, arc_, ipk_, pay_, mskid_, iss_, sub_,
      aud_;
  double exp_ = 0;
  bool pay_seen_ = false;
  bool ipk_seen_ = false;
  bool mskid_seen_ = false;
  Algorithm algorithm_ = Algorithm::HS256;
  std::uint8_t key_id_size_ = 0;
  std::uint16_t used_ = 0;  // bytes of buffer_ in use (payload, then unescaped strings)
  std::array<char, kMaxKeyIdSize> key_id_;
  std::array<char, 2 * kMaxPayloadSize> buffer_;
};

/// Outcome of a verification or request check: a reason and, when it is `ok`, the claims.
/// Holds a `Claims` inline (about 12.5 KiB); see `Claims` about where to keep one.
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

}  // namespace approov
