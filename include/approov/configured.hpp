// The result type of everything that runs at start-up (configuration, key reading).
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace approov {

/// A start-up result: either a value or a message that says what is wrong. Messages name the
/// setting and the problem, never the secret.
template <class T>
class [[nodiscard]] Configured {
 public:
  Configured(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  static Configured failure(std::string message) { return Configured(std::move(message), 0); }

  [[nodiscard]] bool ok() const noexcept { return value_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] T& value() & { return *value_; }
  [[nodiscard]] const T& value() const& { return *value_; }
  [[nodiscard]] T&& value() && { return std::move(*value_); }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  Configured(std::string message, int) : error_(std::move(message)) {}
  std::optional<T> value_;
  std::string error_;
};

}  // namespace approov
