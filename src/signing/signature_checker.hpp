// The message-signature check of a request whose token has been verified: which signature the
// token calls for, the Signature / Signature-Input headers, the parameters and time window,
// the covered components, the signature base, the cryptographic check, Content-Digest and
// replay. Private to the library; RequestCheck runs it after the token and any binding.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "approov/claims.hpp"
#include "approov/message_signing.hpp"
#include "approov/reason.hpp"
#include "approov/request.hpp"
#include "internal/sha256.hpp"
#include "signature_base.hpp"

namespace approov::signing {

/// The two signatures an Approov token can call for.
inline constexpr std::string_view kInstallLabel = "install";
inline constexpr std::string_view kAccountLabel = "account";
inline constexpr std::string_view kInstallAlgorithm = "ecdsa-p256-sha256";
inline constexpr std::string_view kAccountAlgorithm = "hmac-sha256";

/// Immutable after creation; safe to use from any number of threads. `check` is noexcept and,
/// once a device's `ipk` has been parsed (per thread, a small bounded cache), allocates
/// nothing of its own.
class SignatureChecker {
 public:
  /// Validates the configuration (skew and lifetime ranges, the account secret's size, the
  /// base URL). `token_header` is the token's header name, covered by default (lowercased).
  [[nodiscard]] static Configured<std::shared_ptr<const SignatureChecker>> create(
      MessageSigningConfig config, std::string_view token_header);

  /// Validates a route's list of required components (lowercase names; derived components
  /// that need no parameter, or field names). Empty message when fine.
  [[nodiscard]] static std::string check_required_components(
      const std::vector<std::string>& components);

  /// The whole message-signature check for a request whose token is valid.
  [[nodiscard]] Reason check(const RequestView& request, const Claims& claims, std::int64_t now,
                             const SigningPolicy& policy) const noexcept;

  [[nodiscard]] const MessageSigningConfig& config() const noexcept { return config_; }

 private:
  SignatureChecker(MessageSigningConfig config, std::string token_header);

  MessageSigningConfig config_;
  std::string token_header_;  // lowercased
  std::string base_scheme_, base_authority_;
  std::optional<detail::HmacKey> account_mac_;
};

/// Content-Digest (RFC 9530) against a body: a Dictionary with `sha-256` and/or `sha-512`
/// (Byte Sequence, or a String of padded standard base64), every one present matching;
/// other algorithms are ignored. `ok` or `bad_content_digest`.
[[nodiscard]] Reason check_content_digest(std::string_view field_value,
                                          std::string_view body) noexcept;

/// True when the request has a body (a non-zero Content-Length, or a Transfer-Encoding).
[[nodiscard]] bool request_has_body(const RequestView& request) noexcept;

}  // namespace approov::signing
