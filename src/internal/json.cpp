#include "json.hpp"

namespace approov::json {
namespace {

// Yields the UTF-8 bytes of a string: a raw JSON string validated by the reader (strict or
// lenient, so lone surrogate escapes may remain), unescaped as it goes, or (escaped == false)
// plain bytes taken literally, backslashes included.
class UnescapeCursor {
 public:
  UnescapeCursor(std::string_view raw, bool escaped) noexcept
      : p_(reinterpret_cast<const unsigned char*>(raw.data())),
        end_(p_ + raw.size()),
        escaped_(escaped) {}

  // Next byte (0..255), or -1 at the end.
  int next() noexcept {
    if (pending_pos_ < pending_len_) return pending_[pending_pos_++];
    if (p_ == end_) return -1;
    unsigned char c = *p_++;
    if (c != '\\' || !escaped_) return c;
    unsigned char e = *p_++;
    switch (e) {
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u':
        break;
      default:
        return e;  // '"', '\\', '/'
    }
    std::uint32_t cp = static_cast<std::uint32_t>(detail::hex4(p_));
    p_ += 4;
    // A high surrogate pairs with a low one that follows at once. The lenient reader lets
    // lone surrogates through, so the pair is checked, not assumed: a lone one is encoded as
    // it is (three bytes, as WTF-8 does) and nothing past the string is read.
    if (cp >= 0xD800 && cp <= 0xDBFF && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
      const long low = detail::hex4(p_ + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        p_ += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<std::uint32_t>(low) - 0xDC00);
      }
    }
    encode(cp);
    return pending_[pending_pos_++];
  }

 private:
  void encode(std::uint32_t cp) noexcept {
    pending_pos_ = 0;
    if (cp < 0x80) {
      pending_[0] = static_cast<unsigned char>(cp);
      pending_len_ = 1;
    } else if (cp < 0x800) {
      pending_[0] = static_cast<unsigned char>(0xC0 | (cp >> 6));
      pending_[1] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
      pending_len_ = 2;
    } else if (cp < 0x10000) {
      pending_[0] = static_cast<unsigned char>(0xE0 | (cp >> 12));
      pending_[1] = static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F));
      pending_[2] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
      pending_len_ = 3;
    } else {
      pending_[0] = static_cast<unsigned char>(0xF0 | (cp >> 18));
      pending_[1] = static_cast<unsigned char>(0x80 | ((cp >> 12) & 0x3F));
      pending_[2] = static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F));
      pending_[3] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
      pending_len_ = 4;
    }
  }

  const unsigned char* p_;
  const unsigned char* end_;
  bool escaped_;
  unsigned char pending_[4] = {};
  int pending_len_ = 0;
  int pending_pos_ = 0;
};

bool unescaped_equal(std::string_view a, bool a_escaped, std::string_view b,
                     bool b_escaped) noexcept {
  if (!a_escaped && !b_escaped) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
  }
  UnescapeCursor ca(a, a_escaped), cb(b, b_escaped);
  for (;;) {
    int x = ca.next();
    int y = cb.next();
    if (x != y) return false;
    if (x < 0) return true;
  }
}

}  // namespace

const char* describe(Problem problem) noexcept {
  switch (problem) {
    case Problem::none:
      return "no problem";
    case Problem::syntax:
      return "not JSON (RFC 8259 grammar)";
    case Problem::bad_utf8:
      return "invalid UTF-8";
    case Problem::control_character:
      return "raw control character in a string";
    case Problem::bad_escape:
      return "invalid escape in a string";
    case Problem::lone_surrogate:
      return "unpaired surrogate escape";
    case Problem::noncharacter:
      return "Unicode noncharacter";
    case Problem::duplicate_name:
      return "duplicate member name";
    case Problem::too_long:
      return "text too long";
    case Problem::too_deep:
      return "nesting deeper than 32 levels";
    case Problem::too_many_names:
      return "too many member names";
    case Problem::not_an_object:
      return "not a JSON object";
    case Problem::stopped:
      return "refused by the reader's handler";
  }
  return "unknown problem";
}

namespace detail {
bool raw_strings_equal(std::string_view a, bool a_escaped, std::string_view b,
                       bool b_escaped) noexcept {
  return unescaped_equal(a, a_escaped, b, b_escaped);
}
}  // namespace detail

bool array_contains_string(std::string_view raw_array, std::string_view plain) noexcept {
  // The text was validated by the parser, so a simple scanner that tracks strings and depth
  // is enough to visit the top-level elements.
  const char* p = raw_array.data();
  const char* end = p + raw_array.size();
  int depth = 0;
  while (p < end) {
    const char c = *p;
    if (c == '"') {
      const char* start = ++p;
      bool escaped = false;
      while (*p != '"') {
        if (*p == '\\') {
          escaped = true;
          ++p;
        }
        ++p;
      }
      if (depth == 1 && string_equals(std::string_view(start, static_cast<std::size_t>(p - start)),
                                      escaped, plain)) {
        return true;
      }
      ++p;
      continue;
    }
    if (c == '[' || c == '{') ++depth;
    if (c == ']' || c == '}') --depth;
    ++p;
  }
  return false;
}

std::size_t unescape(std::string_view raw, char* out) noexcept {
  UnescapeCursor cursor(raw, true);
  std::size_t n = 0;
  for (int c = cursor.next(); c >= 0; c = cursor.next()) out[n++] = static_cast<char>(c);
  return n;
}

}  // namespace approov::json
