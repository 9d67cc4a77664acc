// The request handler (core/check.hpp) on real Beast requests: decisions, claim headers,
// counters and log lines, and the reading of the original URI and method.
#include "core/check.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sidecar.hpp"

namespace approov::authd {
namespace {

using test::mint;
using test::Sidecar;
using test::valid_token;
namespace http = boost::beast::http;

constexpr const char* kRoutes =
    "route / protected\n"
    "route /public unprotected\n"
    "route /pay binding Authorization\n"
    "route /beta report-only\n";

std::string field(const server::Response& res, const char* name) {
  return std::string(res[name]);
}

TEST(Check, ValidTokenIsAllowedWithClaimHeaders) {
  Sidecar s(kRoutes);
  const auto res =
      s.check("/api", {{"Approov-Token", valid_token(R"("did":"device-1","ip":"203.0.113.7")")}});
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_TRUE(res.body().empty());
  EXPECT_EQ(field(res, "Approov-Claim-Did"), "device-1");
  EXPECT_EQ(field(res, "Approov-Claim-Ip"), "203.0.113.7");
  EXPECT_EQ(field(res, "Approov-Claim-Exp"), test::kFar);
  for (std::string_view name : kClaimHeaders) {
    EXPECT_EQ(res.count(boost::beast::string_view(name.data(), name.size())), 1u) << name;
  }
  EXPECT_EQ(s.metric("approov_authd_requests_total{decision=\"allow\",reason=\"ok\"}"), 1);
  EXPECT_TRUE(s.lines->empty());  // allows are not logged
}

TEST(Check, ClaimValuesThatCouldHurtAreSentEmpty) {
  Sidecar s(kRoutes);
  const std::string big(kMaxClaimHeaderValue + 1, 'a');
  const std::string fits(kMaxClaimHeaderValue, 'b');
  const auto res =
      s.check("/api", {{"Approov-Token", valid_token("\"did\":\"" + big + "\",\"arc\":\"" + fits +
                                                     "\",\"ip\":\"a\\r\\nX-Evil: 1\"")}});
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(field(res, "Approov-Claim-Did"), "");
  EXPECT_EQ(field(res, "Approov-Claim-Arc"), fits);
  EXPECT_EQ(field(res, "Approov-Claim-Ip"), "");
}

TEST(Check, FailuresGetTheFailureResponseAndALogLineWithoutTheToken) {
  Sidecar s(kRoutes, {"--failure-body", "{\"no\":1}", "--failure-content-type", "text/x"});
  const std::string wrong = mint(R"({"exp":4708683205})", "a different 32-byte secret key!!");
  const auto res = s.check("/api", {{"Approov-Token", wrong}});
  EXPECT_EQ(res.result_int(), 401u);
  EXPECT_EQ(res.body(), "{\"no\":1}");
  EXPECT_EQ(field(res, "Content-Type"), "text/x");
  EXPECT_EQ(field(res, "Approov-Claim-Did"), "");
  EXPECT_EQ(res.count("Approov-Claim-Did"), 0u);  // no claim headers on a deny
  EXPECT_EQ(s.metric("approov_authd_requests_total{decision=\"deny\",reason=\"bad_signature\"}"),
            1);
  ASSERT_EQ(s.lines->size(), 1u);
  const std::string& line = s.lines->front();
  EXPECT_NE(line.find("\"event\":\"deny\",\"reason\":\"bad_signature\",\"route\":\"/\","
                      "\"method\":\"GET\",\"token_fp\":\"" +
                      std::string(token_fingerprint(wrong).data()) + "\""),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find(wrong), std::string::npos);
  EXPECT_EQ(line.find(wrong.substr(wrong.rfind('.') + 1)), std::string::npos);  // no signature

  EXPECT_EQ(s.check("/api").result_int(), 401u);
  EXPECT_EQ(s.metric("approov_authd_requests_total{decision=\"deny\",reason=\"missing_token\"}"),
            1);
  EXPECT_EQ(s.lines->back().find("token_fp"), std::string::npos);
}

TEST(Check, UnprotectedAndBindingRoutes) {
  Sidecar s(kRoutes);
  EXPECT_EQ(s.status("/public/x"), 200u);
  EXPECT_EQ(s.metric("approov_authd_requests_total{decision=\"allow\",reason=\"unprotected\"}"), 1);
  const std::string auth = "Bearer abc";
  const std::string bound = valid_token("\"pay\":\"" + pay_claim_for(auth) + "\"");
  EXPECT_EQ(s.status("/pay/now", {{"Approov-Token", valid_token()}, {"Authorization", auth}}),
            401u);
  EXPECT_EQ(s.status("/pay/now", {{"Approov-Token", bound}, {"Authorization", auth}}), 200u);
  EXPECT_EQ(s.status("/pay/now", {{"Approov-Token", bound}, {"Authorization", "other"}}), 401u);
}

TEST(Check, TheOriginalUriAndMethodComeFromTheProxysPair) {
  Sidecar s(kRoutes, {"--cors-preflight", "on"});
  const std::vector<std::pair<std::string, std::string>> preflight = {
      {"Origin", "https://a.example"}, {"Access-Control-Request-Method", "POST"}};
  // The request line is the auth location; the proxy's headers say what the client asked.
  auto with = [&](std::vector<std::pair<std::string, std::string>> extra) {
    auto f = preflight;
    f.insert(f.end(), extra.begin(), extra.end());
    return s.check("/_auth", f).result_int();
  };
  EXPECT_EQ(with({{"X-Original-URI", "/api"}, {"X-Original-Method", "OPTIONS"}}), 200u);
  EXPECT_EQ(with({{"X-Forwarded-Uri", "/api"}, {"X-Forwarded-Method", "OPTIONS"}}), 200u);
  // The method of the other proxy's pair is not read.
  EXPECT_EQ(with({{"X-Original-URI", "/api"}, {"X-Forwarded-Method", "OPTIONS"}}), 401u);
  // No URI header: the request line.
  EXPECT_EQ(s.check("/public").result_int(), 200u);
  EXPECT_EQ(s.check("/api", preflight, http::verb::options).result_int(), 200u);
  EXPECT_EQ(s.metric("approov_authd_requests_total{decision=\"allow\",reason=\"preflight\"}"), 3);
}

TEST(Check, OnlyARealPreflightGetsTheBypass) {
  Sidecar s(kRoutes, {"--cors-preflight", "on"});
  auto status = [&](std::vector<std::pair<std::string, std::string>> f) {
    return s.check("/api", std::move(f), http::verb::options).result_int();
  };
  EXPECT_EQ(status({{"Origin", "o"}, {"Access-Control-Request-Method", "PUT"}}), 200u);
  EXPECT_EQ(status({{"Access-Control-Request-Method", "PUT"}}), 401u);
  EXPECT_EQ(status({{"Origin", ""}, {"Access-Control-Request-Method", "PUT"}}), 401u);
  EXPECT_EQ(status({{"Origin", "o"}, {"Origin", "p"}, {"Access-Control-Request-Method", "PUT"}}),
            401u);
  EXPECT_EQ(status({{"Origin", "o"}}), 401u);
  EXPECT_EQ(status({{"Origin", "o"}, {"Access-Control-Request-Method", "P T"}}), 401u);
  EXPECT_EQ(status({{"Origin", "o"},
                    {"Access-Control-Request-Method", "PUT"},
                    {"Access-Control-Request-Method", "GET"}}),
            401u);
  EXPECT_EQ(
      s.check("/api", {{"Origin", "o"}, {"Access-Control-Request-Method", "PUT"}}).result_int(),
      401u);  // not OPTIONS
  Sidecar off(kRoutes);
  EXPECT_EQ(off.check("/api", {{"Origin", "o"}, {"Access-Control-Request-Method", "PUT"}},
                      http::verb::options)
                .result_int(),
            401u);
}

TEST(Check, AmbiguousOrRefusedUrisAreDeniedAsBadUri) {
  Sidecar s(kRoutes);
  EXPECT_EQ(s.status("/public/../api"), 401u);
  EXPECT_EQ(s.status("/public;x"), 401u);
  EXPECT_EQ(s.check("/_auth", {{"X-Original-URI", "/public"}, {"X-Original-URI", "/public"}})
                .result_int(),
            401u);
  EXPECT_EQ(s.check("/public", {{"X-Original-URI", ""}, {"X-Original-URI", "/x"}}).result_int(),
            401u);
  EXPECT_EQ(s.check("/_auth", {{"X-Original-URI", "/public"},
                               {"X-Original-Method", "GET"},
                               {"X-Original-Method", "POST"}})
                .result_int(),
            401u);
  EXPECT_EQ(s.metric("approov_authd_requests_total{decision=\"deny\",reason=\"bad_uri\"}"), 5);
  EXPECT_NE(s.lines->front().find("\"reason\":\"bad_uri\",\"route\":\"\""), std::string::npos);
  // An empty URI header is skipped: the next one, then the request line.
  EXPECT_EQ(s.check("/api", {{"X-Original-URI", ""}, {"X-Forwarded-Uri", "/public"}}).result_int(),
            200u);
}

TEST(Check, NoRouteIsDenied) {
  Sidecar s("route /only protected\n");
  EXPECT_EQ(s.status("/other", {{"Approov-Token", valid_token()}}), 401u);
  EXPECT_EQ(s.status("/only/x", {{"Approov-Token", valid_token()}}), 200u);
  EXPECT_EQ(s.metric("approov_authd_requests_total{decision=\"deny\",reason=\"no_route\"}"), 1);
}

TEST(Check, ReportOnlyAllowsCountsAndLogs) {
  Sidecar s(kRoutes);
  const auto res = s.check("/_auth", {{"X-Original-URI", "/beta/x"}, {"X-Original-Method", "PUT"}});
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(field(res, "Approov-Claim-Did"), "");
  EXPECT_EQ(res.count("Approov-Claim-Did"), 1u);
  EXPECT_EQ(
      s.metric("approov_authd_requests_total{decision=\"report_only\",reason=\"missing_token\"}"),
      1);
  ASSERT_EQ(s.lines->size(), 1u);
  EXPECT_NE(s.lines->front().find("\"event\":\"report_only\",\"reason\":\"missing_token\","
                                  "\"route\":\"/beta\",\"method\":\"PUT\""),
            std::string::npos);
}

TEST(Check, TheRequestMustPassTheRouteOfEveryReading) {
  Sidecar s("route /x binding Authorization\nroute /x/Y protected\n");
  const std::string auth = "Bearer abc";
  const std::string bound = valid_token("\"pay\":\"" + pay_claim_for(auth) + "\"");
  EXPECT_EQ(s.status("/x/y", {{"Approov-Token", valid_token()}}), 401u);
  EXPECT_EQ(s.status("/x/y", {{"Approov-Token", valid_token()}, {"Authorization", auth}}), 401u);
  EXPECT_EQ(s.status("/x/y", {{"Approov-Token", bound}, {"Authorization", auth}}), 200u);
  EXPECT_EQ(s.status("/x/Y", {{"Approov-Token", valid_token()}}), 200u);
  Sidecar open("route / unprotected\nroute /api protected\n");
  EXPECT_EQ(open.status("/API/x"), 401u);
  EXPECT_EQ(open.status("/api.json"), 401u);
  EXPECT_EQ(open.status("/ap%C4%B1"), 401u);
  EXPECT_EQ(open.status("/ap%C4%B1", {{"Approov-Token", valid_token()}}), 200u);
  EXPECT_EQ(open.status("/caf%C3%A9"), 200u);
}

TEST(Check, RefusedRequestsGetTheFailureResponseInForce) {
  Sidecar s(kRoutes, {"--failure-status", "403", "--failure-body", "no"});
  server::Response res;
  answer_refused(*s.svc, 0, http::status::request_header_fields_too_large, res);
  EXPECT_EQ(res.result_int(), 403u);
  EXPECT_EQ(res.body(), "no");
  EXPECT_EQ(s.metric("approov_authd_requests_total{decision=\"deny\",reason=\"bad_request\"}"), 1);
  ASSERT_EQ(s.lines->size(), 1u);
  EXPECT_NE(s.lines->front().find("\"reason\":\"bad_request\",\"http_status\":431"),
            std::string::npos);
}

TEST(Check, EachWorkerCountsInItsOwnState) {
  Sidecar s(kRoutes, {}, 3);
  EXPECT_EQ(s.check("/public", {}, http::verb::get, 0).result_int(), 200u);
  EXPECT_EQ(s.check("/public", {}, http::verb::get, 2).result_int(), 200u);
  EXPECT_EQ(s.svc->worker(0).metrics.bypass[kUnprotected].load(), 1u);
  EXPECT_EQ(s.svc->worker(1).metrics.bypass[kUnprotected].load(), 0u);
  EXPECT_EQ(s.svc->worker(2).metrics.bypass[kUnprotected].load(), 1u);
  EXPECT_EQ(s.metric("approov_authd_requests_total{decision=\"allow\",reason=\"unprotected\"}"), 2);
  EXPECT_EQ(s.metric("approov_authd_check_duration_seconds_count"), 2);
}

// ---- reload and admin --------------------------------------------------------------------

TEST(Service, ReloadSwitchesThePolicyForEveryWorker) {
  Sidecar s("route / protected\n", {}, 2);
  EXPECT_EQ(s.status("/open"), 401u);
  s.rewrite("route / protected\nroute /open unprotected\n");
  s.svc->reload(s.args, s.dotenv);
  EXPECT_EQ(s.svc->generation(), 2u);
  EXPECT_EQ(s.status("/open"), 200u);
  EXPECT_EQ(s.check("/open", {}, http::verb::get, 1).result_int(), 200u);
  EXPECT_EQ(s.metric("approov_authd_config_reloads_total{result=\"ok\"}"), 1);
  EXPECT_EQ(s.metric("approov_authd_config_generation"), 2);
  ASSERT_FALSE(s.lines->empty());
  EXPECT_NE(s.lines->back().find("\"event\":\"reload\",\"result\":\"ok\",\"generation\":2}"),
            std::string::npos);
}

TEST(Service, ABadReloadKeepsThePolicyInForce) {
  Sidecar s("route / protected\nroute /open unprotected\n");
  s.rewrite("route / protected\nroute /open sometimes\n");
  s.svc->reload(s.args, s.dotenv);
  EXPECT_EQ(s.svc->generation(), 1u);
  EXPECT_EQ(s.status("/open"), 200u);
  EXPECT_EQ(s.metric("approov_authd_config_reloads_total{result=\"rejected\"}"), 1);
  ASSERT_FALSE(s.lines->empty());
  EXPECT_NE(s.lines->back().find("\"result\":\"rejected\",\"generation\":1,\"error\":\"" + s.conf +
                                 ":5: route: expected protected"),
            std::string::npos)
      << s.lines->back();
  // The secret file going bad is rejected the same way.
  s.rewrite("route / protected\n");
  s.dir.write("secret", "not base64!");
  s.svc->reload(s.args, s.dotenv);
  EXPECT_EQ(s.svc->generation(), 1u);
  EXPECT_EQ(s.metric("approov_authd_config_reloads_total{result=\"rejected\"}"), 2);
  EXPECT_EQ(s.lines->back().find("not base64"), std::string::npos);  // never the secret text
}

TEST(Admin, HealthReadinessMetricsAndNotFound) {
  Sidecar s(kRoutes);
  auto res = s.admin("/healthz");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "ok\n");
  EXPECT_EQ(s.admin("/readyz").result_int(), 503u);
  s.svc->set_ready(true);
  res = s.admin("/readyz");
  EXPECT_EQ(res.result_int(), 200u);
  // The clock's state is in the body, never in the status.
  EXPECT_EQ(res.body().rfind("ready\nclock synchronized: ", 0), 0u) << res.body();
  res = s.admin("/metrics", 5);
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(field(res, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(res.body().find("\napproov_authd_connections 5\n"), std::string::npos);
  EXPECT_EQ(s.admin("/metrics/x").result_int(), 404u);
  EXPECT_EQ(s.admin("/").result_int(), 404u);
}

}  // namespace
}  // namespace approov::authd
