// Exact comparison of JSON number text with integers, so that time claims such as
// `4708683205.891912` are compared as real numbers: no rounding, no float-to-int conversion.
#pragma once

#include <cstdint>
#include <string_view>

namespace approov::detail {

/// Compares the value of `number` (a JSON number already validated by the parser) with `t`.
/// Returns a negative value, zero or a positive value as number < t, == t, > t.
[[nodiscard]] int compare_number(std::string_view number, std::int64_t t) noexcept;

/// Nearest double of a JSON number (infinite if out of range); for display, never for checks.
[[nodiscard]] double number_to_double(std::string_view number) noexcept;

/// A JSON number (validated by the parser) read once for several exact comparisons and its
/// nearest double: `compare(t)` equals `compare_number(text, t)` and `to_double()` equals
/// `number_to_double(text)`. Common forms (-?INT(.FRAC)?) take exact fast paths; others fall
/// back to the general algorithms. Holds a view of the text.
class ParsedNumber {
 public:
  explicit ParsedNumber(std::string_view number) noexcept;
  [[nodiscard]] int compare(std::int64_t t) const noexcept;
  [[nodiscard]] double to_double() const noexcept;

 private:
  std::string_view text_;
  std::uint64_t integer_part_ = 0;
  double value_ = 0;
  bool negative_ = false;
  bool has_fraction_ = false;
  bool plain_ = false;         // integer_part_/has_fraction_ decide comparisons
  bool exact_double_ = false;  // value_ is the correctly rounded double
};

/// The general algorithms behind the two functions above, for any form of JSON number.
[[nodiscard]] int compare_number_text(std::string_view number, std::int64_t t) noexcept;
[[nodiscard]] double double_from_text(std::string_view number) noexcept;

}  // namespace approov::detail
