// libmicrohttpd adapter: the "any other framework" pattern in full. GNU libmicrohttpd calls a
// C access handler per request, so the adapter is two functions to call from it:
//
//   approov::Claims claims;
//   const auto decision =
//       approov::microhttpd::check(guard, connection, method, url, version, route, claims);
//   if (!decision.allow)
//     return approov::microhttpd::queue_failure(guard.failure(), connection, decision);
//   ... the protected handler, with `claims` ...
//
// What libmicrohttpd 0.9.75 (Debian 12) cannot be trusted with, and what the adapter does:
//   * It hands out header values as C strings: a NUL inside a field line ends the value there
//     (`Approov-Token: <valid>\0junk` reads as `<valid>`), and the length it reports is that
//     of the C string, so reading values "with their length" does not help.
//   * A field line that starts with ':' ends the header section early: the fields after it are
//     never seen by the handler (a second token hides there), and libmicrohttpd then parses
//     them as a second request and answers it too (two answers for one request).
//   * It folds obs-fold continuation lines into the field *name*, accepts whitespace before the
//     colon as part of the name (so `Approov-Token : x` is a different field), and keeps an
//     empty field name.
// `check` therefore first audits the header section that libmicrohttpd parsed against the
// bytes it still holds: libmicrohttpd parses in place, so every field name and value points
// into its read buffer, in arrival order, and only line terminators (CR LF or LF) and the colon
// after each name are overwritten with NUL. The audit walks that buffer from the HTTP version
// to the end of the header section (MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE) and requires that
// the fields account for every byte: each name a non-empty token directly followed by its colon,
// optional spaces or tabs, the value (no control bytes other than tab), then exactly one line
// terminator before the next field, and the blank line at the end. Any NUL inside a line, any
// line libmicrohttpd did not report as a field (':' lines, obs-folds), any field it moved
// elsewhere, any whitespace before a colon fails the audit, and the request is refused with
// the guard's failure response on every route (before any route policy: the request cannot be
// read reliably), without a rejection log line (the check never ran). The audit relies only on
// the pointers libmicrohttpd hands to the application, read within the header section's bounds;
// if a future libmicrohttpd stopped parsing in place, every request would be refused (a loud,
// safe failure) and the audit should then give way to that version's own strictness.
// What the audit cannot tell apart: a NUL byte directly before a bare-LF line end looks exactly
// like CR LF after libmicrohttpd's rewrite; such a value holds nothing after the NUL, so no
// byte is hidden from the check.
//
// A refused request's failure response asks libmicrohttpd to close the connection ("Connection:
// close"): bytes libmicrohttpd has not parsed yet (the fields after a ':' line, say) must never
// be read as another request (one request, one answer). Failures of the check itself keep the
// connection open, as a success does, so that whether it stays open says nothing about why a
// token failed.
//
// What the adapter cannot change, and why the Boost.Beast engine is the better choice where it
// matters: requests libmicrohttpd refuses itself before the access handler runs (a field line
// without a colon, a header section over the connection's memory limit, a malformed request
// line or chunked body) get libmicrohttpd's own HTML error pages, not the failure response.
#pragma once

#include <microhttpd.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "approov/adapters/guard.hpp"
#include "approov/adapters/http_syntax.hpp"
#include "approov/request_check.hpp"

namespace approov::microhttpd {

/// RequestView over a connection's request. libmicrohttpd keeps every header field it
/// received (duplicates included), so `fields` walks them all instead of using
/// `MHD_lookup_connection_value`, which returns only the first. The body is not seen here (the
/// access handler gets it in pieces). Holds the pointers: use it only inside the access handler.
/// On its own it trusts libmicrohttpd's parse; `check` audits that parse first (see the header
/// comment). Only MHD_HEADER_KIND fields are read: trailers (MHD_FOOTER_KIND) never count.
class RequestAdapter final : public approov::RequestView {
 public:
  RequestAdapter(MHD_Connection* connection, const char* method, const char* url,
                 std::string_view scheme = "http") noexcept
      : connection_(connection),
        method_(method != nullptr ? method : ""),
        url_(url != nullptr ? url : ""),
        scheme_(scheme) {}

