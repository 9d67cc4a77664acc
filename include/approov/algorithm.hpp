// JWS signature algorithms (RFC 7518 names).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace approov {

/// JWS algorithms (RFC 7518 names). A key allows exactly one; `none` does not exist here.
enum class Algorithm : std::uint8_t {
  HS256,
  RS256,
  RS384,
  RS512,
  PS256,
  PS384,
  PS512,
  ES256,
  ES384,
  ES512,
  EdDSA,
};

/// The RFC 7518 name, e.g. "ES256".
[[nodiscard]] std::string_view to_string(Algorithm algorithm) noexcept;
/// The algorithm with this exact (case-sensitive) name, or nothing.
[[nodiscard]] std::optional<Algorithm> algorithm_from_string(std::string_view name) noexcept;

}  // namespace approov
