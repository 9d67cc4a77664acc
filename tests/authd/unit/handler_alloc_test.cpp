// The request path stays allocation-light: after a worker's first request (which sizes its
// buffers), a check allocates nothing of its own; what is left is one allocation per response
// field, made by Beast's field list (the claim headers, the failure Content-Type). Its own
// binary: it links tests/support/counting_allocator.cpp, which counts every operator new.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "counting_allocator.hpp"
#include "sidecar.hpp"

namespace approov::authd {
namespace {

using test::Sidecar;
namespace http = boost::beast::http;

// Allocations made by `count` checks of the same request, the response reset between them as
// the server engine does (fields cleared, the body's capacity kept), after one warm-up check.
long allocations(Sidecar& s, const server::Request& req, int count = 10) {
  server::Response res;
  answer_check(*s.svc, 0, req, res);
  const std::uint64_t before = approov::testing::heap_allocations();
  for (int i = 0; i < count; ++i) {
    res.clear();
    res.body().clear();
    res.result(http::status::ok);
    answer_check(*s.svc, 0, req, res);
  }
  return static_cast<long>(approov::testing::heap_allocations() - before) / count;
}

server::Request request(const std::string& uri, const std::string& token = {}) {
  server::Request req{http::verb::get, "/_auth", 11};
  req.set("X-Original-URI", uri);
  if (!token.empty()) req.set("Approov-Token", token);
  return req;
}

constexpr const char* kRoutes =
    "route / protected\nroute /open unprotected\nroute /API/v1 protected\n";

TEST(HandlerAllocations, AChecksOwnWorkAllocatesNothing) {
  Sidecar s(kRoutes, {"--claim-headers", "off", "--log-rate", "0"});
  const std::string token = test::valid_token(R"("did":"device-1")");
  EXPECT_EQ(allocations(s, request("/api/v1/a/path/longer/than/sso/x.json?q=1", token)), 0);
  EXPECT_EQ(allocations(s, request("/ap%C4%B1/v1/a/path/longer/than/sso", token)), 0);
  EXPECT_EQ(allocations(s, request("/open/x")), 0);
  // A deny: only the failure response's Content-Type field.
  EXPECT_EQ(allocations(s, request("/x")), 1);
  EXPECT_EQ(allocations(s, request("/x/../open")), 1);
}

TEST(HandlerAllocations, ClaimHeadersCostOneFieldEach) {
  Sidecar s(kRoutes, {"--log-rate", "0"});
  const std::string token = test::valid_token(R"("did":"device-1")");
  EXPECT_EQ(allocations(s, request("/api", token)), static_cast<long>(kClaimHeaders.size()));
  EXPECT_EQ(allocations(s, request("/open")), static_cast<long>(kClaimHeaders.size()));
}

// A message-signing route: the forwarded view and the whole signature check (the structured
// fields, the signature base, the HMAC) allocate nothing of ours; the deny allocates only its
// Content-Type field. The signature is well-formed and current, but wrong.
TEST(HandlerAllocations, AMessageSignatureCheckAllocatesNothing) {
  test::TempDir keys;
  const std::string account =
      keys.write("account", test::base64_of(test::test_key(), base64::Alphabet::standard));
  Sidecar s(
      "route /v1 message-signing-required protected\n",
      {"--account-signing-secret-file", account, "--log-rate", "0", "--claim-headers", "off"});
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  server::Request req =
      request("/v1/orders/a/path/longer/than/sso?id=7", test::valid_token(R"("mskid":"k1")"));
  req.set("X-Original-Method", "GET");
  req.set("X-Forwarded-Proto", "https");
  req.set("X-Forwarded-Host", "api.example.com");
  req.set("Signature-Input",
          "account=(\"@method\" \"@target-uri\" \"approov-token\");alg="
          "\"hmac-sha256\";created=" +
              std::to_string(now) + ";expires=" + std::to_string(now + 15));
  req.set("Signature", "account=:" + std::string(43, 'A') + "=:");
  EXPECT_EQ(allocations(s, req), 1);
  EXPECT_EQ(s.metric("approov_authd_requests_total{decision=\"deny\",reason=\"bad_message_"
                     "signature\"}"),
            11);
}

}  // namespace
}  // namespace approov::authd
