// The request as the core library sees it: what an adapter (or the sidecar) hands to the check.
// The core knows no HTTP framework; each adapter implements RequestView once over its
// framework's request type.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace approov {

/// Receives the values of the field lines of one name, one call per line, in the order they
/// were received. Views are valid only during the call.
class FieldLineSink {
 public:
  virtual void line(std::string_view value) noexcept = 0;

 protected:
  ~FieldLineSink() = default;
};

/// Read-only view of one HTTP request, implemented by each adapter over its framework's
/// request (and by approov-authd from the headers its gateway forwards).
///
/// Contract for implementers:
/// - Header fields are those of the header section only (never trailer fields). `fields`
///   compares names case-insensitively and reports EVERY field line with that name, in order,
///   each value without its surrounding spaces and tabs; several lines are never merged,
///   dropped or resolved to one, so that duplicates can be rejected.
/// - `method`, `scheme`, `authority` and `target` describe the request as this server
///   received it (the sidecar reports the client's request as its gateway forwards it).
/// - `body` is the request body when the server has read all of it, else nothing.
/// - Every view returned stays valid until the check returns. All calls are noexcept, cheap
///   and allocation-free; the check may call them several times.
class RequestView {
 public:
  /// The method as sent, e.g. "GET".
  [[nodiscard]] virtual std::string_view method() const noexcept = 0;
  /// "http" or "https": the scheme of the connection the request came on.
  [[nodiscard]] virtual std::string_view scheme() const noexcept = 0;
  /// The authority (host, and port when not the default), from the Host header or an
  /// absolute-form target, as received. Empty when the request has none.
  [[nodiscard]] virtual std::string_view authority() const noexcept = 0;
  /// The request target as received: path and query in origin form, e.g. "/v1/a?b=c".
  [[nodiscard]] virtual std::string_view target() const noexcept = 0;
  /// Calls `sink.line(value)` for each field line named `name`; returns how many there were.
  virtual std::size_t fields(std::string_view name, FieldLineSink& sink) const noexcept = 0;
  /// The whole body when the server has read it; nothing when it cannot be seen here.
  [[nodiscard]] virtual std::optional<std::string_view> body() const noexcept = 0;

 protected:
  ~RequestView() = default;
};

/// How many field lines of a name a request has, and the first one's value: what the token and
/// binding rules need (they reject anything but exactly one line).
struct FieldCount {
  std::size_t count = 0;
  std::string_view first;
};

/// Counts the field lines named `name` and keeps the first value.
[[nodiscard]] FieldCount count_fields(const RequestView& request, std::string_view name) noexcept;

/// A RequestView over views the caller owns: for tests, tools, and frameworks whose request
/// type is easiest to copy into a list. Holds views only: the strings must outlive it.
class BasicRequest final : public RequestView {
 public:
  using Field = std::pair<std::string_view, std::string_view>;

  BasicRequest() = default;
  /// Header fields only; the method defaults to GET, the scheme to http, the target to "/".
  BasicRequest(std::initializer_list<Field> fields) : fields_(fields) {}

  BasicRequest& add(std::string_view name, std::string_view value) {
    fields_.emplace_back(name, value);
    return *this;
  }
  BasicRequest& set_method(std::string_view m) noexcept {
    method_ = m;
    return *this;
  }
  BasicRequest& set_scheme(std::string_view s) noexcept {
    scheme_ = s;
    return *this;
  }
  BasicRequest& set_authority(std::string_view a) noexcept {
    authority_ = a;
    return *this;
  }
  BasicRequest& set_target(std::string_view t) noexcept {
    target_ = t;
    return *this;
  }
  BasicRequest& set_body(std::optional<std::string_view> b) noexcept {
    body_ = b;
    return *this;
  }

  [[nodiscard]] std::string_view method() const noexcept override { return method_; }
  [[nodiscard]] std::string_view scheme() const noexcept override { return scheme_; }
  [[nodiscard]] std::string_view authority() const noexcept override { return authority_; }
  [[nodiscard]] std::string_view target() const noexcept override { return target_; }
  std::size_t fields(std::string_view name, FieldLineSink& sink) const noexcept override;
  [[nodiscard]] std::optional<std::string_view> body() const noexcept override { return body_; }

 private:
  std::string_view method_ = "GET";
  std::string_view scheme_ = "http";
  std::string_view authority_;
  std::string_view target_ = "/";
  std::vector<Field> fields_;
  std::optional<std::string_view> body_;
};

/// Case-insensitive ASCII comparison (field names, prefixes).
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

/// Spaces and tabs removed from both ends (what HTTP strips from a field value).
[[nodiscard]] std::string_view trim_ows(std::string_view s) noexcept;

}  // namespace approov
