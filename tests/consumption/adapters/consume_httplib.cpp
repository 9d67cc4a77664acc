// Uses the installed cpp-httplib adapter: serves a protected route with
// approov::cpphttplib::Server on a loopback port and prints the status it answers for the
// token in argv[1]. (The check reads the header fields as that server received them, so it
// needs the server: a request built in memory is refused.)
#include <approov/adapters/httplib.hpp>
#include <approov/approov.hpp>
#include <chrono>
#include <iostream>
#include <thread>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto verifier = approov::TokenVerifier::from_environment();
  if (!verifier) return 2;
  auto check = approov::RequestCheck::create(std::move(verifier).value());
  if (!check) return 2;
  const approov::adapters::Guard guard(std::move(check).value(), {},
                                       [](const approov::adapters::Rejection&) {});
  approov::cpphttplib::Server server;
  server.Get("/", approov::cpphttplib::protect(
                      guard, approov::RoutePolicy::token_check(),
                      [](const httplib::Request&, httplib::Response& r, const approov::Claims*) {
                        r.set_content("hello", "text/plain");
                      }));
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) return 2;
  std::thread serving([&server] { server.listen_after_bind(); });
  for (int i = 0; i < 1000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  httplib::Client client("127.0.0.1", port);
  const auto res = client.Get("/", {{"Approov-Token", argv[1]}});
  server.stop();
  serving.join();
  if (!res) return 2;
  std::cout << "httplib " << res->status << " " << res->body << "\n";
  return res->status == 200 ? 0 : 1;
}
