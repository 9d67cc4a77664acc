// cpp-httplib adapter: guards httplib routes with the Approov check. Serve them with
// approov::cpphttplib::Server (approov/adapters/httplib_server.hpp, included here), a drop-in
// httplib::Server whose engine keeps every header field exactly as received:
//
//   approov::adapters::Guard guard(std::move(check));          // once, outlives the server
//   approov::cpphttplib::Server server;                        // not httplib::Server
//   server.Get("/", approov::cpphttplib::protect(guard, route,
//       [](const httplib::Request& req, httplib::Response& res, const approov::Claims* claims) {
//         res.set_content(R"({"message": "Hello, World!"})", "application/json");
//       }));
//   approov::cpphttplib::answer_refused_requests_with_failure(server, guard);
//
// Why not plain httplib::Server: httplib 0.11.4 (Debian 12) builds `req.headers` lossily. It
// drops a field whose value is empty (`Approov-Token: <valid>` plus an empty second
// `Approov-Token:` read as one token: the duplicate went unseen), drops obs-fold continuation
// lines and lines ending in a bare LF, and percent-decodes values. No httplib API gives the
// fields as received, so the check never reads `req.headers`: it reads the fields that
// approov::cpphttplib::Server recorded for the request being handled on this thread. A request
// served by a plain httplib::Server has no such record, and the check then fails closed: it
// runs as if no header were present (protected routes answer the failure response, and a
// warning is printed once); unprotected and report-only routes behave as configured.
//
// What httplib cannot do even with that engine, and why the Boost.Beast engine
// (approov/server/http_server.hpp) is the better choice under load or attack: handlers run
// on a fixed pool of worker threads, so slow handlers queue requests; a client that does not
// read its response holds a worker for up to the write timeout; the engine holds each request
// (up to `ServerOptions::body_limit`) in memory before httplib sees it; httplib's own
// refusals of requests the engine let through (a request line over 8192 bytes, a header line
// over 8192 bytes, a malformed Range) are body-less until `answer_refused_requests_with_failure`
// rewrites them; and there is no TLS.
#pragma once

#include <httplib.h>

#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "approov/adapters/guard.hpp"
#include "approov/adapters/httplib_server.hpp"
#include "approov/request.hpp"
#include "approov/request_check.hpp"

namespace approov::cpphttplib {

namespace detail {

/// The fields as received for `req`, or null when `req` is not being served by
/// approov::cpphttplib::Server on this thread.
[[nodiscard]] inline RequestContext* context_for(const httplib::Request& req) noexcept {
  RequestContext* context = current_request;
  if (context == nullptr || context->request != &req || context->fields == nullptr) {
    return nullptr;
  }
  return context;
}

inline void warn_not_hardened() noexcept {
  static std::once_flag once;
  try {
    std::call_once(once, [] {
      std::fputs(
          "approov: a cpp-httplib route is guarded but not served by approov::cpphttplib::Server;"
          " its requests are checked as if they carried no header (refused)\n",
          stderr);
    });
  } catch (...) {
  }
}

}  // namespace detail

/// RequestView over a request served by approov::cpphttplib::Server, built from what its
/// engine received, never from httplib's lossy `req.headers`: the header fields as received
/// (every line, in order, values without surrounding spaces and tabs), the request target as
/// received, and the whole body (chunked framing removed). The method is httplib's (the
/// engine has checked it is a token). No TLS here: the scheme is "http" unless given. Holds
/// references: use it only while the request is being handled.
class RequestAdapter final : public approov::RequestView {
 public:
  RequestAdapter(const httplib::Request& req, const detail::RequestContext& context,
                 std::string_view scheme = "http") noexcept
      : req_(req), context_(context), scheme_(scheme) {}

  [[nodiscard]] std::string_view method() const noexcept override { return req_.method; }
  [[nodiscard]] std::string_view scheme() const noexcept override { return scheme_; }
  /// The Host field when there is exactly one (several, or none: empty).
  [[nodiscard]] std::string_view authority() const noexcept override {
    const FieldCount host = count_fields(*this, "Host");
    return host.count == 1 ? host.first : std::string_view();
  }
  [[nodiscard]] std::string_view target() const noexcept override { return context_.target; }
  std::size_t fields(std::string_view name, approov::FieldLineSink& sink) const noexcept override {
    std::size_t n = 0;
    for (const auto& [field, value] : *context_.fields) {
      if (approov::iequals(field, name)) {
        ++n;
        sink.line(value);
      }
    }
    return n;
  }
  [[nodiscard]] std::optional<std::string_view> body() const noexcept override {
    return context_.body;
  }

 private:
  const httplib::Request& req_;
  const detail::RequestContext& context_;
  std::string_view scheme_;
};

/// Runs `guard` for `route` on an httplib request; the claims are written on success. Logs a
/// rejection (reason and token fingerprint, never the token). Reads the request as
/// approov::cpphttplib::Server received it (see the header comment); call it from a handler
/// of that server.
[[nodiscard]] inline adapters::Decision check(const adapters::Guard& guard,
                                              const httplib::Request& req, const RoutePolicy& route,
                                              Claims& claims) noexcept {
  detail::RequestContext* context = detail::context_for(req);
  if (context == nullptr) {
    detail::warn_not_hardened();
    approov::BasicRequest none;  // no field at all: protected routes fail closed
    none.set_method(req.method).set_target(req.target);
    return guard.decide(none, route, claims);
  }
  context->checked = true;
  return guard.decide(RequestAdapter(req, *context), route, claims);
}

/// Writes the configured failure response: status, Content-Type and body only.
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

/// Answers every request refused before the Approov check could run with the guard's failure
/// response, so that it looks like any other token failure (a refused request may carry the
/// token). Two layers refuse: the engine (malformed framing or field lines, header section or
/// body over the limits: `Server::set_reject_response`), and httplib itself for what the
/// engine let through (a request or header line over 8192 bytes in Debian's build, a malformed
/// Range: body-less 400, 413, 414, 415, 416, 417 or 431), which `server.set_error_handler`
/// rewrites (replacing any error handler set before). Error answers written after the check
/// ran, answers with a body, and other statuses (404, 500, ...) are left alone. Call it before
/// listening; the guard must outlive the server.
inline void answer_refused_requests_with_failure(Server& server, const adapters::Guard& guard) {
  server.set_reject_response(guard.failure());
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [&guard](const httplib::Request& req, httplib::Response& res) {
        const int s = res.status;
        const bool refused =
            s == 400 || s == 413 || s == 414 || s == 415 || s == 416 || s == 417 || s == 431;
        const detail::RequestContext* context = detail::current_request;
        const bool checked = context != nullptr && context->request == &req && context->checked;
        if (!refused || checked || !res.body.empty()) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        write_failure(guard.failure(), res);
        return httplib::Server::HandlerResponse::Handled;
      }));
}

/// Guards every route of `server` at once with a pre-routing handler (the claims are not
/// passed on; use `protect` per route when the handler needs them).
inline void protect_all(Server& server, const adapters::Guard& guard, RoutePolicy route) {
  server.set_pre_routing_handler(
      [&guard, route = std::move(route)](const httplib::Request& req, httplib::Response& res) {
        Claims claims;
        if (check(guard, req, route, claims).allow) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        write_failure(guard.failure(), res);
        return httplib::Server::HandlerResponse::Handled;
      });
}

}  // namespace approov::cpphttplib
