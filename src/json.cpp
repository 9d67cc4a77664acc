#include "json.hpp"

#include <cstring>

namespace approov::json {
namespace {

// More keys than any kMaxText-byte document can hold (`"":0,` is 5 bytes), so this is not an
// extra limit, just the size of the fixed key stack used for duplicate detection.
constexpr std::size_t kMaxKeys = kMaxText / 5 + 1;

struct KeyRef {
  std::uint32_t offset;
  std::uint16_t length;
  bool escaped;
};

constexpr bool is_noncharacter(std::uint32_t cp) noexcept {
  return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

int hex_value(unsigned char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads 4 hex digits at p (caller guarantees 4 bytes exist). Returns -1 if not hex.
long hex4(const unsigned char* p) noexcept {
  long v = 0;
  for (int i = 0; i < 4; ++i) {
    int h = hex_value(p[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

// Yields the UTF-8 bytes of a string: an already validated raw JSON string, unescaped as it
// goes, or (escaped == false) plain bytes taken literally, backslashes included.
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
    std::uint32_t cp = static_cast<std::uint32_t>(hex4(p_));
    p_ += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF) {  // validated: a low surrogate escape follows
      std::uint32_t low = static_cast<std::uint32_t>(hex4(p_ + 2));
      p_ += 6;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
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

bool raw_strings_equal(std::string_view a, bool a_escaped, std::string_view b,
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

class Parser {
 public:
  Parser(std::string_view text, MemberSink sink, void* context) noexcept
      : base_(reinterpret_cast<const unsigned char*>(text.data())),
        p_(base_),
        end_(base_ + text.size()),
        sink_(sink),
        context_(context) {}

  bool document() noexcept {
    skip_ws();
    if (p_ == end_ || *p_ != '{') return false;
    if (!object(/*top_level=*/true)) return false;
    skip_ws();
    return p_ == end_;
  }

 private:
  void skip_ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool literal(const char* word, std::size_t n) noexcept {
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  // p_ is at '{'.
  bool object(bool top_level) noexcept {
    if (++depth_ > kMaxDepth) return false;
    ++p_;
    const std::size_t first_key = key_count_;
    skip_ws();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      --depth_;
      return true;
    }
    for (;;) {
      if (p_ == end_ || *p_ != '"') return false;
      ++p_;
      const unsigned char* key_start = p_;
      bool key_escaped = false;
      if (!string_body(key_escaped)) return false;
      std::string_view key(reinterpret_cast<const char*>(key_start),
                           static_cast<std::size_t>(p_ - 1 - key_start));
      for (std::size_t i = first_key; i < key_count_; ++i) {
        const KeyRef& k = keys_[i];
        const char* other = reinterpret_cast<const char*>(base_) + k.offset;
        if (!key_escaped && !k.escaped) {
          // The common case, kept inline: keys of other lengths or first bytes differ cheaply.
          if (k.length == key.size() &&
              (key.empty() ||
               (other[0] == key[0] && std::memcmp(other, key.data(), key.size()) == 0))) {
            return false;  // duplicate
          }
        } else if (raw_strings_equal(key, key_escaped, std::string_view(other, k.length),
                                     k.escaped)) {
          return false;  // duplicate
        }
      }
      if (key_count_ == kMaxKeys) return false;
      keys_[key_count_++] = KeyRef{static_cast<std::uint32_t>(key_start - base_),
                                   static_cast<std::uint16_t>(key.size()), key_escaped};
      skip_ws();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      skip_ws();
      Member member;
      member.key = key;
      member.key_escaped = key_escaped;
      const unsigned char* value_start = p_;
      if (!value(member.type, member.value_escaped)) return false;
      if (top_level) {
        if (member.type == Type::string) {
          member.value = std::string_view(reinterpret_cast<const char*>(value_start) + 1,
                                          static_cast<std::size_t>(p_ - value_start - 2));
        } else {
          member.value = std::string_view(reinterpret_cast<const char*>(value_start),
                                          static_cast<std::size_t>(p_ - value_start));
        }
        if (!sink_(context_, member)) return false;
      }
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        skip_ws();
        continue;
      }
      if (*p_ != '}') return false;
      ++p_;
      key_count_ = first_key;  // this object's keys are no longer needed
      --depth_;
      return true;
    }
  }

  // p_ is at '['.
  bool array() noexcept {
    if (++depth_ > kMaxDepth) return false;
    ++p_;
    skip_ws();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      --depth_;
      return true;
    }
    for (;;) {
      Type t;
      bool escaped;
      if (!value(t, escaped)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        skip_ws();
        continue;
      }
      if (*p_ != ']') return false;
      ++p_;
      --depth_;
      return true;
    }
  }

  bool value(Type& type, bool& escaped) noexcept {
    escaped = false;
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        type = Type::object;
        return object(false);
      case '[':
        type = Type::array;
        return array();
      case '"':
        type = Type::string;
        ++p_;
        return string_body(escaped);
      case 't':
        type = Type::boolean;
        return literal("true", 4);
      case 'f':
        type = Type::boolean;
        return literal("false", 5);
      case 'n':
        type = Type::null;
        return literal("null", 4);
      default:
        type = Type::number;
        return number();
    }
  }

  bool digits() noexcept {
    const unsigned char* start = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != start;
  }

  bool number() noexcept {
    if (*p_ == '-') ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      digits();
    } else {
      return false;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (!digits()) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return false;
    }
    return true;
  }

  // p_ is just past the opening quote; on success it is just past the closing quote.
  bool string_body(bool& escaped) noexcept {
    for (;;) {
      skip_plain_string_bytes();
      if (p_ == end_) return false;
      unsigned char c = *p_;
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        escaped = true;
        if (!escape()) return false;
        continue;
      }
      if (c < 0x80) {
        ++p_;
        continue;
      }
      if (!utf8_sequence()) return false;
    }
  }

  // Advances p_ over bytes that need no attention inside a string (ASCII 0x20..0x7F other than
  // '"' and '\\'), eight at a time, stopping at the first byte that does (or near the end).
  void skip_plain_string_bytes() noexcept {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    constexpr std::uint64_t k01 = 0x0101010101010101;
    constexpr std::uint64_t k80 = 0x8080808080808080;
    while (end_ - p_ >= 8) {
      std::uint64_t v;
      std::memcpy(&v, p_, sizeof v);
      const std::uint64_t quote = v ^ (k01 * '"');
      const std::uint64_t backslash = v ^ (k01 * '\\');
      // High bit of a byte set for: a zero byte of `quote` or `backslash`, a byte below 0x20
      // (v - 0x20 wraps), a byte of 0x80 or more. Borrows can only mark bytes above a byte that
      // is itself marked, so the lowest marked byte is exact.
      const std::uint64_t special =
          (((quote - k01) & ~quote) | ((backslash - k01) & ~backslash) | (v - k01 * 0x20) | v) &
          k80;
      if (special != 0) {
        p_ += __builtin_ctzll(special) / 8;
        return;
      }
      p_ += 8;
    }
#endif
  }

  // p_ is at the backslash.
  bool escape() noexcept {
    if (end_ - p_ < 2) return false;
    switch (p_[1]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        p_ += 2;
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    if (end_ - p_ < 6) return false;
    long cp = hex4(p_ + 2);
    if (cp < 0) return false;
    p_ += 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // lone low surrogate
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u') return false;  // lone high surrogate
      long low = hex4(p_ + 2);
      if (low < 0xDC00 || low > 0xDFFF) return false;
      p_ += 6;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    return !is_noncharacter(static_cast<std::uint32_t>(cp));
  }

  // p_ is at a byte >= 0x80. Strict UTF-8: shortest form, no surrogates, at most U+10FFFF.
  bool utf8_sequence() noexcept {
    const unsigned char c = *p_;
    std::size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    std::uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      need = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      cp = c & 0x0F;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      cp = c & 0x07;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end_ - p_) <= need) return false;
    for (std::size_t i = 1; i <= need; ++i) {
      unsigned char b = p_[i];
      if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (is_noncharacter(cp)) return false;
    p_ += need + 1;
    return true;
  }

  const unsigned char* base_;
  const unsigned char* p_;
  const unsigned char* end_;
  MemberSink sink_;
  void* context_;
  int depth_ = 0;
  std::size_t key_count_ = 0;
  KeyRef keys_[kMaxKeys];
};

}  // namespace

bool parse_object(std::string_view text, MemberSink sink, void* context) noexcept {
  if (text.size() > kMaxText) return false;
  Parser parser(text, sink, context);
  return parser.document();
}

bool string_equals(std::string_view raw, bool escaped, std::string_view plain) noexcept {
  return raw_strings_equal(raw, escaped, plain, false);
}

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
