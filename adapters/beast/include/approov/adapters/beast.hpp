// Boost.Beast adapter: exposes a Beast request's headers to the core request check.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <string_view>

#include "approov/request_check.hpp"

namespace approov::beast {

/// HeaderSource over Beast fields (`http::request<Body>` derives from `http::fields`).
/// Beast compares names case-insensitively and keeps every field, so duplicates are seen.
/// Holds a reference: the fields must outlive the check.
template <class Fields = boost::beast::http::fields>
class HeaderView final : public approov::HeaderSource {
 public:
  explicit HeaderView(const Fields& fields) noexcept : fields_(fields) {}

  [[nodiscard]] approov::HeaderFields fields(std::string_view name) const noexcept override {
    approov::HeaderFields result;
    const auto range = fields_.equal_range(boost::beast::string_view(name.data(), name.size()));
    for (auto it = range.first; it != range.second; ++it) {
      if (result.count++ == 0) {
        const auto v = it->value();
        result.first = std::string_view(v.data(), v.size());
      }
    }
    return result;
  }

 private:
  const Fields& fields_;
};

}  // namespace approov::beast
