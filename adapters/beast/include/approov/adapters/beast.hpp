// Boost.Beast adapter: a Beast request as the core's RequestView, and a wrapper that runs a
// request handler only for requests that pass the route's check.
//
//   approov::adapters::Guard guard(std::move(check));            // once, shared by threads
//   auto hello = approov::beast::protect(guard, route,
//       [](const Request& req, Response& res, const approov::Claims* claims) { ... });
//   hello(req, res);                                             // 401 {} when rejected
// With a hand-written Beast loop, call `check` and send `failure_response` when not allowed.
#pragma once

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "approov/adapters/guard.hpp"
#include "approov/request.hpp"
#include "approov/request_check.hpp"

namespace approov::beast {

/// RequestView over a Beast request. Beast compares field names case-insensitively and keeps
/// every field line, so duplicates are seen. Beast has no notion of TLS: pass the scheme the
/// connection uses ("https" behind your TLS stream). The body is visible for `string_body`
/// requests (read whole by the time a handler runs); for other body types it is not.
/// Holds a reference: the request must outlive the check.
template <class Body, class Fields = boost::beast::http::fields>
class RequestAdapter final : public approov::RequestView {
 public:
  using Request = boost::beast::http::request<Body, Fields>;
  explicit RequestAdapter(const Request& req, std::string_view scheme = "http") noexcept
      : req_(req), scheme_(scheme) {}

  [[nodiscard]] std::string_view method() const noexcept override {
    return view(req_.method_string());
  }
  [[nodiscard]] std::string_view scheme() const noexcept override { return scheme_; }
  /// The Host field when there is exactly one (several, or none: empty).
  [[nodiscard]] std::string_view authority() const noexcept override {
    const auto range = req_.equal_range(boost::beast::http::field::host);
    if (range.first == range.second || std::next(range.first) != range.second) return {};
    return view(range.first->value());
  }
  [[nodiscard]] std::string_view target() const noexcept override { return view(req_.target()); }
  std::size_t fields(std::string_view name, approov::FieldLineSink& sink) const noexcept override {
    std::size_t n = 0;
    const auto range = req_.equal_range(boost::beast::string_view(name.data(), name.size()));
    for (auto it = range.first; it != range.second; ++it, ++n) sink.line(view(it->value()));
    return n;
  }
  [[nodiscard]] std::optional<std::string_view> body() const noexcept override {
    if constexpr (std::is_same_v<Body, boost::beast::http::string_body>) {
      return std::string_view(req_.body());
    } else {
      return std::nullopt;
    }
  }

 private:
  static std::string_view view(boost::beast::string_view s) noexcept {
    return {s.data(), s.size()};
  }
  const Request& req_;
  std::string_view scheme_;
};

/// Runs `guard` for `route` on a Beast request; the claims are written on success. Logs a
/// rejection (reason and token fingerprint, never the token).
template <class Body, class Fields>
[[nodiscard]] adapters::Decision check(const adapters::Guard& guard,
                                       const boost::beast::http::request<Body, Fields>& req,
                                       const RoutePolicy& route, Claims& claims,
                                       std::string_view scheme = "http") noexcept {
  const RequestAdapter<Body, Fields> request(req, scheme);
  return guard.decide(request, route, claims);
}

/// The configured failure response for `req`: same HTTP version, keep-alive as the client
/// asked, status, Content-Type and body from `failure`, nothing else that varies.
template <class Body, class Fields>
[[nodiscard]] boost::beast::http::response<boost::beast::http::string_body> failure_response(
    const FailureResponse& failure, const boost::beast::http::request<Body, Fields>& req) {
  namespace http = boost::beast::http;
  http::response<http::string_body> res{static_cast<http::status>(failure.status), req.version()};
  res.set(http::field::content_type, failure.content_type);
  res.keep_alive(req.keep_alive());
  res.body() = failure.body;
  res.prepare_payload();
  return res;
}

/// Writes the configured failure response into `res`: status, Content-Type and body.
/// (Content-Length, version and keep-alive are the server loop's business.)
template <class Fields>
void write_failure(const FailureResponse& failure,
                   boost::beast::http::response<boost::beast::http::string_body, Fields>& res) {
  res.result(static_cast<unsigned>(failure.status));
  res.set(boost::beast::http::field::content_type, failure.content_type);
  res.body() = failure.body;
}

/// Wraps `handler(const Request&, Response&, const Claims*)` into a handler of the shape
/// `void(const Request&, Response&)` that runs it only when `route`'s check passes (or the
/// route is report-only) and otherwise writes the guard's failure response. `claims` is null
/// when the request was not verified (an unprotected route, or a report-only failure). The
/// guard must outlive the wrapper; the wrapper is safe to call from several threads when the
/// handler is. `scheme` is the connection's ("https" behind TLS).
template <class Handler>
[[nodiscard]] auto protect(const adapters::Guard& guard, RoutePolicy route, Handler handler,
                           std::string_view scheme = "http") {
  return [&guard, route = std::move(route), handler = std::move(handler), scheme](const auto& req,
                                                                                  auto& res) {
    Claims claims;
    const adapters::Decision decision = check(guard, req, route, claims, scheme);
    if (!decision.allow) return write_failure(guard.failure(), res);
    handler(req, res,
            decision.verified() && route.protection != Protection::none ? &claims : nullptr);
  };
}

}  // namespace approov::beast
