// RFC 9651 Structured Field Values: a strict parser and a canonical serializer, for the
// message-signing headers (`Signature-Input`, `Signature`, `Content-Digest`) and the RFC 9421
// signature base built from them. Private to the library (never installed).
//
// Contracts:
//  - Parsing follows RFC 9651 §4.2 step by step; any error rejects the whole field, nothing is
//    repaired. The input is one combined field value (several field lines already joined with
//    ", "), at most `ParseOptions::max_size` bytes.
//  - No exceptions and no allocation. What a parse finds is written into a caller-supplied
//    `Arena` (fixed capacities for members, inner-list items and parameters); running out of
//    room is an error (`too_many_members`, ...), never a partial result.
//  - Values are views: keys, tokens, and the text of strings, byte sequences, display strings
//    and numbers point into the input (so the input must outlive the result). `decode_*` turn
//    them into values in caller buffers.
//  - Duplicate Dictionary keys and duplicate parameter keys follow the RFC ("last one wins",
//    at the position of the first occurrence) and are reported in `Result`, or rejected with
//    `ParseOptions::reject_duplicates`: the signature layer must refuse a repeated label.
//  - Serialization writes RFC 9651 §4.1 canonical text into a caller buffer; a value the RFC
//    cannot serialize (an Integer out of range, a String with a control character, ...) is an
//    error, never silently changed, except that Decimals are rounded to three fractional digits
//    (half to even) as §4.1.5 requires.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace approov::sf {

/// Default limit on a combined field value (the message-signing headers' limit).
inline constexpr std::size_t kMaxFieldSize = 8192;
/// Integers (and Dates) are within ±999,999,999,999,999 (15 digits).
inline constexpr std::int64_t kMaxInteger = 999'999'999'999'999;

enum class Type : std::uint8_t {
  integer,
  decimal,
  string,
  token,
  byte_sequence,
  boolean,
  date,
  display_string,
};

enum class Error : std::uint8_t {
  none,
  // Parsing.
  too_long,              ///< the input is longer than ParseOptions::max_size
  unexpected_end,        ///< the input ended where a value was due
  unexpected_character,  ///< a character that cannot start what is due here
  bad_key,               ///< a key not starting with a-z or '*'
  bad_integer,           ///< '-' without digit, or more than 15 digits
  bad_decimal,           ///< over 12 integer or 3 fractional digits, or a final '.'
  bad_string,            ///< bad escape, a character outside %x20-7E, or no closing quote
  bad_byte_sequence,     ///< no closing ':', or not base64
  bad_boolean,           ///< '?' not followed by 0 or 1
  bad_date,              ///< '@' not followed by an Integer
  bad_display_string,    ///< bad %-escape (lowercase hex only), bad character, not UTF-8
  bad_inner_list,        ///< an item not followed by SP or ')', or no closing ')'
  missing_comma,         ///< List/Dictionary members not separated by ','
  trailing_comma,        ///< a ',' with no member after it
  trailing_text,         ///< text after a complete Item
  too_many_members,      ///< the arena's member capacity is exhausted
  too_many_items,        ///< the arena's inner-list item capacity is exhausted
  too_many_parameters,   ///< the arena's parameter capacity is exhausted
  duplicate_key,         ///< a Dictionary key repeated (only with reject_duplicates)
  duplicate_parameter,   ///< a parameter key repeated (only with reject_duplicates)
  // Serialization.
  no_room,               ///< the output buffer is too small (Written::size says how much)
  integer_out_of_range,  ///< an Integer or Date beyond ±999,999,999,999,999
  decimal_out_of_range,  ///< a Decimal with more than 12 integer digits after rounding
  not_serializable,      ///< a value the RFC cannot represent (bad key/token/string/UTF-8)
};

/// A short English description ("duplicate dictionary key", ...), static storage.
[[nodiscard]] const char* describe(Error error) noexcept;

/// A read-only view of `size` consecutive `T` (C++17 has no std::span).
template <class T>
class Span {
 public:
  constexpr Span() noexcept = default;
  constexpr Span(const T* data, std::size_t size) noexcept : data_(data), size_(size) {}
  template <std::size_t N>
  constexpr Span(const T (&array)[N]) noexcept : data_(array), size_(N) {}  // NOLINT
  [[nodiscard]] constexpr const T* begin() const noexcept { return data_; }
  [[nodiscard]] constexpr const T* end() const noexcept { return data_ + size_; }
  [[nodiscard]] constexpr const T* data() const noexcept { return data_; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] constexpr const T& operator[](std::size_t i) const noexcept { return data_[i]; }

 private:
  const T* data_ = nullptr;
  std::size_t size_ = 0;
};

