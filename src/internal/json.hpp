// The project's one JSON reader: strict RFC 8259 + I-JSON (RFC 7493), allocation-free,
// event-driven, with byte offsets. Private to the project (never installed); used by the token
// verifier (JOSE header and claims), the CLI (pretty printing and claim checks) and the
// JWK/JWKS parsers.
//
// One pass over the text. A handler receives events as the text is validated:
//
//   struct Handler {
//     // '{' or '[' opens at `offset`; `depth` counts the containers around it (0: top level).
//     bool begin(json::Type type, std::size_t depth, std::size_t offset);
//     // A member name of the object that encloses depth `depth` (so 1 for top-level members).
//     bool name(const json::Value& name, std::size_t depth);
//     // A complete value: a scalar, or a container once it has closed (raw = its whole text).
//     bool value(const json::Value& value, std::size_t depth);
//   };
//
// Returning false from an event stops the parse with `Problem::stopped`. Handlers must treat
// what they collected as void unless the parse succeeds: a document can fail after many
// events (a duplicate name or bad byte near its end).
//
// Hot-path use (the verifier): `Reader<Handler>` on the stack with the default `Options`
// needs no allocation; the whole handler is inlined (no indirect calls). Texts larger than
// `kMaxText` need `Options::max_size` and a caller-supplied key stack (`KeyStack`) for the
// duplicate-name check, which `parse_large` allocates once (start-up paths only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <type_traits>

#include "text.hpp"

