// The request path stays allocation-light: after a worker's first request (which sizes its
// buffers), a check allocates nothing of its own; what is left is one allocation per response
// field, made by Beast's field list (the claim headers, the failure Content-Type). Its own
// binary: it links tests/support/counting_allocator.cpp, which counts every operator new.
#include <gtest/gtest.h>

#include <cstdint>

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

}  // namespace
}  // namespace approov::authd