/// A Bare Item. What the fields mean depends on `type`:
///  - integer, date: `number` is the value;
///  - decimal: the value is `number` × 10^-`scale` (parsed Decimals have scale 1 to 3; a
///    value built for serialization may have any scale up to 18 and is rounded on output);
///  - boolean: `boolean`;
///  - token: `text` is the token;
///  - string, display_string, byte_sequence: `text` is the value itself when `encoded` is
///    false, and the wire form between the delimiters when it is true: backslash escapes
///    (string), %xx escapes (display string), base64 (byte sequence, always encoded when
///    parsed). The parser sets `encoded` only when escapes are present, so an unescaped
///    String's `text` is its value. Use decode_string() & co. for the value.
///  - numbers and dates from the parser also keep their text in `text` ("-01.50", no '@').
struct BareItem {
  Type type = Type::boolean;
  bool boolean = true;
  bool encoded = false;
  std::uint8_t scale = 0;
  std::int64_t number = 0;
  std::string_view text;
};

/// Bare Items for serialization (`encoded` false: the text is the value).
[[nodiscard]] constexpr BareItem make_integer(std::int64_t v) noexcept {
  return {Type::integer, false, false, 0, v, {}};
}
/// The Decimal `mantissa` × 10^-`scale` (scale 0 to 18).
[[nodiscard]] constexpr BareItem make_decimal(std::int64_t mantissa, std::uint8_t scale) noexcept {
  return {Type::decimal, false, false, scale, mantissa, {}};
}
[[nodiscard]] constexpr BareItem make_string(std::string_view chars) noexcept {
  return {Type::string, false, false, 0, 0, chars};
}
[[nodiscard]] constexpr BareItem make_token(std::string_view token) noexcept {
  return {Type::token, false, false, 0, 0, token};
}
[[nodiscard]] constexpr BareItem make_byte_sequence(std::string_view bytes) noexcept {
  return {Type::byte_sequence, false, false, 0, 0, bytes};
}
[[nodiscard]] constexpr BareItem make_boolean(bool v) noexcept {
  return {Type::boolean, v, false, 0, 0, {}};
}
[[nodiscard]] constexpr BareItem make_date(std::int64_t seconds) noexcept {
  return {Type::date, false, false, 0, seconds, {}};
}
/// `utf8` must be valid UTF-8 (checked when serialized).
[[nodiscard]] constexpr BareItem make_display_string(std::string_view utf8) noexcept {
  return {Type::display_string, false, false, 0, 0, utf8};
}

struct Parameter {
  std::string_view key;
  BareItem value;  ///< Boolean true when the parameter has no "=value"
};
using Parameters = Span<Parameter>;

struct Item {
  BareItem value;
  Parameters params;
};

/// A member of a List or a Dictionary: an Item or an Inner List, each with parameters.
struct Member {
  std::string_view key;     ///< Dictionary members only (empty in a List)
  bool inner_list = false;  ///< which of the two the member is
  BareItem value;           ///< an Item's bare item (Boolean true for a bare Dictionary key)
  Span<Item> items;         ///< an Inner List's items
  Parameters params;        ///< the Item's or the Inner List's parameters
};

struct List {
  Span<Member> members;
};

/// Keys are unique (a repeated key kept its first position and took the last value).
struct Dictionary {
  Span<Member> members;
  /// The member with this key, or nullptr.
  [[nodiscard]] const Member* find(std::string_view key) const noexcept;
};

/// The parameter with this key, or nullptr (keys are unique in parsed Parameters).
[[nodiscard]] const Parameter* find(Parameters params, std::string_view key) noexcept;

/// Storage that parses fill: caller-owned arrays and how much of each is in use. Parses
/// append (one arena can hold several parsed fields at once) and take back what they used if
/// they fail; clear() makes all of it reusable (invalidating earlier results). Storage taken
/// by the earlier value of a repeated Dictionary key is not reclaimed. Not thread-safe.
class Arena {
 public:
  Arena(Member* members, std::size_t member_capacity, Item* items, std::size_t item_capacity,
        Parameter* params, std::size_t param_capacity) noexcept
      : members_(members),
        items_(items),
        params_(params),
        member_capacity_(member_capacity),
        item_capacity_(item_capacity),
        param_capacity_(param_capacity) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  void clear() noexcept { members_used_ = items_used_ = params_used_ = 0; }
  [[nodiscard]] std::size_t members_used() const noexcept { return members_used_; }
  [[nodiscard]] std::size_t items_used() const noexcept { return items_used_; }
  [[nodiscard]] std::size_t params_used() const noexcept { return params_used_; }

 private:
  friend class Parser;
  Member* members_;
  Item* items_;
  Parameter* params_;
  std::size_t member_capacity_;
  std::size_t item_capacity_;
  std::size_t param_capacity_;
  std::size_t members_used_ = 0;
  std::size_t items_used_ = 0;
  std::size_t params_used_ = 0;
};

