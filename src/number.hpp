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

}  // namespace approov::detail
