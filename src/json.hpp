// Strict RFC 8259 + I-JSON (RFC 7493) parser for the small objects inside a JWS.
// Private to the library. Allocation-free: one pass over the text, a fixed stack of keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace approov::json {

/// Maximum nesting depth of objects and arrays (the top-level object counts as 1).
inline constexpr int kMaxDepth = 32;
/// Longest text accepted (a decoded JWS segment is at most ~6 KiB).
inline constexpr std::size_t kMaxText = 8192;

enum class Type : std::uint8_t { object, array, string, number, boolean, null };

/// A top-level member of the parsed object. `key` and (for strings) the value are the raw
/// bytes between the quotes, still escaped when `*_escaped` is set.
struct Member {
  std::string_view key;
  bool key_escaped = false;
  Type type = Type::null;
  /// Raw JSON text of the value (for strings, without the quotes).
  std::string_view value;
  bool value_escaped = false;
};

/// Called once per top-level member, in document order. Returning false stops the parse
/// (which then reports failure).
using MemberSink = bool (*)(void* context, const Member& member) noexcept;

/// Parses `text` as one JSON object with nothing but whitespace around it. Rejects anything
/// outside RFC 8259, invalid UTF-8 (incl. overlong forms and encoded surrogates), lone or
/// reversed surrogate escapes, noncharacters (I-JSON), control characters in strings, nesting
/// deeper than kMaxDepth, and duplicate member names in any object (compared after unescaping).
/// Members are reported to `sink` as they are parsed, so a caller must discard what it
/// collected when this returns false. Texts longer than kMaxText are rejected.
[[nodiscard]] bool parse_object(std::string_view text, MemberSink sink, void* context) noexcept;

/// True if the raw (possibly escaped) string `raw` unescapes to exactly `plain`.
[[nodiscard]] bool string_equals(std::string_view raw, bool escaped,
                                 std::string_view plain) noexcept;

/// True if `raw_array`, the text of a validated JSON array, has a string element equal to
/// `plain` after unescaping.
[[nodiscard]] bool array_contains_string(std::string_view raw_array,
                                         std::string_view plain) noexcept;

/// Unescapes a validated raw JSON string into `out` (which must have room for raw.size()
/// bytes; the result is never longer). Returns the number of bytes written.
std::size_t unescape(std::string_view raw, char* out) noexcept;

}  // namespace approov::json
