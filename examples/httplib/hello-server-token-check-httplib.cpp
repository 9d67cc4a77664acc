// hello-server-token-check on cpp-httplib: GET / answers 200 {"message": "Hello, World!"}
// only with a valid Approov token; any other path answers 400 {} after the check; every
// token failure answers 401 {} (application/json).
#include <httplib.h>

#include <cstdio>
#include <thread>

#include "approov/adapters/httplib.hpp"
#include "hello_common.hpp"

int main(int argc, char** argv) {
  const char* program = "hello-server-token-check-httplib";
  hello::block_stop_signals();
  const hello::Settings settings = hello::load_settings(argc, argv, program);
  const approov::adapters::Guard guard = hello::make_guard(settings, program);
  const approov::RoutePolicy route = approov::RoutePolicy::token_check();

  // approov::cpphttplib::Server, not httplib::Server: its engine frames requests strictly and
  // keeps the header fields as received for the check, caps the header section and the body,
  // serves pipelined requests, and lets neither slow nor idle clients hold a worker thread.
  approov::cpphttplib::ServerOptions options;
  options.threads = settings.threads;
  options.header_limit = 16 * 1024;
  options.body_limit = 1 << 20;
  approov::cpphttplib::Server server(options);
  server.set_keep_alive_max_count(1000);
  server.set_keep_alive_timeout(60);  // idle between requests: costs no thread here
  server.set_read_timeout(10);        // a whole request, first byte to last
  server.set_write_timeout(10);

  auto handler = approov::cpphttplib::protect(
      guard, route,
      [](const httplib::Request& req, httplib::Response& res, const approov::Claims*) {
        if (req.method == "GET" && req.path == "/") {
          res.set_content(hello::kHelloBody, "application/json");
        } else {
          res.status = 400;
          res.set_content(hello::kBadRequestBody, "application/json");
        }
      });
  server.Get(".*", handler).Post(".*", handler).Put(".*", handler).Delete(".*", handler);
  server.Patch(".*", handler).Options(".*", handler);
  // Requests refused before the check (by the engine: malformed, oversized; by httplib: a
  // header line over 8192 bytes, a long token say) get the same 401 {} as any token failure.
  approov::cpphttplib::answer_refused_requests_with_failure(server, guard);

  const int port =
      settings.port == 0
          ? server.bind_to_any_port(settings.host.c_str())
          : (server.bind_to_port(settings.host.c_str(), settings.port) ? settings.port : -1);
  if (port < 0) {
    std::fprintf(stderr, "%s: cannot listen on %s:%u\n", program, settings.host.c_str(),
                 settings.port);
    return 1;
  }
  hello::announce(settings, program, static_cast<std::uint16_t>(port), approov::Protection::token);
  std::thread serving([&server] { server.listen_after_bind(); });
  const int sig = hello::wait_for_stop_signal();
  std::fprintf(stderr, "%s: signal %d, stopping\n", program, sig);
  server.stop();
  serving.join();
  return 0;
}
