// Uses the installed Boost.Beast adapter on a Beast request built in memory (no server needed):
// prints the status a protected handler answers for the token in argv[1].
#include <approov/adapters/beast.hpp>
#include <approov/approov.hpp>
#include <boost/beast/http.hpp>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto verifier = approov::TokenVerifier::from_environment();
  if (!verifier) return 2;
  auto check = approov::RequestCheck::create(std::move(verifier).value());
  if (!check) return 2;
  const approov::adapters::Guard guard(std::move(check).value(), {},
                                       [](const approov::adapters::Rejection&) {});
  namespace http = boost::beast::http;
  http::request<http::string_body> req{http::verb::get, "/", 11};
  req.set("Approov-Token", argv[1]);
  http::response<http::string_body> res;
  auto hello = approov::beast::protect(
      guard, approov::RoutePolicy::token_check(),
      [](const auto&, auto& r, const approov::Claims*) { r.body() = "hello"; });
  hello(req, res);
  std::cout << "beast " << res.result_int() << " " << res.body() << "\n";
  return res.result_int() == 200 ? 0 : 1;
}
