// Values of parsed Bare Items (escapes, base64 and percent-encoding removed) into caller
// buffers, and the error descriptions.
#include "structured_fields.hpp"

#include "approov/base64.hpp"
#include "sf_chars.hpp"

namespace approov::sf {

const char* describe(Error error) noexcept {
  switch (error) {
    case Error::none:
      return "no error";
    case Error::too_long:
      return "field value too long";
    case Error::unexpected_end:
      return "unexpected end of field value";
    case Error::unexpected_character:
      return "unexpected character";
    case Error::bad_key:
      return "bad key";
    case Error::bad_integer:
      return "bad integer";
    case Error::bad_decimal:
      return "bad decimal";
    case Error::bad_string:
      return "bad string";
    case Error::bad_byte_sequence:
      return "bad byte sequence";
    case Error::bad_boolean:
      return "bad boolean";
    case Error::bad_date:
      return "bad date";
    case Error::bad_display_string:
      return "bad display string";
    case Error::bad_inner_list:
      return "bad inner list";
    case Error::missing_comma:
      return "members not separated by a comma";
    case Error::trailing_comma:
      return "trailing comma";
    case Error::trailing_text:
      return "text after the item";
    case Error::too_many_members:
      return "too many members";
    case Error::too_many_items:
      return "too many inner list items";
    case Error::too_many_parameters:
      return "too many parameters";
    case Error::duplicate_key:
      return "duplicate dictionary key";
    case Error::duplicate_parameter:
      return "duplicate parameter";
    case Error::no_room:
      return "output buffer too small";
    case Error::integer_out_of_range:
      return "integer out of range";
    case Error::decimal_out_of_range:
      return "decimal out of range";
    case Error::not_serializable:
      return "value cannot be serialized";
  }
  return "unknown error";
}

std::ptrdiff_t decode_string(const BareItem& item, char* out, std::size_t capacity) noexcept {
  if (item.type != Type::string) return -1;
  const std::string_view t = item.text;
  std::size_t n = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (n == capacity) return -1;
    // Parsed escapes are \" and \\ only: the escaped character follows the backslash.
    if (item.encoded && t[i] == '\\' && i + 1 < t.size()) ++i;
    out[n++] = t[i];
  }
  return static_cast<std::ptrdiff_t>(n);
}

bool string_equals(const BareItem& item, std::string_view chars) noexcept {
  if (item.type != Type::string) return false;
  if (!item.encoded) return item.text == chars;
  const std::string_view t = item.text;
  std::size_t j = 0;
  for (std::size_t i = 0; i < t.size(); ++i, ++j) {
    if (t[i] == '\\' && i + 1 < t.size()) ++i;
    if (j == chars.size() || chars[j] != t[i]) return false;
  }
  return j == chars.size();
}

std::ptrdiff_t decode_byte_sequence(const BareItem& item, std::uint8_t* out,
                                    std::size_t capacity) noexcept {
  if (item.type != Type::byte_sequence) return -1;
  const std::string_view t = item.text;
  if (!item.encoded) {
    if (t.size() > capacity) return -1;
    for (std::size_t i = 0; i < t.size(); ++i) out[i] = static_cast<std::uint8_t>(t[i]);
    return static_cast<std::ptrdiff_t>(t.size());
  }
  if (!chars::base64_shape(t)) return -1;
  std::size_t data = t.size();
  while (data > 0 && t[data - 1] == '=') --data;
  const std::size_t whole = data / 4 * 4;
  const std::size_t rest = data - whole;  // 0, 2 or 3
  const std::size_t total = whole / 4 * 3 + (rest > 0 ? rest - 1 : 0);
  if (total > capacity) return -1;
  // Whole groups through the library's strict decoder; the last partial group by hand, so
  // that its pad bits are ignored as RFC 9651 §4.2.7 asks.
  const std::ptrdiff_t head = base64::decode(t.substr(0, whole), base64::Alphabet::standard,
                                             base64::Padding::forbidden, out, capacity);
  if (head < 0) return -1;
  if (rest > 0) {
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < rest; ++k) {
      v = (v << 6) |
          static_cast<std::uint32_t>(chars::base64_value(static_cast<unsigned char>(t[whole + k])));
    }
    if (rest == 2) {
      out[head] = static_cast<std::uint8_t>(v >> 4);
    } else {
      out[head] = static_cast<std::uint8_t>(v >> 10);
      out[head + 1] = static_cast<std::uint8_t>(v >> 2);
    }
  }
  return static_cast<std::ptrdiff_t>(total);
}

bool byte_sequence_is_canonical(const BareItem& item) noexcept {
  if (item.type != Type::byte_sequence) return false;
  if (!item.encoded) return true;
  const std::string_view t = item.text;
  if (!chars::base64_shape(t) || t.size() % 4 != 0) return false;
  std::size_t data = t.size();
  while (data > 0 && t[data - 1] == '=') --data;
  if (data == t.size()) return true;
  const int last = chars::base64_value(static_cast<unsigned char>(t[data - 1]));
  const int unused_bits = data % 4 == 2 ? 15 : 3;  // "xx==": 4 bits, "xxx=": 2 bits
  return (last & unused_bits) == 0;
}

std::ptrdiff_t decode_display_string(const BareItem& item, char* out,
                                     std::size_t capacity) noexcept {
  if (item.type != Type::display_string) return -1;
  const std::string_view t = item.text;
  std::size_t n = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (n == capacity) return -1;
    auto b = static_cast<unsigned char>(t[i]);
    if (item.encoded && b == '%') {
      if (i + 2 >= t.size()) return -1;
      const int hi = chars::lower_hex(static_cast<unsigned char>(t[i + 1]));
      const int lo = chars::lower_hex(static_cast<unsigned char>(t[i + 2]));
      if (hi < 0 || lo < 0) return -1;
      b = static_cast<unsigned char>(hi * 16 + lo);
      i += 2;
    }
    out[n++] = static_cast<char>(b);
  }
  return static_cast<std::ptrdiff_t>(n);
}

}  // namespace approov::sf
