// Boost.Beast adapter: exposes a Beast request's headers to the core request check, and wraps
// a request handler so that it runs only for requests that pass the route's check.
//
//   approov::adapters::Guard guard(std::move(check));            // once, shared by threads
//   auto hello = approov::beast::protect(guard, route,
//       [](const Request& req, Response& res, const approov::Claims* claims) { ... });
//   hello(req, res);                                             // 401 {} when rejected
// With a hand-written Beast loop, call `check` and send `failure_response` when not allowed.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string_view>
#include <utility>

#include "approov/adapters/guard.hpp"
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

/// Runs `guard` for `route` on a Beast request; the claims are written on success. Logs a
/// rejection (reason and token fingerprint, never the token).
template <class Body, class Fields>
[[nodiscard]] adapters::Decision check(const adapters::Guard& guard,
                                       const boost::beast::http::request<Body, Fields>& req,
                                       const RoutePolicy& route, Claims& claims) noexcept {
  const HeaderView<Fields> headers(req);
  const auto method = req.method_string();
  const auto target = req.target();
  return guard.decide(headers, route, claims, std::string_view(method.data(), method.size()),
                      std::string_view(target.data(), target.size()));
}

/// The configured failure response (SPEC §6) for `req`: same HTTP version, keep-alive as the
/// client asked, status, Content-Type and body from `failure`, nothing else that varies.
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

/// Writes the configured failure response (SPEC §6) into `res`: status, Content-Type and
/// body. (Content-Length, version and keep-alive are the server loop's business.)
template <class Fields>
void write_failure(const FailureResponse& failure,
                   boost::beast::http::response<boost::beast::http::string_body, Fields>& res) {
  res.result(static_cast<unsigned>(failure.status));
  res.set(boost::beast::http::field::content_type, failure.content_type);
  res.body() = failure.body;
}

/// Wraps `handler(const Request&, Response&, const Claims*)` into a handler of the shape
/// `void(const Request&, Response&)` (the one `approov::server::Server` calls) that runs it
/// only when `route`'s check passes (or the route is report-only) and otherwise writes the
/// guard's failure response. `claims` is null when the request was not verified (an
/// unprotected route, or a report-only failure). The guard must outlive the wrapper; the
/// wrapper is safe to call from several threads when the handler is.
template <class Handler>
[[nodiscard]] auto protect(const adapters::Guard& guard, RoutePolicy route, Handler handler) {
  return
      [&guard, route = std::move(route), handler = std::move(handler)](const auto& req, auto& res) {
        Claims claims;
        const adapters::Decision decision = check(guard, req, route, claims);
        if (!decision.allow) return write_failure(guard.failure(), res);
        handler(req, res,
                decision.verified() && route.protection != Protection::none ? &claims : nullptr);
      };
}

}  // namespace approov::beast
