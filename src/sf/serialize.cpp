// RFC 9651 §4.1 serialization: canonical text into a caller buffer. Parsed values (escaped or
// base64 text) and values built with make_*() (plain text) both serialize to the one canonical
// form: encoded text is decoded and re-encoded on the fly, never copied unchecked.
#include "structured_fields.hpp"

#include "sf_chars.hpp"

namespace approov::sf {
namespace {

// Appends to out[0, capacity); past the end it only counts, so that a `no_room` result can
// say how much room the text needs.
class Writer {
 public:
  Writer(char* out, std::size_t capacity) noexcept : out_(out), capacity_(capacity) {}

  void put(char c) noexcept {
    if (size_ < capacity_) out_[size_] = c;
    ++size_;
  }
  void put(std::string_view s) noexcept {
    for (char c : s) put(c);
  }
  bool fail(Error e) noexcept {
    if (error_ == Error::none) error_ = e;
    return false;
  }
  Written done() const noexcept {
    if (error_ != Error::none) return {error_, 0};
    if (size_ > capacity_) return {Error::no_room, size_};
    return {Error::none, size_};
  }

  // Digits of a non-negative value.
  void put_unsigned(std::uint64_t v) noexcept {
    char digits[20];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0) put(digits[--n]);
  }

 private:
  char* out_;
  std::size_t capacity_;
  std::size_t size_ = 0;
  Error error_ = Error::none;
};

constexpr std::uint64_t magnitude(std::int64_t v) noexcept {
  return v < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
}

// §4.1.4
bool integer(Writer& w, std::int64_t v) noexcept {
  if (v < -kMaxInteger || v > kMaxInteger) return w.fail(Error::integer_out_of_range);
  if (v < 0) w.put('-');
  w.put_unsigned(magnitude(v));
  return true;
}

// §4.1.5: round to three fractional digits (half to even), at most 12 integer digits.
bool decimal(Writer& w, std::int64_t mantissa, std::uint8_t scale) noexcept {
  if (scale > 18) return w.fail(Error::not_serializable);
  constexpr std::uint64_t kMaxMilli = 999'999'999'999'999;  // 999,999,999,999.999
  std::uint64_t pow10[19] = {1};
  for (int k = 1; k < 19; ++k) pow10[k] = pow10[k - 1] * 10;
  std::uint64_t m = magnitude(mantissa);
  std::uint64_t milli = 0;
  if (scale <= 3) {
    const std::uint64_t factor = pow10[3 - scale];
    if (m > kMaxMilli / factor) return w.fail(Error::decimal_out_of_range);
    milli = m * factor;
  } else {
    const std::uint64_t divisor = pow10[scale - 3];
    milli = m / divisor;
    const std::uint64_t rest = m % divisor;
    // rest vs divisor / 2 without overflow: divisor is even (a power of ten >= 10).
    if (rest > divisor / 2 || (rest == divisor / 2 && (milli & 1) != 0)) ++milli;
    if (milli > kMaxMilli) return w.fail(Error::decimal_out_of_range);
  }
  if (mantissa < 0 && milli != 0) w.put('-');  // a value that rounds to zero has no sign
  w.put_unsigned(milli / 1000);
  w.put('.');
  std::uint64_t fraction = milli % 1000;
  if (fraction == 0) {
    w.put('0');
    return true;
  }
  char digits[3] = {static_cast<char>('0' + fraction / 100),
                    static_cast<char>('0' + fraction / 10 % 10),
                    static_cast<char>('0' + fraction % 10)};
  int count = 3;
  while (digits[count - 1] == '0') --count;
  w.put(std::string_view(digits, static_cast<std::size_t>(count)));
  return true;
}

// §4.1.6. Encoded text was checked by the parser, but a caller may have built it: checked
// again, and the escapes are already canonical (only \" and \\ exist).
bool string(Writer& w, const BareItem& item) noexcept {
  const std::string_view t = item.text;
  w.put('"');
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto c = static_cast<unsigned char>(t[i]);
    if (!chars::is_visible_or_sp(c)) return w.fail(Error::not_serializable);
    if (item.encoded && c == '\\') {
      if (i + 1 == t.size() || (t[i + 1] != '"' && t[i + 1] != '\\')) {
        return w.fail(Error::not_serializable);
      }
      w.put('\\');
      w.put(t[++i]);
      continue;
    }
    if (item.encoded && c == '"') return w.fail(Error::not_serializable);
    if (c == '"' || c == '\\') w.put('\\');
    w.put(static_cast<char>(c));
  }
  w.put('"');
  return true;
}

