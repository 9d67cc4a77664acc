// What approov-authd prints at start-up (core/startup.hpp).
#include "core/startup.hpp"

#include <gtest/gtest.h>

#include "sidecar.hpp"

namespace approov::authd {
namespace {

TEST(Startup, ListeningLines) {
  EXPECT_EQ(listening_line("listening on", "127.0.0.1:0", 41234),
            "approov-authd listening on 127.0.0.1:41234\n");
  EXPECT_EQ(listening_line("listening on", "[::1]:0", 8081),
            "approov-authd listening on [::1]:8081\n");
  EXPECT_EQ(listening_line("listening on", "unix:/run/authd.sock", 0),
            "approov-authd listening on unix:/run/authd.sock\n");
  EXPECT_EQ(listening_line("admin on", "localhost:9901", 9901),
            "approov-authd admin on localhost:9901\n");
  EXPECT_EQ(listening_line("admin on", "unix:/run/admin.sock", 0),
            "approov-authd admin on unix:/run/admin.sock\n");
}

TEST(Startup, CheckConfigSummary) {
  test::Sidecar s(
      "route / protected\nroute /admin/ protected\nroute /beta report-only binding X-A\n"
      "route /health unprotected\n",
      {"--token-prefix", "Bearer ", "--admin-listen", "127.0.0.1:9"});
  auto settings = load_settings(s.args);
  ASSERT_TRUE(settings);
  const std::string text = describe(settings.value(), *s.svc->policy_snapshot());
  EXPECT_EQ(text,
            "configuration OK\n"
            "  listen 127.0.0.1:0\n"
            "  admin-listen 127.0.0.1:9\n"
            "  token header Approov-Token (prefix \"Bearer \")\n"
            "  secret from file " +
                s.dir.path("secret") +
                "\n"
                "  failure 401 application/json\n"
                "  route /health unprotected\n"
                "  route /admin protected\n"
                "  route /beta report-only binding X-A\n"
                "  route / protected\n");
  EXPECT_EQ(failure_status_warning(*s.svc->policy_snapshot()), "");
}

TEST(Startup, WarnsAboutAStatusNginxTurnsInto500) {
  test::Sidecar s("route / protected\n", {"--failure-status", "429"});
  const std::string w = failure_status_warning(*s.svc->policy_snapshot());
  EXPECT_NE(w.find("failure-status 429"), std::string::npos);
  EXPECT_NE(w.find("500"), std::string::npos);
  test::Sidecar forbidden("route / protected\n", {"--failure-status", "403"});
  EXPECT_EQ(failure_status_warning(*forbidden.svc->policy_snapshot()), "");
}

}  // namespace
}  // namespace approov::authd
