// Uses the installed cpp-httplib adapter on a request built in memory (no server needed):
// prints the status a protected handler answers for the token in argv[1].
#include <approov/adapters/httplib.hpp>
#include <approov/approov.hpp>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto verifier = approov::TokenVerifier::from_environment();
  if (!verifier) return 2;
  auto check = approov::RequestCheck::create(std::move(verifier).value());
  if (!check) return 2;
  const approov::adapters::Guard guard(std::move(check).value(), {},
                                       [](const approov::adapters::Rejection&) {});
  httplib::Request req;
  req.method = "GET";
  req.path = "/";
  req.headers.emplace("Approov-Token", argv[1]);
  httplib::Response res;
  res.status = 200;  // what httplib's server sets before it calls a handler
  auto hello = approov::cpphttplib::protect(
      guard, approov::RoutePolicy::token_check(),
      [](const httplib::Request&, httplib::Response& r, const approov::Claims*) {
        r.set_content("hello", "text/plain");
      });
  hello(req, res);
  std::cout << "httplib " << res.status << " " << res.body << "\n";
  return res.status == 200 ? 0 : 1;
}
