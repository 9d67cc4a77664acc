// hello-server-token-check: the Hello World API answering only requests that carry a valid
// Approov token (header Approov-Token); every failure gets 401 {}.
#include "approov/adapters/beast.hpp"
#include "serve.hpp"

int main(int argc, char** argv) {
  const char* program = "hello-server-token-check";
  hello::block_stop_signals();
  const hello::Settings settings = hello::load_settings(argc, argv, program);
  const approov::adapters::Guard guard = hello::make_guard(settings, program);
  const approov::RoutePolicy route = approov::RoutePolicy::token_check();

  auto handler = approov::beast::protect(
      guard, route, [](const auto& req, auto& res, const auto*) { hello::hello_world(req, res); });
  // Requests the server refuses before the handler (say, a control byte in the token header)
  // get the same failure response.
  return hello::serve(settings, program, route.protection, handler, &guard.failure());
}
