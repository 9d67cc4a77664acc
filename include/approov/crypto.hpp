// Small cryptographic helpers for tools and tests: SHA-256, HMAC-SHA256 and minting HS256
// tokens. Not used on the verification path (which keeps pre-keyed state instead).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace approov {

using Sha256Digest = std::array<std::uint8_t, 32>;

[[nodiscard]] Sha256Digest sha256(std::string_view data) noexcept;

[[nodiscard]] Sha256Digest hmac_sha256(const std::uint8_t* key, std::size_t key_size,
                                       std::string_view data) noexcept;

/// Builds a compact JWS: base64url(header_json) '.' base64url(payload_json) '.' base64url(
/// HMAC-SHA256(key, signing input)). The JSON is used as given, byte for byte, unchecked, so
/// tests can mint deliberately odd tokens. For real tokens use `approov-token gen`.
[[nodiscard]] std::string mint_hs256(std::string_view header_json, std::string_view payload_json,
                                     const std::uint8_t* key, std::size_t key_size);

/// The `pay` value for a bound header value: base64 (standard, padded) of its SHA-256.
[[nodiscard]] std::string pay_claim_for(std::string_view bound_value);

}  // namespace approov
