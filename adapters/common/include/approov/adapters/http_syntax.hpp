// RFC 9110 field syntax for the adapters that read raw header lines themselves (cpp-httplib's
// engine, libmicrohttpd's read buffer): one definition, so that both refuse the same bytes.
// Header-only and installed with approov::adapters; the core's own copy is private to it.
#pragma once

namespace approov::adapters::detail {

/// RFC 9110 `tchar`: the characters of a field name or method token.
[[nodiscard]] inline bool is_tchar(unsigned char c) noexcept {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

/// A field value byte: visible ASCII, space, tab, or obs-text (0x80-0xFF); no other control.
[[nodiscard]] inline bool is_field_byte(unsigned char c) noexcept {
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

}  // namespace approov::adapters::detail