/// An Arena with its storage inside: `FixedArena<8, 32, 32> arena;` (on x86-64: 88 bytes
/// per member and 48 per item or parameter, so that one is about 3.7 KiB of stack).
template <std::size_t Members, std::size_t Items, std::size_t Params>
class FixedArena : public Arena {
 public:
  FixedArena() noexcept : Arena(members_, Members, items_, Items, params_, Params) {}

 private:
  Member members_[Members];
  Item items_[Items];
  Parameter params_[Params];
};

struct ParseOptions {
  std::size_t max_size = kMaxFieldSize;
  /// Fail with duplicate_key / duplicate_parameter instead of "last one wins".
  bool reject_duplicates = false;
};

struct Result {
  Error error = Error::none;
  std::size_t offset = 0;            ///< where the error was found
  bool duplicate_key = false;        ///< a Dictionary key occurred more than once
  bool duplicate_parameter = false;  ///< some Parameters repeated a key
  [[nodiscard]] bool ok() const noexcept { return error == Error::none; }
  explicit operator bool() const noexcept { return ok(); }
};

/// RFC 9651 §4.2 with field type Dictionary / List / Item. On failure `out` is left empty and
/// the arena as it was.
[[nodiscard]] Result parse_dictionary(std::string_view input, Arena& arena, Dictionary& out,
                                      const ParseOptions& options = {}) noexcept;
[[nodiscard]] Result parse_list(std::string_view input, Arena& arena, List& out,
                                const ParseOptions& options = {}) noexcept;
[[nodiscard]] Result parse_item(std::string_view input, Arena& arena, Item& out,
                                const ParseOptions& options = {}) noexcept;

/// What a serializer wrote: `size` bytes, or on `no_room` the size the output needs.
struct Written {
  Error error = Error::none;
  std::size_t size = 0;
  [[nodiscard]] bool ok() const noexcept { return error == Error::none; }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] std::string_view view(const char* out) const noexcept {
    return ok() ? std::string_view(out, size) : std::string_view();
  }
};

/// RFC 9651 §4.1 canonical serialization into out[0, capacity). Nothing is promised about
/// the buffer's content on error. An empty List or Dictionary serializes as "" (the RFC's
/// "do not send the field").
[[nodiscard]] Written serialize_dictionary(const Dictionary& dict, char* out,
                                           std::size_t capacity) noexcept;
[[nodiscard]] Written serialize_list(const List& list, char* out, std::size_t capacity) noexcept;
[[nodiscard]] Written serialize_item(const Item& item, char* out, std::size_t capacity) noexcept;
/// One Inner List with its parameters: `("@method" "@target-uri");created=1;keyid="k"`, the
/// `@signature-params` value of RFC 9421.
[[nodiscard]] Written serialize_inner_list(Span<Item> items, Parameters params, char* out,
                                           std::size_t capacity) noexcept;
/// A member's value without its key: the Item (a bare Dictionary key is `?1`) or the Inner
/// List, with parameters: RFC 9421's `;key="k"` component value.
[[nodiscard]] Written serialize_member_value(const Member& member, char* out,
                                             std::size_t capacity) noexcept;
[[nodiscard]] Written serialize_bare_item(const BareItem& item, char* out,
                                          std::size_t capacity) noexcept;
[[nodiscard]] Written serialize_parameters(Parameters params, char* out,
                                           std::size_t capacity) noexcept;

/// The characters of a String (escapes removed) into out; their count (never more than
/// `item.text.size()`), or -1 if `item` is not a String or out is too small.
[[nodiscard]] std::ptrdiff_t decode_string(const BareItem& item, char* out,
                                           std::size_t capacity) noexcept;
/// Whether `item` is a String whose characters are exactly `chars` (no buffer needed).
[[nodiscard]] bool string_equals(const BareItem& item, std::string_view chars) noexcept;
/// The bytes of a Byte Sequence into out; their count, or -1 if `item` is not a Byte
/// Sequence or out is too small (base64::max_decoded_size(text.size()) always suffices).
/// Accepts what the parser accepts: missing '=' padding and non-zero pad bits (RFC 9651
/// §4.2.7 asks parsers to); use byte_sequence_is_canonical() to refuse them.
[[nodiscard]] std::ptrdiff_t decode_byte_sequence(const BareItem& item, std::uint8_t* out,
                                                  std::size_t capacity) noexcept;
/// Whether a parsed Byte Sequence is in the one form the serializer writes (padded, zero pad
/// bits), so that its text identifies its bytes.
[[nodiscard]] bool byte_sequence_is_canonical(const BareItem& item) noexcept;
/// The UTF-8 text of a Display String (percent escapes removed; validated by the parser)
/// into out; its size (never more than `item.text.size()`), or -1.
[[nodiscard]] std::ptrdiff_t decode_display_string(const BareItem& item, char* out,
                                                   std::size_t capacity) noexcept;

}  // namespace approov::sf
