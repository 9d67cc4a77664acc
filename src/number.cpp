#include "number.hpp"

#include <charconv>
#include <limits>

namespace approov::detail {

int compare_number(std::string_view number, std::int64_t t) noexcept {
  std::size_t i = 0;
  const std::size_t n = number.size();
  const bool negative = n > 0 && number[0] == '-';
  if (negative) ++i;

  // Significant digits (integer then fraction part, leading zeros dropped) and the power of
  // ten that scales them: value = digits * 10^scale.
  const char* digits = nullptr;  // first significant digit, inside `number`
  std::int64_t digit_count = 0;  // significant digits, counting across the '.'
  std::int64_t fraction_digits = 0;
  std::size_t first_significant = n;
  for (bool in_fraction = false; i < n; ++i) {
    const char c = number[i];
    if (c == '.') {
      in_fraction = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    if (in_fraction) ++fraction_digits;
    if (first_significant == n && c != '0') first_significant = i;
    if (first_significant != n) ++digit_count;
  }
  std::int64_t exponent = 0;
  if (i < n && (number[i] == 'e' || number[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (number[i] == '+' || number[i] == '-')) exp_negative = number[i++] == '-';
    for (; i < n; ++i) {
      if (exponent < 1000000) exponent = exponent * 10 + (number[i] - '0');  // saturate
    }
    if (exp_negative) exponent = -exponent;
  }

  if (digit_count == 0) return t > 0 ? -1 : (t < 0 ? 1 : 0);  // the value is zero
  digits = number.data() + first_significant;

  // Number of digits before the decimal point of the (non-zero) magnitude.
  const std::int64_t integer_digits = digit_count + exponent - fraction_digits;
  const int sign = negative ? -1 : 1;
  if (integer_digits > 19) return sign;  // |value| >= 10^19 > any int64

  std::uint64_t integer_part = 0;
  bool has_fraction = false;
  if (integer_digits <= 0) {
    has_fraction = true;  // 0 < |value| < 1
  } else {
    std::int64_t taken = 0;
    for (const char* p = digits; taken < digit_count; ++p) {
      if (*p == '.') continue;
      if (taken < integer_digits) {
        integer_part = integer_part * 10 + static_cast<std::uint64_t>(*p - '0');
      } else if (*p != '0') {
        has_fraction = true;
      }
      ++taken;
    }
    for (std::int64_t k = digit_count; k < integer_digits; ++k) integer_part *= 10;
  }

  // Magnitude of t, without overflow for INT64_MIN.
  const bool t_negative = t < 0;
  const std::uint64_t t_magnitude =
      t_negative ? static_cast<std::uint64_t>(-(t + 1)) + 1 : static_cast<std::uint64_t>(t);
  if (negative != t_negative) return sign;  // value is non-zero, so signs decide
  int magnitude_cmp;
  if (integer_part != t_magnitude) {
    magnitude_cmp = integer_part > t_magnitude ? 1 : -1;
  } else {
    magnitude_cmp = has_fraction ? 1 : 0;
  }
  return negative ? -magnitude_cmp : magnitude_cmp;
}

double number_to_double(std::string_view number) noexcept {
  double value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves `value` unchanged on overflow and underflow alike.
    const bool negative = !number.empty() && number[0] == '-';
    const std::size_t e = number.find_first_of("eE");
    const bool tiny = e != std::string_view::npos && e + 1 < number.size() && number[e + 1] == '-';
    if (tiny) return negative ? -0.0 : 0.0;
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  (void)ptr;
  return value;
}

}  // namespace approov::detail
