// RFC 9110 field syntax, one definition for the library, the CLI, the sidecar and the adapters
// that read raw header lines themselves (cpp-httplib's engine, libmicrohttpd's read buffer), so
// that every part refuses the same bytes. Header-only, no state.
#pragma once

namespace approov::http {

/// RFC 9110 `tchar`: the characters of a field name or method token.
[[nodiscard]] constexpr bool is_tchar(char c) noexcept {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
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
[[nodiscard]] constexpr bool is_field_byte(unsigned char c) noexcept {
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

}  // namespace approov::http
