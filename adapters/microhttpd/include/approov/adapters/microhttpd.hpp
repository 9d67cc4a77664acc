// libmicrohttpd adapter: the "any other framework" pattern in full. GNU libmicrohttpd calls a
// C access handler per request, so the adapter is two functions to call from it:
//
//   approov::Claims claims;
//   if (!approov::microhttpd::check(guard, connection, method, url, route, claims).allow)
//     return approov::microhttpd::queue_failure(guard.failure(), connection);
//   ... the protected handler, with `claims` ...
#pragma once

#include <microhttpd.h>

#include <optional>
#include <string_view>

#include "approov/adapters/guard.hpp"
#include "approov/request_check.hpp"

namespace approov::microhttpd {

/// RequestView over a connection's request. libmicrohttpd keeps every header field it
/// received (duplicates included), so `fields` walks them all instead of using
/// `MHD_lookup_connection_value`, which returns only the first. The body is not seen here (the
/// access handler gets it in pieces). Holds the pointers: use it only inside the access handler.
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
      search.sink.line(value != nullptr ? std::string_view(value, value_size) : std::string_view());
    }
    return MHD_YES;
  }
  MHD_Connection* connection_;
  std::string_view method_;
  std::string_view url_;
  std::string_view scheme_;
};

/// Runs `guard` for `route` on the request of `connection`; the claims are written on
/// success. Logs a rejection (reason and token fingerprint, never the token).
[[nodiscard]] inline adapters::Decision check(const adapters::Guard& guard,
                                              MHD_Connection* connection, const char* method,
                                              const char* url, const RoutePolicy& route,
                                              Claims& claims) noexcept {
  const RequestAdapter request(connection, method, url);
  return guard.decide(request, route, claims);
}

/// Queues a response with `status`, `content_type` and `body`. The body is copied, so any
/// buffer may be passed.
inline MHD_Result queue_json(MHD_Connection* connection, unsigned int status, std::string_view body,
                             const char* content_type = "application/json") noexcept {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  const MHD_Result queued = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return queued;
}

/// Queues the configured failure response (SPEC §6).
inline MHD_Result queue_failure(const FailureResponse& failure,
                                MHD_Connection* connection) noexcept {
  return queue_json(connection, static_cast<unsigned int>(failure.status), failure.body,
                    failure.content_type.c_str());
}

}  // namespace approov::microhttpd