  [[nodiscard]] std::string_view method() const noexcept override { return method_; }
  [[nodiscard]] std::string_view scheme() const noexcept override { return scheme_; }
  /// The Host field when there is exactly one (several, or none: empty).
  [[nodiscard]] std::string_view authority() const noexcept override {
    const FieldCount host = count_fields(*this, "Host");
    return host.count == 1 ? host.first : std::string_view();
  }
  /// libmicrohttpd hands over the path without its query string.
  [[nodiscard]] std::string_view target() const noexcept override { return url_; }
  std::size_t fields(std::string_view name, approov::FieldLineSink& sink) const noexcept override {
    Search search{name, sink, 0};
    MHD_get_connection_values_n(connection_, MHD_HEADER_KIND, &RequestAdapter::visit, &search);
    return search.count;
  }
  [[nodiscard]] std::optional<std::string_view> body() const noexcept override {
    return std::nullopt;
  }

 private:
  struct Search {
    std::string_view name;
    approov::FieldLineSink& sink;
    std::size_t count;
  };
  static MHD_Result visit(void* cls, MHD_ValueKind, const char* key, std::size_t key_size,
                          const char* value, std::size_t value_size) noexcept {
    auto& search = *static_cast<Search*>(cls);
    if (key != nullptr && approov::iequals(std::string_view(key, key_size), search.name)) {
      ++search.count;
      // libmicrohttpd drops the spaces before a value, not those after it.
      search.sink.line(value != nullptr ? approov::trim_ows(std::string_view(value, value_size))
                                        : std::string_view());
    }
    return MHD_YES;
  }
  MHD_Connection* connection_;
  std::string_view method_;
  std::string_view url_;
  std::string_view scheme_;
};

namespace detail {

using adapters::detail::is_field_byte;
using adapters::detail::is_tchar;

// Walks the header section [pos, end) of libmicrohttpd's read buffer (addresses as integers so
// that a pointer outside it is compared, never dereferenced).
struct Audit {
  std::uintptr_t pos = 0;  // end of the previous line's text (the request line's version, or
                           // the previous field's value)
  std::uintptr_t end = 0;  // one past the blank line that ends the header section
  bool ok = true;
};

[[nodiscard]] inline const char* at(std::uintptr_t address) noexcept {
  return reinterpret_cast<const char*>(address);
}

// True when [from, to) is one line terminator as rewritten by libmicrohttpd (1 or 2 NULs,
// `max` more for the blank line at the end) and nothing else.
[[nodiscard]] inline bool only_terminators(std::uintptr_t from, std::uintptr_t to, std::size_t min,
                                           std::size_t max) noexcept {
  if (to < from || to - from < min || to - from > max) return false;
  for (std::uintptr_t p = from; p < to; ++p) {
    if (*at(p) != '\0') return false;
  }
  return true;
}

inline MHD_Result audit_field(void* cls, MHD_ValueKind, const char* key, std::size_t key_size,
                              const char* value, std::size_t value_size) noexcept {
  auto& a = *static_cast<Audit*>(cls);
  const auto k = reinterpret_cast<std::uintptr_t>(key);
  const auto v = reinterpret_cast<std::uintptr_t>(value);
  a.ok = false;
  // The field line starts right after the previous line's terminator...
  if (key == nullptr || value == nullptr || k <= a.pos || k >= a.end) return MHD_NO;
  if (!only_terminators(a.pos, k, 1, 2)) return MHD_NO;
  // ...with a non-empty token name directly followed by its colon (now a NUL)...
  if (key_size == 0 || key_size >= a.end - k) return MHD_NO;
  for (std::size_t i = 0; i < key_size; ++i) {
    if (!is_tchar(static_cast<unsigned char>(key[i]))) return MHD_NO;
  }
  std::uintptr_t p = k + key_size;
  if (*at(p) != '\0') return MHD_NO;
  // ...then optional spaces or tabs, and the value, whose terminator is inside the section.
  for (++p; p < a.end && p < v && (*at(p) == ' ' || *at(p) == '\t'); ++p) {
  }
  if (p != v || v >= a.end || value_size >= a.end - v) return MHD_NO;
  for (std::size_t i = 0; i < value_size; ++i) {
    if (!is_field_byte(static_cast<unsigned char>(value[i]))) return MHD_NO;
  }
  a.pos = v + value_size;
  a.ok = true;
  return MHD_YES;
}

}  // namespace detail

/// True when the header fields libmicrohttpd reports for the request on `connection` account
/// for every byte of its header section (see the header comment). `method` and `version` are
/// the access handler's arguments of the same names. Call it inside the access handler only.
[[nodiscard]] inline bool header_section_is_complete(MHD_Connection* connection, const char* method,
                                                     const char* version) noexcept {
  if (connection == nullptr || method == nullptr || version == nullptr) return false;
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
  if (info == nullptr) return false;
  detail::Audit audit;
  const auto begin = reinterpret_cast<std::uintptr_t>(method);
  audit.end = begin + info->header_size;
  if (audit.end <= begin) return false;
  // The request line ends with the HTTP version: start the walk after it.
  std::uintptr_t p = reinterpret_cast<std::uintptr_t>(version);
  if (p <= begin || p >= audit.end) return false;
  while (p < audit.end && *detail::at(p) != '\0') ++p;
  if (p >= audit.end) return false;
  audit.pos = p;
  MHD_get_connection_values_n(connection, MHD_HEADER_KIND, &detail::audit_field, &audit);
  // The last line's terminator and the blank line, and nothing else.
  return audit.ok && detail::only_terminators(audit.pos, audit.end, 2, 4);
}

/// Outcome of `check`: the guard's decision, and whether the request was refused before the
/// check because its header section failed the audit.
struct Decision : adapters::Decision {
  bool refused = false;
};

/// Runs `guard` for `route` on the request of `connection`; the claims are written on
/// success. Logs a rejection (reason and token fingerprint, never the token). A request whose
/// header section fails the audit (`header_section_is_complete`) is refused on every route,
/// report-only and unprotected ones included (`refused`, reason `malformed`), without a log
/// line. Answer every `!allow` with `queue_failure`. `method`, `url` and `version` are the
/// access handler's arguments.
[[nodiscard]] inline Decision check(const adapters::Guard& guard, MHD_Connection* connection,
                                    const char* method, const char* url, const char* version,
                                    const RoutePolicy& route, Claims& claims) noexcept {
  Decision decision;
  if (!header_section_is_complete(connection, method, version)) {
    decision.reason = Reason::malformed;
    decision.allow = false;
    decision.refused = true;
    return decision;
  }
  const RequestAdapter request(connection, method, url);
  static_cast<adapters::Decision&>(decision) = guard.decide(request, route, claims);
  return decision;
}

/// Queues a response with `status`, `content_type` and `body`. The body is copied, so any
/// buffer may be passed. `close` adds "Connection: close": libmicrohttpd then closes the
/// connection once the response is sent.
inline MHD_Result queue_json(MHD_Connection* connection, unsigned int status, std::string_view body,
                             const char* content_type = "application/json",
                             bool close = false) noexcept {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  if (close && MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close") != MHD_YES) {
    MHD_destroy_response(response);
    return MHD_NO;  // never answer a refusal on a connection that would stay open
  }
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  const MHD_Result queued = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return queued;
}

/// Queues the configured failure response (status, Content-Type, body) for `decision`, the
/// result of `check`; for a refused request it also closes the connection (see the header
/// comment).
inline MHD_Result queue_failure(const FailureResponse& failure, MHD_Connection* connection,
                                const Decision& decision) noexcept {
  return queue_json(connection, static_cast<unsigned int>(failure.status), failure.body,
                    failure.content_type.c_str(), decision.refused);
}

}  // namespace approov::microhttpd
