// hello-server-token-binding-check: the Hello World API answering only requests whose valid
// Approov token is bound to the request's Authorization header (the token's `pay` claim is
// the SHA-256 of that header's value); every failure gets 401 {}.
#include "approov/adapters/beast.hpp"
#include "serve.hpp"

int main(int argc, char** argv) {
  const char* program = "hello-server-token-binding-check";
  hello::block_stop_signals();
  const hello::Settings settings = hello::load_settings(argc, argv, program);
  const approov::adapters::Guard guard = hello::make_guard(settings, program);
  const approov::RoutePolicy route = approov::RoutePolicy::token_binding({"Authorization"});

  auto handler = approov::beast::protect(
      guard, route, [](const auto& req, auto& res, const auto*) { hello::hello_world(req, res); });
  // Requests the server refuses before the handler (say, a control byte in the token header)
  // get the same failure response.
  return hello::serve(settings, program, route.protection, handler, &guard.failure());
}
