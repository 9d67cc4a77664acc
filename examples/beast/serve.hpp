// Runs a hello handler on the Boost.Beast server engine: listen where the settings say, tell
// the user where, serve until SIGINT or SIGTERM, then stop gracefully.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include "approov/server/http_server.hpp"
#include "hello_common.hpp"

namespace hello {

namespace http = boost::beast::http;

/// The quickstarts' only route: GET / says hello, anything else is a bad request.
inline void hello_world(const approov::server::Request& req, approov::server::Response& res) {
  const std::string_view target(req.target().data(), req.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  res.set(http::field::content_type, "application/json");
  if (req.method() == http::verb::get && path == "/") {
    res.body() = kHelloBody;
  } else {
    res.result(http::status::bad_request);
    res.body() = kBadRequestBody;
  }
}

/// Serves `handler`. A protected server passes its guard's failure response as `failure`: the
/// engine then answers it, too, to requests it refuses before any handler runs (a control byte
/// in the token header, a header block over the limit), so that every token failure gets the
/// same bytes (docs/BEHAVIOUR.md §6) instead of an empty 400 or 431.
inline int serve(const Settings& settings, const char* program, approov::Protection protection,
                 approov::server::Handler handler,
                 const approov::FailureResponse* failure = nullptr) {
  approov::server::ServerOptions options;
  options.threads = settings.threads;
  if (failure != nullptr) {
    options.reject_response = *failure;
  }
  approov::server::Server server(options, std::move(handler));
  const bool ipv6 = settings.host.find(':') != std::string::npos;
  const std::string address =
      (ipv6 ? "[" + settings.host + "]" : settings.host) + ":" + std::to_string(settings.port);
  if (const std::string error = server.listen(address); !error.empty()) {
    std::fprintf(stderr, "%s: %s\n", program, error.c_str());
    return 1;
  }
  announce(settings, program, server.port(), protection);
  server.start();
  const int sig = wait_for_stop_signal();
  std::fprintf(stderr, "%s: signal %d, stopping\n", program, sig);
  server.stop();
  server.wait();
  return 0;
}

}  // namespace hello