// §4.1.7
bool token(Writer& w, std::string_view t) noexcept {
  if (!chars::is_token(t)) return w.fail(Error::not_serializable);
  w.put(t);
  return true;
}

void put_base64_group(Writer& w, const std::uint8_t* bytes, std::size_t n) noexcept {
  const std::uint32_t v = (std::uint32_t{bytes[0]} << 16) |
                          (n > 1 ? std::uint32_t{bytes[1]} << 8 : 0) | (n > 2 ? bytes[2] : 0);
  w.put(chars::kBase64[(v >> 18) & 63]);
  w.put(chars::kBase64[(v >> 12) & 63]);
  w.put(n > 1 ? chars::kBase64[(v >> 6) & 63] : '=');
  w.put(n > 2 ? chars::kBase64[v & 63] : '=');
}

// §4.1.8: padded standard base64. Parsed text is re-encoded group by group: whole groups are
// already canonical, the last one gets its padding and zero pad bits.
bool byte_sequence(Writer& w, const BareItem& item) noexcept {
  const std::string_view t = item.text;
  w.put(':');
  if (!item.encoded) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(t.data());
    for (std::size_t i = 0; i < t.size(); i += 3) {
      put_base64_group(w, p + i, t.size() - i < 3 ? t.size() - i : 3);
    }
  } else {
    if (!chars::base64_shape(t)) return w.fail(Error::not_serializable);
    std::size_t data = t.size();
    while (data > 0 && t[data - 1] == '=') --data;
    const std::size_t whole = data / 4 * 4;
    w.put(t.substr(0, whole));
    const std::size_t rest = data - whole;  // 0, 2 or 3
    if (rest > 0) {
      std::uint32_t v = 0;
      for (std::size_t k = 0; k < 4; ++k) {
        const int d = k < rest ? chars::base64_value(static_cast<unsigned char>(t[whole + k])) : 0;
        v = (v << 6) | static_cast<std::uint32_t>(d);
      }
      const std::uint8_t bytes[3] = {static_cast<std::uint8_t>(v >> 16),
                                     static_cast<std::uint8_t>(v >> 8),
                                     static_cast<std::uint8_t>(v)};
      put_base64_group(w, bytes, rest - 1);
    }
  }
  w.put(':');
  return true;
}

// §4.1.11: the UTF-8 bytes, with '%', '"' and everything outside %x20-7E as %xx (lowercase).
bool display_string(Writer& w, const BareItem& item) noexcept {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string_view t = item.text;
  chars::Utf8 utf8;
  w.put("%\"");
  for (std::size_t i = 0; i < t.size(); ++i) {
    auto b = static_cast<unsigned char>(t[i]);
    if (item.encoded) {
      if (!chars::is_visible_or_sp(b) || b == '"') return w.fail(Error::not_serializable);
      if (b == '%') {
        if (i + 2 >= t.size()) return w.fail(Error::not_serializable);
        const int hi = chars::lower_hex(static_cast<unsigned char>(t[i + 1]));
        const int lo = chars::lower_hex(static_cast<unsigned char>(t[i + 2]));
        if (hi < 0 || lo < 0) return w.fail(Error::not_serializable);
        b = static_cast<unsigned char>(hi * 16 + lo);
        i += 2;
      }
    }
    if (!utf8.feed(b)) return w.fail(Error::not_serializable);
    if (b == '%' || b == '"' || !chars::is_visible_or_sp(b)) {
      w.put('%');
      w.put(kHex[b >> 4]);
      w.put(kHex[b & 15]);
    } else {
      w.put(static_cast<char>(b));
    }
  }
  if (!utf8.complete()) return w.fail(Error::not_serializable);
  w.put('"');
  return true;
}