namespace approov::json {

/// Nesting limit of objects and arrays (the top-level value counts as 1).
inline constexpr int kMaxDepth = 32;
/// Largest text accepted with the default options (a decoded JWS segment is at most ~6 KiB).
inline constexpr std::size_t kMaxText = 8192;

enum class Type : std::uint8_t { object, array, string, number, boolean, null };

/// What made a text unacceptable. Everything but `syntax`, `bad_utf8`, `control_character`,
/// `bad_escape`, `too_long`, `too_deep`, `stopped` and `not_an_object` is JSON that RFC 8259
/// alone would allow and the I-JSON rules refuse.
enum class Problem : std::uint8_t {
  none,
  syntax,             ///< not the RFC 8259 grammar (incl. trailing text, comments, NaN, ...)
  bad_utf8,           ///< not valid UTF-8 (overlong, surrogate, beyond U+10FFFF, truncated)
  control_character,  ///< a raw byte below 0x20 inside a string
  bad_escape,         ///< an escape RFC 8259 does not define (e.g. \' or \x)
  lone_surrogate,     ///< a \uD800-\uDFFF escape without its pair
  noncharacter,       ///< U+FDD0-U+FDEF or U+xFFFE/U+xFFFF, raw or escaped
  duplicate_name,     ///< an object repeats a member name (compared after unescaping)
  too_long,           ///< the text is longer than the limit
  too_deep,           ///< nesting deeper than the limit
  too_many_names,     ///< more member names than the key stack holds
  not_an_object,      ///< the top-level value is not an object (when one is required)
  stopped,            ///< the handler returned false
};

/// A short English description of a problem ("duplicate member name", ...), static.
[[nodiscard]] const char* describe(Problem problem) noexcept;

/// A value or member name as it appears in the text.
struct Value {
  Type type = Type::null;
  /// Raw text: for strings the bytes between the quotes (still escaped when `escaped`); for
  /// other scalars the literal or number text; for containers the whole text, brackets included.
  std::string_view raw;
  bool escaped = false;    ///< strings only: `raw` contains at least one backslash escape
  std::size_t offset = 0;  ///< byte offset of the value's first character in the document
};

struct Options {
  std::size_t max_size = kMaxText;
  int max_depth = kMaxDepth;
  bool require_object = true;  ///< the top-level value must be an object (JWS, JWK)
  /// The I-JSON refusals; a lenient reader (the CLI's `decode`, to show what a bad token holds)
  /// turns them off and reports the first one instead through `Result::warning`.
  bool strict = true;
};

/// Where the first problem is: `problem == none` means the text was accepted.
struct Result {
  Problem problem = Problem::none;
  std::size_t offset = 0;
  /// With `Options::strict == false`: the first I-JSON rule the text breaks (none if it keeps
  /// them all), and where; the parse itself went on.
  Problem warning = Problem::none;
  std::size_t warning_offset = 0;
  [[nodiscard]] bool ok() const noexcept { return problem == Problem::none; }
  explicit operator bool() const noexcept { return ok(); }
};

/// One remembered member name, for the duplicate check (8 bytes: the stack copy is small).
struct KeyRef {
  std::uint32_t offset;
  std::uint32_t length : 31;
  std::uint32_t escaped : 1;
};

/// Storage for the duplicate-name check: at most one entry per member name of the objects
/// open at once. `kDefaultKeys` entries are enough for any `kMaxText`-byte text (`"":0,` is
/// 5 bytes), so the default limits never report `too_many_names`.
inline constexpr std::size_t kDefaultKeys = kMaxText / 5 + 1;
struct KeyStack {
  KeyRef* data = nullptr;
  std::size_t capacity = 0;
};

namespace detail {

constexpr bool is_noncharacter(std::uint32_t cp) noexcept {
  return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

// Four hex digits at p (the caller guarantees 4 bytes), or -1.
inline long hex4(const unsigned char* p) noexcept {
  long v = 0;
  for (int i = 0; i < 4; ++i) {
    const int h = text::hex_digit(p[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

/// Equality of two raw strings after unescaping (either side may be plain bytes).
[[nodiscard]] bool raw_strings_equal(std::string_view a, bool a_escaped, std::string_view b,
                                     bool b_escaped) noexcept;

}  // namespace detail

template <class Handler>
class Reader {
 public:
  Reader(std::string_view text, Handler& handler, const Options& options, KeyStack keys) noexcept
      : base_(reinterpret_cast<const unsigned char*>(text.data())),
        p_(base_),
        end_(base_ + text.size()),
        handler_(handler),
        options_(options),
        keys_(keys) {}

  [[nodiscard]] Result run() noexcept {
    if (static_cast<std::size_t>(end_ - base_) > options_.max_size) {
      return fail_at(Problem::too_long, 0);
    }
    skip_ws();
    if (options_.require_object) {
      if (p_ == end_ || *p_ != '{') {
        return fail_at(p_ == end_ ? Problem::syntax : Problem::not_an_object, pos());
      }
      // The common case, without value()'s dispatch.
      const unsigned char* start = p_;
      if (!object(0)) return result_;
      Value v;
      v.type = Type::object;
      v.offset = static_cast<std::size_t>(start - base_);
      v.raw = span(start, p_);
      if (!emit_value(v, 0)) return result_;
    } else if (!value(0)) {
      return result_;
    }
    skip_ws();
    if (p_ != end_) return fail_at(Problem::syntax, pos());
    return result_;
  }

 private:
  std::size_t pos() const noexcept { return static_cast<std::size_t>(p_ - base_); }

  Result fail_at(Problem problem, std::size_t offset) noexcept {
    result_.problem = problem;
    result_.offset = offset;
    return result_;
  }
  bool fail(Problem problem) noexcept {
    fail_at(problem, pos());
    return false;
  }
  // An I-JSON rule broken at `offset`: fatal when strict, else remembered (the first one).
  bool breach(Problem problem, std::size_t offset) noexcept {
    if (options_.strict) {
      fail_at(problem, offset);
      return false;
    }
    if (result_.warning == Problem::none) {
      result_.warning = problem;
      result_.warning_offset = offset;
    }
    return true;
  }

  void skip_ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool literal(const char* word, std::size_t n) noexcept {
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) {
      return fail(Problem::syntax);
    }
    p_ += n;
    return true;
  }

  std::string_view span(const unsigned char* from, const unsigned char* to) const noexcept {
    return {reinterpret_cast<const char*>(from), static_cast<std::size_t>(to - from)};
  }

  bool stop_at(std::size_t offset) noexcept {
    fail_at(Problem::stopped, offset);
    return false;
  }

  bool emit_value(const Value& v, std::size_t depth) noexcept {
    return handler_.value(v, depth) || stop_at(v.offset);
  }

  // A value starts at p_ (whitespace already skipped); `depth` containers enclose it.
  bool value(std::size_t depth) noexcept {
    if (p_ == end_) return fail(Problem::syntax);
    const unsigned char* start = p_;
    Value v;
    v.offset = pos();
    switch (*p_) {
      case '{':
        if (!object(depth)) return false;
        v.type = Type::object;
        v.raw = span(start, p_);
        return emit_value(v, depth);
      case '[':
        if (!array(depth)) return false;
        v.type = Type::array;
        v.raw = span(start, p_);
        return emit_value(v, depth);
      case '"':
        ++p_;
        if (!string_body(v.escaped)) return false;
        v.type = Type::string;
        v.raw = span(start + 1, p_ - 1);
        return emit_value(v, depth);
      case 't':
        if (!literal("true", 4)) return false;
        v.type = Type::boolean;
        break;
      case 'f':
        if (!literal("false", 5)) return false;
        v.type = Type::boolean;
        break;
      case 'n':
        if (!literal("null", 4)) return false;
        v.type = Type::null;
        break;
      default:
        if (!number()) return false;
        v.type = Type::number;
        break;
    }
    v.raw = span(start, p_);
    return emit_value(v, depth);
  }

  bool open(Type type, std::size_t depth) noexcept {
    if (static_cast<int>(depth) + 1 > options_.max_depth) return fail(Problem::too_deep);
    if (!handler_.begin(type, depth, pos())) return fail(Problem::stopped);
    ++p_;
    skip_ws();
    return true;
  }

  // p_ is at '{'.
  bool object(std::size_t depth) noexcept {
    if (!open(Type::object, depth)) return false;
    const std::size_t first_key = key_count_;
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      if (p_ == end_ || *p_ != '"') return fail(Problem::syntax);
      const std::size_t name_offset = pos();
      ++p_;
      Value name;
      name.type = Type::string;
      name.offset = name_offset;
      const unsigned char* name_start = p_;
      if (!string_body(name.escaped)) return false;
      name.raw = span(name_start, p_ - 1);
      if (!remember_name(name, first_key)) return false;
      if (!handler_.name(name, depth + 1)) return stop_at(name_offset);
      skip_ws();
      if (p_ == end_ || *p_ != ':') return fail(Problem::syntax);
      ++p_;
      skip_ws();
      if (!value(depth + 1)) return false;
      skip_ws();
      if (p_ == end_) return fail(Problem::syntax);
      if (*p_ == ',') {
        ++p_;
        skip_ws();
        continue;
      }
      if (*p_ != '}') return fail(Problem::syntax);
      ++p_;
      key_count_ = first_key;  // this object's names are no longer needed
      return true;
    }
  }

  // Duplicate names are refused (I-JSON), compared after unescaping, within one object.
  bool remember_name(const Value& name, std::size_t first_key) noexcept {
    if (!options_.strict && result_.warning != Problem::none) return true;  // already warned
    const std::string_view key = name.raw;
    for (std::size_t i = first_key; i < key_count_; ++i) {
      const KeyRef& k = keys_.data[i];
      const char* other = reinterpret_cast<const char*>(base_) + k.offset;
      bool same;
      if (!name.escaped && k.escaped == 0) {
        // The common case, kept inline: names of other lengths or first bytes differ cheaply.
        same = k.length == key.size() &&
               (key.empty() ||
                (other[0] == key[0] && std::memcmp(other, key.data(), key.size()) == 0));
      } else {
        same = detail::raw_strings_equal(key, name.escaped, std::string_view(other, k.length),
                                         k.escaped != 0);
      }
      if (same) return breach(Problem::duplicate_name, name.offset);
    }
    if (key_count_ == keys_.capacity) {
      fail_at(Problem::too_many_names, name.offset);
      return false;
    }
    KeyRef& k = keys_.data[key_count_++];
    k.offset = static_cast<std::uint32_t>(key.data() - reinterpret_cast<const char*>(base_));
    k.length = static_cast<std::uint32_t>(key.size()) & 0x7FFFFFFFu;
    k.escaped = name.escaped ? 1u : 0u;
    return true;
  }

  // p_ is at '['.
  bool array(std::size_t depth) noexcept {
    if (!open(Type::array, depth)) return false;
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      if (!value(depth + 1)) return false;
      skip_ws();
      if (p_ == end_) return fail(Problem::syntax);
      if (*p_ == ',') {
        ++p_;
        skip_ws();
        continue;
      }
      if (*p_ != ']') return fail(Problem::syntax);
      ++p_;
      return true;
    }
  }

  bool digits() noexcept {
    const unsigned char* start = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != start;
  }

  bool number() noexcept {
    if (*p_ == '-') ++p_;
    if (p_ == end_) return fail(Problem::syntax);
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      digits();
    } else {
      return fail(Problem::syntax);
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (!digits()) return fail(Problem::syntax);
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return fail(Problem::syntax);
    }
    return true;
  }

  // p_ is just past the opening quote; on success it is just past the closing quote. Inlined
  // into its two callers: strings are most of a token's bytes and calls (measured).
  [[gnu::always_inline]] inline bool string_body(bool& escaped) noexcept {
    for (;;) {
      skip_plain_string_bytes();
      if (p_ == end_) return fail(Problem::syntax);
      const unsigned char c = *p_;
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return fail(Problem::control_character);
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
    const std::size_t at = pos();
    if (end_ - p_ < 2) return fail(Problem::syntax);
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
        return fail(Problem::bad_escape);
    }
    if (end_ - p_ < 6) return fail(Problem::syntax);
    long cp = detail::hex4(p_ + 2);
    if (cp < 0) return fail(Problem::bad_escape);
    p_ += 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return breach(Problem::lone_surrogate, at);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      const long low =
          (end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') ? detail::hex4(p_ + 2) : -1;
      if (low < 0xDC00 || low > 0xDFFF) return breach(Problem::lone_surrogate, at);
      p_ += 6;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (detail::is_noncharacter(static_cast<std::uint32_t>(cp))) {
      return breach(Problem::noncharacter, at);
    }
    return true;
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
      return fail(Problem::bad_utf8);
    }
    if (static_cast<std::size_t>(end_ - p_) <= need) return fail(Problem::bad_utf8);
    for (std::size_t i = 1; i <= need; ++i) {
      const unsigned char b = p_[i];
      if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return fail(Problem::bad_utf8);
      cp = (cp << 6) | (b & 0x3F);
    }
    const std::size_t at = pos();
    p_ += need + 1;
    if (detail::is_noncharacter(cp)) return breach(Problem::noncharacter, at);
    return true;
  }

  const unsigned char* base_;
  const unsigned char* p_;
  const unsigned char* end_;
  Handler& handler_;
  const Options& options_;
  KeyStack keys_;
  std::size_t key_count_ = 0;
  Result result_;
};

/// Parses `text` with `handler`, with the key stack on the stack: no allocation. The hot-path
/// entry point; `options.max_size` is capped at `kMaxText`.
template <class Handler>
[[nodiscard]] Result parse(std::string_view text, Handler& handler,
                           Options options = Options{}) noexcept {
  KeyRef keys[kDefaultKeys];
  if (options.max_size > kMaxText) options.max_size = kMaxText;
  return Reader<Handler>(text, handler, options, KeyStack{keys, kDefaultKeys}).run();
}

/// Same for texts beyond `kMaxText` (JWK/JWKS documents, configuration): allocates a key stack
/// for `options.max_size` bytes once. Start-up paths only; may throw std::bad_alloc.
template <class Handler>
[[nodiscard]] Result parse_large(std::string_view text, Handler& handler, const Options& options) {
  if (text.size() > options.max_size) return Result{Problem::too_long, 0};
  const std::size_t capacity = text.size() / 5 + 1;
  const auto keys = std::make_unique<KeyRef[]>(capacity);
  return Reader<Handler>(text, handler, options, KeyStack{keys.get(), capacity}).run();
}

/// A handler that ignores every event: `parse(text, skip)` only validates.
struct Validate {
  bool begin(Type, std::size_t, std::size_t) noexcept { return true; }
  bool name(const Value&, std::size_t) noexcept { return true; }
  bool value(const Value&, std::size_t) noexcept { return true; }
};

/// Adapts a callback on the top-level members of an object: `on_member(name, value)` is
/// called once per member, in document order, with the value complete (containers whole).
template <class OnMember>
struct TopLevelMembers {
  OnMember& on_member;
  Value current_name{};
  bool begin(Type, std::size_t, std::size_t) noexcept { return true; }
  bool name(const Value& n, std::size_t depth) noexcept {
    if (depth == 1) current_name = n;
    return true;
  }
  bool value(const Value& v, std::size_t depth) noexcept {
    return depth != 1 || on_member(current_name, v);
  }
};

/// Parses an object (default limits, no allocation) and calls `on_member(const Value& name,
/// const Value& value) -> bool` for each top-level member.
template <class OnMember>
[[nodiscard]] Result for_each_member(std::string_view object, OnMember&& on_member) noexcept {
  TopLevelMembers<std::remove_reference_t<OnMember>> members{on_member};
  return parse(object, members);
}

/// True if the raw (possibly escaped) string `raw` unescapes to exactly `plain`.
[[nodiscard]] inline bool string_equals(std::string_view raw, bool escaped,
                                        std::string_view plain) noexcept {
  return detail::raw_strings_equal(raw, escaped, plain, false);
}
[[nodiscard]] inline bool string_equals(const Value& v, std::string_view plain) noexcept {
  return v.type == Type::string && string_equals(v.raw, v.escaped, plain);
}

/// True if `raw_array`, the text of a validated JSON array, has a string element equal to
/// `plain` after unescaping.
[[nodiscard]] bool array_contains_string(std::string_view raw_array,
                                         std::string_view plain) noexcept;

/// Unescapes a raw JSON string validated by a Reader, strict or lenient (a lone surrogate
/// escape becomes its own three-bytes form), into `out` (which must have room for raw.size()
/// bytes; the result is never longer). Returns the number of bytes written.
std::size_t unescape(std::string_view raw, char* out) noexcept;

}  // namespace approov::json
