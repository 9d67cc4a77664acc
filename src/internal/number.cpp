#include "number.hpp"

#include <charconv>
#include <limits>

namespace approov::detail {

ParsedNumber::ParsedNumber(std::string_view number) noexcept : text_(number) {
  // One pass over -?INT(.FRAC)?: the significand of all digits (it may wrap when there are too
  // many; the conditions below then send the number to the general paths), the integer part
  // and whether any fraction digit is non-zero. The JSON parser has validated the text.
  const char* p = number.data();
  const char* const end = p + number.size();
  if (p != end && *p == '-') {
    negative_ = true;
    ++p;
  }
  const char* const int_start = p;
  std::uint64_t significand = 0;
  while (p != end && static_cast<unsigned char>(*p - '0') < 10) {
    significand = significand * 10 + static_cast<unsigned char>(*p++ - '0');
  }
  const auto integer_digits = static_cast<std::size_t>(p - int_start);
  integer_part_ = significand;
  std::size_t fraction_digits = 0;
  if (p != end && *p == '.') {
    const char* const fraction_start = ++p;
    while (p != end && static_cast<unsigned char>(*p - '0') < 10) {
      has_fraction_ |= *p != '0';
      significand = significand * 10 + static_cast<unsigned char>(*p++ - '0');
    }
    fraction_digits = static_cast<std::size_t>(p - fraction_start);
  }
  if (p != end || integer_digits == 0) return;  // an exponent: general paths only
  plain_ = integer_digits <= 18;
  // Clinger's exact fast path: a significand of at most 2^53 is an exact double and so is 10^k
  // for k <= 22, so one IEEE division gives the correctly rounded value, as from_chars does.
  // 19 digits cannot wrap 64 bits.
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (integer_digits + fraction_digits <= 19 && fraction_digits <= 22 &&
      significand <= (std::uint64_t{1} << 53)) {
    const double value = static_cast<double>(significand) / kPow10[fraction_digits];
    value_ = negative_ ? -value : value;
    exact_double_ = true;
  }
}

int ParsedNumber::compare(std::int64_t t) const noexcept {
  if (!plain_) return compare_number_text(text_, t);
  if (integer_part_ == 0 && !has_fraction_) return t > 0 ? -1 : (t < 0 ? 1 : 0);  // zero
  const bool t_negative = t < 0;
  const std::uint64_t t_magnitude =
      t_negative ? static_cast<std::uint64_t>(-(t + 1)) + 1 : static_cast<std::uint64_t>(t);
  const int sign = negative_ ? -1 : 1;
  if (negative_ != t_negative) return sign;  // the value is non-zero, so signs decide
  int magnitude_cmp;
  if (integer_part_ != t_magnitude) {
    magnitude_cmp = integer_part_ > t_magnitude ? 1 : -1;
  } else {
    magnitude_cmp = has_fraction_ ? 1 : 0;
  }
  return negative_ ? -magnitude_cmp : magnitude_cmp;
}

double ParsedNumber::to_double() const noexcept {
  return exact_double_ ? value_ : double_from_text(text_);
}

int compare_number(std::string_view number, std::int64_t t) noexcept {
  return ParsedNumber(number).compare(t);
}

double number_to_double(std::string_view number) noexcept {
  return ParsedNumber(number).to_double();
}

// The general algorithms, for every form of JSON number.

int compare_number_text(std::string_view number, std::int64_t t) noexcept {
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

double double_from_text(std::string_view number) noexcept {
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
