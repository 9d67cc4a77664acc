// Character classes and small validators shared by the structured-field parser and
// serializer (RFC 9651 §3 ABNF), so that both sides apply one definition of each rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../internal/text.hpp"

namespace approov::sf::chars {

constexpr bool is_digit(unsigned char c) noexcept {
  return c >= '0' && c <= '9';
}
constexpr bool is_lcalpha(unsigned char c) noexcept {
  return c >= 'a' && c <= 'z';
}
constexpr bool is_alpha(unsigned char c) noexcept {
  return is_lcalpha(c) || (c >= 'A' && c <= 'Z');
}
/// key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )
constexpr bool is_key_start(unsigned char c) noexcept {
  return is_lcalpha(c) || c == '*';
}
constexpr bool is_key_char(unsigned char c) noexcept {
  return is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.' || c == '*';
}
/// sf-token = ( ALPHA / "*" ) *( tchar / ":" / "/" )
constexpr bool is_token_start(unsigned char c) noexcept {
  return is_alpha(c) || c == '*';
}
constexpr bool is_token_char(unsigned char c) noexcept {
  return text::is_tchar(static_cast<char>(c)) || c == ':' || c == '/';
}
/// %x20-7E: what may appear unescaped in a String (besides '"' and '\') or a Display String.
constexpr bool is_visible_or_sp(unsigned char c) noexcept {
  return c >= 0x20 && c <= 0x7E;
}
constexpr bool is_base64_char(unsigned char c) noexcept {
  return is_alpha(c) || is_digit(c) || c == '+' || c == '/';
}
/// A lowercase hex digit's value (Display Strings allow no uppercase), or -1.
constexpr int lower_hex(unsigned char c) noexcept {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

constexpr bool is_key(std::string_view s) noexcept {
  if (s.empty() || !is_key_start(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!is_key_char(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

constexpr bool is_token(std::string_view s) noexcept {
  if (s.empty() || !is_token_start(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!is_token_char(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

/// The base64 that a Byte Sequence may hold (RFC 9651 §4.2.7 with RFC 4648 decoding):
/// alphabet A-Z a-z 0-9 + /; '=' only as padding at the end, and then a complete padding (the
/// length a multiple of 4, one or two '='); without padding, a length that is not 1 mod 4.
/// Padding may be missing and pad bits non-zero: §4.2.7 asks parsers to accept both.
constexpr bool base64_shape(std::string_view s) noexcept {
  std::size_t data = s.size();
  while (data > 0 && s[data - 1] == '=') --data;
  const std::size_t pad = s.size() - data;
  for (std::size_t i = 0; i < data; ++i) {
    if (!is_base64_char(static_cast<unsigned char>(s[i]))) return false;
  }
  if (pad > 2) return false;
  if (pad > 0 && s.size() % 4 != 0) return false;
  return data % 4 != 1;
}

/// An incremental UTF-8 validator (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
class Utf8 {
 public:
  /// Takes the next byte; false if the sequence can no longer be valid.
  constexpr bool feed(unsigned char b) noexcept {
    if (need_ == 0) {
      lo_ = 0x80;
      hi_ = 0xBF;
      if (b < 0x80) return true;
      if (b >= 0xC2 && b <= 0xDF) {
        need_ = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        need_ = 2;
        if (b == 0xE0) lo_ = 0xA0;  // overlong
        if (b == 0xED) hi_ = 0x9F;  // surrogates
      } else if (b >= 0xF0 && b <= 0xF4) {
        need_ = 3;
        if (b == 0xF0) lo_ = 0x90;  // overlong
        if (b == 0xF4) hi_ = 0x8F;  // beyond U+10FFFF
      } else {
        return false;
      }
      return true;
    }
    if (b < lo_ || b > hi_) return false;
    lo_ = 0x80;
    hi_ = 0xBF;
    --need_;
    return true;
  }
  /// No sequence is left open.
  [[nodiscard]] constexpr bool complete() const noexcept { return need_ == 0; }

 private:
  int need_ = 0;
  unsigned char lo_ = 0x80;
  unsigned char hi_ = 0xBF;
};

/// The 6-bit value of a base64 character (standard alphabet), or -1.
constexpr int base64_value(unsigned char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (is_digit(c)) return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

inline constexpr char kBase64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace approov::sf::chars
