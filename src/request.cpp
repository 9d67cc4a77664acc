#include "approov/request.hpp"

namespace approov {

namespace {

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

struct Counter final : FieldLineSink {
  FieldCount result;
  void line(std::string_view value) noexcept override {
    if (result.count++ == 0) result.first = value;
  }
};

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

FieldCount count_fields(const RequestView& request, std::string_view name) noexcept {
  Counter counter;
  request.fields(name, counter);
  return counter.result;
}

std::size_t BasicRequest::fields(std::string_view name, FieldLineSink& sink) const noexcept {
  std::size_t n = 0;
  for (const auto& [field, value] : fields_) {
    if (iequals(field, name)) {
      sink.line(value);
      ++n;
    }
  }
  return n;
}

}  // namespace approov
