#include "approov/reason.hpp"

#include <array>

namespace approov {

namespace {

constexpr std::array<std::string_view, kReasonCount> kNames{
#define APPROOV_REASON(name, NAME, value, text) #name,
#include "approov/reason_list.h"
#undef APPROOV_REASON
};

constexpr std::array<std::string_view, kReasonCount> kDescriptions{
#define APPROOV_REASON(name, NAME, value, text) text,
#include "approov/reason_list.h"
#undef APPROOV_REASON
};

}  // namespace

std::string_view to_string(Reason reason) noexcept {
  const auto i = static_cast<std::size_t>(reason);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

std::string_view describe(Reason reason) noexcept {
  const auto i = static_cast<std::size_t>(reason);
  return i < kDescriptions.size() ? kDescriptions[i] : std::string_view("unknown reason");
}

}  // namespace approov
