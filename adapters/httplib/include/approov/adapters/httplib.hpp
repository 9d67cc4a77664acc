// cpp-httplib adapter: exposes an httplib request's headers to the core request check, and
// wraps a route handler so that it runs only for requests that pass the route's check.
//
//   approov::adapters::Guard guard(std::move(check));          // once, outlives the server
//   server.Get("/", approov::cpphttplib::protect(guard, route,
//       [](const httplib::Request& req, httplib::Response& res, const approov::Claims* claims) {
//         res.set_content(R"({"message": "Hello, World!"})", "application/json");
//       }));
#pragma once

#include <httplib.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "approov/adapters/guard.hpp"
#include "approov/request_check.hpp"

namespace approov::cpphttplib {

/// RequestView over an httplib request. `httplib::Headers` is a multimap whose comparator
/// ignores ASCII case, so `equal_range` sees every field with the name, duplicates included
/// (never just the first as `get_header_value` would). httplib reads the whole body before a
/// handler runs, so the body is visible. Holds a reference: the request must outlive the check.
class RequestAdapter final : public approov::RequestView {
 public:
  explicit RequestAdapter(const httplib::Request& req, std::string_view scheme = "http") noexcept
      : req_(req), scheme_(scheme) {}

  [[nodiscard]] std::string_view method() const noexcept override { return req_.method; }
  [[nodiscard]] std::string_view scheme() const noexcept override { return scheme_; }
  /// The Host field when there is exactly one (several, or none: empty).
  [[nodiscard]] std::string_view authority() const noexcept override {
    FieldCount f;
    visit("Host", [&f](std::string_view v) {
      if (f.count++ == 0) f.first = v;
    });
    return f.count == 1 ? f.first : std::string_view();
  }
  /// The target as received (httplib keeps it in `target`; `path` is decoded).
  [[nodiscard]] std::string_view target() const noexcept override { return req_.target; }
  std::size_t fields(std::string_view name, approov::FieldLineSink& sink) const noexcept override {
    return visit(name, [&sink](std::string_view v) { sink.line(v); });
  }
  [[nodiscard]] std::optional<std::string_view> body() const noexcept override {
    return std::string_view(req_.body);
  }

 private:
  template <class F>
  std::size_t visit(std::string_view name, F&& f) const noexcept {
    std::size_t n = 0;
    try {
      // The map's comparator takes std::string; header names fit the small-string buffer.
      const auto range = req_.headers.equal_range(std::string(name));
      for (auto it = range.first; it != range.second; ++it, ++n) f(it->second);
    } catch (...) {
      // Fail closed: a name that cannot be looked up counts as a duplicate, never as absent.
      return 2;
    }
    return n;
  }
  const httplib::Request& req_;
  std::string_view scheme_;
};

/// Runs `guard` for `route` on an httplib request; the claims are written on success. Logs a
/// rejection (reason and token fingerprint, never the token).
[[nodiscard]] inline adapters::Decision check(const adapters::Guard& guard,
                                              const httplib::Request& req, const RoutePolicy& route,
                                              Claims& claims) noexcept {
  const RequestAdapter request(req);
  return guard.decide(request, route, claims);
}

/// Writes the configured failure response (SPEC §6): status, Content-Type and body only.
inline void write_failure(const FailureResponse& failure, httplib::Response& res) {
  res.status = failure.status;
  res.set_content(failure.body, failure.content_type.c_str());
}

/// Wraps `handler(const Request&, Response&, const Claims*)` into an `httplib::Server::Handler`
/// that runs it only when `route`'s check passes (or the route is report-only) and otherwise
/// writes the guard's failure response. `claims` is null when the request was not verified
/// (unprotected route, or a report-only failure). The guard must outlive the server.
template <class Handler>
[[nodiscard]] httplib::Server::Handler protect(const adapters::Guard& guard, RoutePolicy route,
                                               Handler handler) {
  return [&guard, route = std::move(route), handler = std::move(handler)](
             const httplib::Request& req, httplib::Response& res) {
    Claims claims;
    const adapters::Decision decision = check(guard, req, route, claims);
    if (!decision.allow) return write_failure(guard.failure(), res);
    handler(req, res,
            decision.verified() && route.protection != Protection::none ? &claims : nullptr);
  };
}

/// Answers the requests httplib refuses itself before any handler runs with the guard's
/// failure response instead of httplib's body-less 400 (or 413, 414, 431): a header line over
/// CPPHTTPLIB_HEADER_MAX_LENGTH (8192 bytes in Debian's build) may be the token, and every
/// token failure must get the same bytes (SPEC §6). Installs `server.set_error_handler`,
/// replacing any error handler set before; error answers that carry a body (written by your
/// handlers) and other statuses (404, 500, ...) are left alone. The guard must outlive the
/// server.
inline void answer_refused_requests_with_failure(httplib::Server& server,
                                                 const adapters::Guard& guard) {
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [&guard](const httplib::Request&, httplib::Response& res) {
        const bool refused =
            res.status == 400 || res.status == 413 || res.status == 414 || res.status == 431;
        if (!refused || !res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        write_failure(guard.failure(), res);
        return httplib::Server::HandlerResponse::Handled;
      }));
}

/// Guards every route of `server` at once with a pre-routing handler (the claims are not
/// passed on; use `protect` per route when the handler needs them).
inline void protect_all(httplib::Server& server, const adapters::Guard& guard, RoutePolicy route) {
  server.set_pre_routing_handler(
      [&guard, route = std::move(route)](const httplib::Request& req, httplib::Response& res) {
        Claims claims;
        if (check(guard, req, route, claims).allow)
          return httplib::Server::HandlerResponse::Unhandled;
        write_failure(guard.failure(), res);
        return httplib::Server::HandlerResponse::Handled;
      });
}

}  // namespace approov::cpphttplib
