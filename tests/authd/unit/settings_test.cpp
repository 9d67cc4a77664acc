// Settings from flags and the config file (core/settings.hpp), as the sidecar parses them.
#include "core/settings.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_files.hpp"

namespace approov::authd {
namespace {

using test::TempDir;

Configured<Settings> parse(std::vector<std::string> args) {
  return load_settings(args);
}

std::string error_of(std::vector<std::string> args) {
  auto r = load_settings(args);
  return r ? std::string("(accepted)") : r.error();
}

TEST(Settings, DefaultsWithOneListener) {
  auto r = parse({"--listen", "127.0.0.1:8081"});
  ASSERT_TRUE(r) << r.error();
  const Settings& s = r.value();
  EXPECT_EQ(s.listen, std::vector<std::string>{"127.0.0.1:8081"});
  EXPECT_EQ(s.threads, 1u);
  EXPECT_EQ(s.header_limit, 64u * 1024);
  EXPECT_EQ(s.token_header, "Approov-Token");
  EXPECT_EQ(s.token_prefix, "");
  EXPECT_EQ(s.failure.status, 401);
  EXPECT_TRUE(s.claim_headers);
  EXPECT_FALSE(s.cors_preflight);
  EXPECT_FALSE(s.report_only);
  EXPECT_EQ(s.uri_headers, (std::vector<std::string>{"X-Original-URI", "X-Forwarded-Uri"}));
  EXPECT_TRUE(s.routes.empty());
  EXPECT_EQ(s.log_rate, 20);
  EXPECT_EQ(s.leeway, 0);
}

TEST(Settings, FlagsInBothForms) {
  auto r =
      parse({"--listen=127.0.0.1:1", "--threads", "4", "--token-prefix=Bearer ", "--claim-headers",
             "off", "--cors-preflight=yes", "--leeway", "300", "--failure-status", "403",
             "--idle-timeout-ms", "5", "--log-rate", "0", "--audience", "a", "--issuer=i"});
  ASSERT_TRUE(r) << r.error();
  const Settings& s = r.value();
  EXPECT_EQ(s.threads, 4u);
  EXPECT_EQ(s.token_prefix, "Bearer ");
  EXPECT_FALSE(s.claim_headers);
  EXPECT_TRUE(s.cors_preflight);
  EXPECT_EQ(s.leeway, 300);
  EXPECT_EQ(s.failure.status, 403);
  EXPECT_EQ(s.idle_timeout.count(), 5);
  EXPECT_EQ(s.log_rate, 0);
  EXPECT_EQ(s.audience, "a");
  EXPECT_EQ(s.issuer, "i");
}

TEST(Settings, BadValuesNameTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {{}, "no listener"},
      {{"--listen", "x:1", "--leeway", "301"}, "--leeway"},
      {{"--listen", "x:1", "--leeway", "-1"}, "--leeway"},
      {{"--listen", "x:1", "--threads", "0"}, "--threads"},
      {{"--listen", "x:1", "--threads", "257"}, "--threads"},
      {{"--listen", "x:1", "--threads", "+2"}, "--threads"},
      {{"--listen", "x:1", "--header-limit", "1023"}, "--header-limit"},
      {{"--listen", "x:1", "--failure-status", "500"}, "--failure-status"},
      {{"--listen", "x:1", "--failure-status", "399"}, "--failure-status"},
      {{"--listen", "x:1", "--token-header", "Bad Header"}, "--token-header"},
      {{"--listen", "x:1", "--uri-header", "X:Y"}, "--uri-header"},
      {{"--listen", "x:1", "--token-prefix", "a\x01"}, "--token-prefix"},
      {{"--listen", "x:1", "--claim-headers", "maybe"}, "--claim-headers"},
      {{"--listen", "x:1", "--secret-encoding", "hex"}, "--secret-encoding"},
      {{"--listen", "x:1", "--bogus", "1"}, "unknown setting bogus"},
      {{"--listen", "x:1", "--threads"}, "--threads: missing value"},
      {{"--listen", "x:1", "stray"}, "unexpected argument stray"},
      {{"--listen", ""}, "empty address"},
  };
  for (const Case& c : cases) {
    const std::string err = error_of(c.args);
    EXPECT_NE(err.find(c.needle), std::string::npos) << err;
  }
}

TEST(Settings, HelpAndCheckConfig) {
  auto help = parse({"--help"});
  ASSERT_TRUE(help);  // no listener needed for --help
  EXPECT_TRUE(help.value().help);
  auto check = parse({"--listen", "x:1", "--check-config"});
  ASSERT_TRUE(check);
  EXPECT_TRUE(check.value().check_config);
  EXPECT_NE(usage().find("--secret-encoding"), std::string::npos);
}

TEST(Settings, ConfigFileThenFlagsOverride) {
  TempDir dir;
  const std::string conf = dir.write("authd.conf",
                                     "# comment\n"
                                     "\n"
                                     "listen = 127.0.0.1:1\n"
                                     "listen = 127.0.0.1:2\n"
                                     "  threads = 2  \r\n"
                                     "token-prefix = Bearer \n"
                                     "failure-body = {\"error\": \"no\"}\n"
                                     "uri-header = X-A\n"
                                     "uri-header = X-B\n");
  auto r = parse({"--threads", "3", "--config", conf});
  ASSERT_TRUE(r) << r.error();
  const Settings& s = r.value();
  EXPECT_EQ(s.config_path, conf);
  EXPECT_EQ(s.listen, (std::vector<std::string>{"127.0.0.1:1", "127.0.0.1:2"}));
  EXPECT_EQ(s.threads, 3u);             // the flag wins wherever --config stands
  EXPECT_EQ(s.token_prefix, "Bearer");  // values are trimmed
  EXPECT_EQ(s.failure.body, "{\"error\": \"no\"}");
  EXPECT_EQ(s.uri_headers, (std::vector<std::string>{"X-A", "X-B"}));  // replaced, then added

  // --listen flags replace the file's listeners instead of adding to them.
  auto flags = parse({"--config", conf, "--listen", "unix:/run/a", "--listen", "127.0.0.1:3"});
  ASSERT_TRUE(flags) << flags.error();
  EXPECT_EQ(flags.value().listen, (std::vector<std::string>{"unix:/run/a", "127.0.0.1:3"}));
}

TEST(Settings, ConfigFileErrorsNameFileAndLine) {
  TempDir dir;
  struct Case {
    std::string text;
    std::string needle;
  };
  for (const Case& c : std::vector<Case>{
           {"listen = x:1\nthreads = lots\n", ":2: threads: expected 1..256"},
           {"listen = x:1\njust words\n", ":2: expected `key = value` or `route ...`"},
           {"nonsense = 1\n", ":1: unknown setting nonsense"},
           {"route\n", ":1: expected `key = value`"},  // `route` alone is not a route line
           {"route /x\n", ":1: route: missing mode"},
           {"route /x sometimes\n", ":1: route: expected protected, unprotected"},
           {"route /x unprotected extra\n", ":1: route: expected protected"},
           {"route /x report-only unprotected\n", ":1: route: report-only needs a checked"},
           {"route /x binding\n", ":1: route: binding needs at least one header name"},
           {"route /x binding Bad:Name\n", ":1: route: bad header name Bad:Name"},
           {"route /a/../b protected\n", ":1: route /a/../b: the prefix has a . or .."},
       }) {
    const std::string conf = dir.write("c.conf", c.text);
    const std::string err = error_of({"--config", conf});
    EXPECT_EQ(err.rfind(conf, 0), 0u) << err;
    EXPECT_NE(err.find(c.needle), std::string::npos) << c.text << " -> " << err;
  }
  EXPECT_NE(error_of({"--listen", "x:1", "--config", dir.path("missing.conf")})
                .find("cannot read config file " + dir.path("missing.conf")),
            std::string::npos);
}

TEST(Settings, RouteLines) {
  TempDir dir;
  const std::string conf = dir.write("authd.conf",
                                     "listen = x:1\n"
                                     "route / protected\n"
                                     "route\t/health  unprotected\n"
                                     "route /pay binding Authorization X-Device-Id\n"
                                     "route /beta report-only\n"
                                     "route /beta/pay report-only binding Authorization\n"
                                     "route //v1//%61pi/ protected\n");
  auto r = parse({"--config", conf});
  ASSERT_TRUE(r) << r.error();
  const auto& routes = r.value().routes;
  ASSERT_EQ(routes.size(), 6u);
  EXPECT_EQ(routes[0].prefix, "/");
  EXPECT_EQ(routes[0].policy.protection, Protection::token);
  EXPECT_EQ(routes[0].source, conf + ":2");
  EXPECT_EQ(routes[1].prefix, "/health");
  EXPECT_EQ(routes[1].policy.protection, Protection::none);
  EXPECT_EQ(routes[2].policy.protection, Protection::token_binding);
  EXPECT_EQ(routes[2].policy.binding.headers,
            (std::vector<std::string>{"Authorization", "X-Device-Id"}));
  EXPECT_TRUE(routes[3].policy.report_only);
  EXPECT_EQ(routes[3].policy.protection, Protection::token);
  EXPECT_TRUE(routes[4].policy.report_only);
  EXPECT_EQ(routes[4].policy.protection, Protection::token_binding);
  EXPECT_EQ(routes[5].prefix, "/v1/api");
}

TEST(Settings, PrefixesEqualUnderFoldingAreRefusedNamingBothLines) {
  TempDir dir;
  for (const auto& [first, second] :
       std::vector<std::pair<std::string, std::string>>{{"/api", "/API"},
                                                        {"/api", "/api/"},
                                                        {"/Api/X", "/aPI//x"},
                                                        {"/api", "/%61pi"},
                                                        {"/", "//"}}) {
    const std::string conf =
        dir.write("c.conf", "route " + first + " protected\nroute " + second + " unprotected\n");
    const std::string err = error_of({"--listen", "x:1", "--config", conf});
    EXPECT_NE(err.find(conf + ":2"), std::string::npos) << err;
    EXPECT_NE(err.find(conf + ":1"), std::string::npos) << err;
    EXPECT_NE(err.find("duplicate prefix"), std::string::npos) << err;
  }
}

TEST(Settings, BindingHeaderFlagIsForSimpleModeOnly) {
  TempDir dir;
  const std::string conf = dir.write("c.conf", "route / protected\n");
  EXPECT_NE(error_of({"--listen", "x:1", "--config", conf, "--token-binding-header", "A"})
                .find("simple mode only"),
            std::string::npos);
  auto simple =
      parse({"--listen", "x:1", "--token-binding-header", "A", "--token-binding-header", "B"});
  ASSERT_TRUE(simple);
  EXPECT_EQ(simple.value().binding_headers, (std::vector<std::string>{"A", "B"}));
}

}  // namespace
}  // namespace approov::authd
