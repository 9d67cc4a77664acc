// Stable reason codes for every outcome of an Approov check. The rows live in one table,
// approov/reason_list.h, shared with the C API (approov.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace approov {

/// Why a token or request was accepted or rejected.
///
/// The numeric values and the names returned by `to_string` are stable: they are logged,
/// counted in metrics and returned through the C API, so existing values never change meaning.
/// New codes are only ever appended. None of them reveals anything about the secret or the
/// token beyond the rule that failed; the HTTP answer is the same for every failure.
/// `describe` gives each one's meaning in a sentence.
enum class Reason : std::uint8_t {
#define APPROOV_REASON(name, NAME, value, text) name = value,
#include "approov/reason_list.h"
#undef APPROOV_REASON
};

/// Number of defined reason codes (for metric tables indexed by reason).
inline constexpr std::size_t kReasonCount = 0
#define APPROOV_REASON(name, NAME, value, text) +1
#include "approov/reason_list.h"
#undef APPROOV_REASON
    ;

namespace detail {
// The table's values must be 0, 1, 2, ... in row order, so that `kReasonCount` bounds them
// and tables indexed by reason have no holes.
constexpr bool reasons_are_dense() noexcept {
  std::size_t expected = 0;
  bool dense = true;
#define APPROOV_REASON(name, NAME, value, text) dense = dense && (value) == expected++;
#include "approov/reason_list.h"
#undef APPROOV_REASON
  return dense;
}
static_assert(reasons_are_dense(), "reason_list.h: values must be 0, 1, 2, ... in row order");
}  // namespace detail

/// The stable snake_case name of a reason, e.g. "bad_signature". Unknown values give "unknown".
[[nodiscard]] std::string_view to_string(Reason reason) noexcept;

/// What a reason means, in one sentence for people (the name is the stable part).
/// Unknown values give "unknown reason".
[[nodiscard]] std::string_view describe(Reason reason) noexcept;

/// True for reasons caused by token binding (useful to tell binding failures apart in logs).
[[nodiscard]] constexpr bool is_binding_reason(Reason reason) noexcept {
  return reason >= Reason::missing_binding_header && reason <= Reason::binding_mismatch;
}

}  // namespace approov