// §4.1.3.1
bool bare_item(Writer& w, const BareItem& item) noexcept {
  switch (item.type) {
    case Type::integer:
      return integer(w, item.number);
    case Type::decimal:
      return decimal(w, item.number, item.scale);
    case Type::string:
      return string(w, item);
    case Type::token:
      return token(w, item.text);
    case Type::byte_sequence:
      return byte_sequence(w, item);
    case Type::boolean:
      w.put(item.boolean ? "?1" : "?0");
      return true;
    case Type::date:
      w.put('@');
      return integer(w, item.number);
    case Type::display_string:
      return display_string(w, item);
  }
  return w.fail(Error::not_serializable);
}

// §4.1.1.3
bool key(Writer& w, std::string_view k) noexcept {
  if (!chars::is_key(k)) return w.fail(Error::not_serializable);
  w.put(k);
  return true;
}

bool is_true(const BareItem& v) noexcept {
  return v.type == Type::boolean && v.boolean;
}

// §4.1.1.2: a Boolean true value is left out.
bool parameters(Writer& w, Parameters params) noexcept {
  for (const Parameter& p : params) {
    w.put(';');
    if (!key(w, p.key)) return false;
    if (!is_true(p.value)) {
      w.put('=');
      if (!bare_item(w, p.value)) return false;
    }
  }
  return true;
}

// §4.1.3
bool item(Writer& w, const BareItem& value, Parameters params) noexcept {
  return bare_item(w, value) && parameters(w, params);
}

// §4.1.1.1
bool inner_list(Writer& w, Span<Item> items, Parameters params) noexcept {
  w.put('(');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) w.put(' ');
    if (!item(w, items[i].value, items[i].params)) return false;
  }
  w.put(')');
  return parameters(w, params);
}

bool member_value(Writer& w, const Member& m) noexcept {
  return m.inner_list ? inner_list(w, m.items, m.params) : item(w, m.value, m.params);
}

}  // namespace

Written serialize_dictionary(const Dictionary& dict, char* out, std::size_t capacity) noexcept {
  Writer w(out, capacity);
  // §4.1.2
  for (std::size_t i = 0; i < dict.members.size(); ++i) {
    const Member& m = dict.members[i];
    if (i > 0) w.put(", ");
    if (!key(w, m.key)) break;
    if (!m.inner_list && is_true(m.value)) {
      if (!parameters(w, m.params)) break;
    } else {
      w.put('=');
      if (!member_value(w, m)) break;
    }
  }
  return w.done();
}

Written serialize_list(const List& list, char* out, std::size_t capacity) noexcept {
  Writer w(out, capacity);
  // §4.1.1
  for (std::size_t i = 0; i < list.members.size(); ++i) {
    if (i > 0) w.put(", ");
    if (!member_value(w, list.members[i])) break;
  }
  return w.done();
}

Written serialize_item(const Item& it, char* out, std::size_t capacity) noexcept {
  Writer w(out, capacity);
  item(w, it.value, it.params);
  return w.done();
}

Written serialize_inner_list(Span<Item> items, Parameters params, char* out,
                             std::size_t capacity) noexcept {
  Writer w(out, capacity);
  inner_list(w, items, params);
  return w.done();
}

Written serialize_member_value(const Member& member, char* out, std::size_t capacity) noexcept {
  Writer w(out, capacity);
  member_value(w, member);
  return w.done();
}

Written serialize_bare_item(const BareItem& value, char* out, std::size_t capacity) noexcept {
  Writer w(out, capacity);
  bare_item(w, value);
  return w.done();
}

Written serialize_parameters(Parameters params, char* out, std::size_t capacity) noexcept {
  Writer w(out, capacity);
  parameters(w, params);
  return w.done();
}

}  // namespace approov::sf
