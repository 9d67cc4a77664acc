// Signing requests the way Approov's SDKs do, for testing without a phone: the CLI's
// `approov-token sign`, the tests and the benchmarks. NOT part of libapproov (a verifier holds
// no private key): it lives in the approov_signing target with SigningKey.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "approov/config.hpp"
#include "approov/request.hpp"
#include "pkey/signing_key.hpp"
#include "signature_base.hpp"

namespace approov::signing {

/// The components Approov's SDKs cover by default, in their order: the method, the target URI,
/// the token header, then those of `approov-traceid`, `authorization`, `content-length`,
/// `content-type`, `content-digest` the request has.
[[nodiscard]] std::vector<std::string> sdk_components(const RequestView& request,
                                                      std::string_view token_header);

struct SignOptions {
  /// "install" (ECDSA P-256 with `key`) or "account" (HMAC-SHA256 with `account_secret`).
  std::string label = "install";
  /// Component identifiers exactly as written in Signature-Input: "\"@method\"",
  /// "\"x-custom\";sf", "\"@query-param\";name=\"id\"".
  std::vector<std::string> components;
  std::int64_t created = 0;
  std::int64_t expires = 0;
  std::optional<std::string> keyid, nonce, tag;
  /// The signature as an sf-string of base64 (Android's form) instead of a Byte Sequence.
  bool string_form = false;
  /// Leave `alg` out (tests of the verifier's refusal).
  bool omit_alg = false;
};

struct SignedHeaders {
  std::string signature_input;  ///< the field value, e.g. `install=("@method" ...);alg=...`
  std::string signature;        ///< e.g. `install=:BASE64:`
  std::string base;             ///< the signature base that was signed (for --debug)
};

/// Signs `request` (as it will be sent: every covered header must already be in it). Errors
/// name the problem (a malformed identifier, a component the request lacks, a key that does
/// not fit).
[[nodiscard]] Configured<SignedHeaders> sign_request(const RequestView& request, const UriBase& uri,
                                                     const SignOptions& options,
                                                     const detail::SigningKey* key,
                                                     const Secret* account_secret);

/// The Content-Digest value for a body: `sha-256=:BASE64:` (RFC 9530).
[[nodiscard]] std::string content_digest(std::string_view body);

}  // namespace approov::signing
