// Small text rules shared by the library, the CLI and the sidecar, so that each exists once:
// HTTP field-name characters, strict unsigned numbers, hex digits, JSON string quoting.
// Private to the project (never installed).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "approov/http_syntax.hpp"

namespace approov::text {

using http::is_tchar;  // RFC 9110 `tchar` (approov/http_syntax.hpp)

/// A non-empty RFC 9110 token (a field name, or a method).
[[nodiscard]] constexpr bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

/// The value of a hex digit, or -1.
[[nodiscard]] constexpr int hex_digit(unsigned char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Decimal digits only (no sign, no spaces, at most 19 digits), at most `max`. Writes `out`
/// only on success.
[[nodiscard]] constexpr bool parse_uint(std::string_view s, std::uint64_t max,
                                        std::uint64_t& out) noexcept {
  if (s.empty() || s.size() > 19) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return false;
  out = v;
  return true;
}

/// How `json_quote` treats bytes of 0x80 and above.
enum class NonAscii : std::uint8_t {
  keep,      ///< copied as they are (the caller knows the text is valid UTF-8)
  question,  ///< each becomes '?', so the result is valid UTF-8 whatever the input (log lines)
};

/// `s` as a JSON string literal, quotes included: `"` and `\` escaped, control characters and
/// DEL as \n, \r, \t or \u00XX.
[[nodiscard]] std::string json_quote(std::string_view s, NonAscii non_ascii = NonAscii::keep);

}  // namespace approov::text
