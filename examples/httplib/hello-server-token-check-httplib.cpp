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

  httplib::Server server;
  // httplib serves one connection per pool thread for as long as it stays open, so the pool
  // must hold as many threads as keep-alive connections are expected at once.
  const unsigned pool = settings.threads > 64 ? settings.threads : 64;
  server.new_task_queue = [pool] { return new httplib::ThreadPool(pool); };
  server.set_keep_alive_max_count(1000);
  server.set_payload_max_length(1 << 20);

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
  // httplib refuses a header line over 8192 bytes (a long token, say) before any handler
  // runs: answer those requests with the same 401 {} as every other token failure.
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
