// What approov-authd prints at start-up (core/startup.hpp).
#include "core/startup.hpp"

#include <gtest/gtest.h>
#include <netdb.h>

#include "sidecar.hpp"

namespace approov::authd {
namespace {

TEST(Startup, BoundAddresses) {
  EXPECT_EQ(bound_address("127.0.0.1:0", 41234), "127.0.0.1:41234");
  EXPECT_EQ(bound_address("[::1]:0", 8081), "[::1]:8081");
  EXPECT_EQ(bound_address("unix:/run/authd.sock", 0), "unix:/run/authd.sock");
  EXPECT_EQ(bound_address("localhost:9901", 9901), "localhost:9901");
}

// --check-config and a start share the listener checks: an address given twice, in any
// spelling, or the admin listener on a check listener's address, is refused before binding.
TEST(Startup, ListenersAreCheckedBeforeBinding) {
  auto error_of = [](std::vector<std::string> listen, std::string admin) {
    Settings s;
    s.listen = std::move(listen);
    s.admin_listen = std::move(admin);
    return check_listeners(s);
  };
  EXPECT_EQ(error_of({"127.0.0.1:8081", "127.0.0.1:8082", "unix:/tmp/a.sock"}, "127.0.0.1:9901"),
            "");
  EXPECT_EQ(error_of({"127.0.0.1:0", "127.0.0.1:0"}, "127.0.0.1:0"), "");  // fresh ports
  EXPECT_EQ(error_of({"127.0.0.1:8081", "[::1]:8081"}, ""), "");  // two addresses, one port
  const std::vector<std::pair<std::pair<std::vector<std::string>, std::string>, std::string>>
      refused = {
          {{{"127.0.0.1:8081"}, "127.0.0.1:8081"}, "admin-listen 127.0.0.1:8081 is the address"},
          {{{"0.0.0.0:8081"}, "127.0.0.1:8081"}, "admin-listen"},
          {{{"127.0.0.1:8081"}, "0.0.0.0:8081"}, "admin-listen"},
          {{{"unix:/tmp/a.sock"}, "unix:/tmp/a.sock"}, "admin-listen"},
          {{{"127.0.0.1:8081", "127.0.0.1:8081"}, ""}, "given twice"},
          {{{"[::]:8081", "[::1]:8081"}, ""}, "given twice"},
          {{{"127.0.0.1:99999"}, ""}, "listen: cannot listen on 127.0.0.1:99999: bad port"},
          {{{"no-port"}, ""}, "expected HOST:PORT or unix:/path"},
          {{{"127.0.0.1:1"}, "bad"}, "admin-listen: cannot listen on bad"},
          {{{"unix:"}, ""}, "empty path"},
      };
  for (const auto& [in, needle] : refused) {
    const std::string err = error_of(in.first, in.second);
    EXPECT_NE(err.find(needle), std::string::npos) << err;
  }
  // A host name is compared by the addresses it resolves to: only where `localhost` resolves
  // (a minimal chroot may have no /etc/hosts entry for it).
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* found = nullptr;
  if (getaddrinfo("localhost", nullptr, &hints, &found) == 0) {
    freeaddrinfo(found);
    const std::string err = error_of({"127.0.0.1:8081"}, "localhost:8081");
    EXPECT_NE(err.find("admin listener needs an address of its own"), std::string::npos) << err;
  }
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
            "  config " +
                s.conf +
                "\n"
                "  listen 127.0.0.1:0\n"
                "  admin-listen 127.0.0.1:9\n"
                "  threads 1\n"
                "  token header Approov-Token (prefix \"Bearer \")\n"
                "  secret from file " +
                s.dir.path("secret") +
                "\n"
                "  failure 401 application/json\n"
                "  claim headers on\n"
                "  cors preflight off\n"
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

// Without the account secret, account-signed tokens (mskid, no ipk) are not checked: said at
// start-up and by --check-config, so that a forgotten secret file is noticed.
TEST(Startup, WarnsWhenAccountSignaturesCannotBeChecked) {
  test::Sidecar s(
      "route /v1 message-signing protected\n"
      "route /v2 message-signing-required protected\n"
      "route / protected\n");
  const std::string w = account_signing_warning(*s.svc->policy_snapshot());
  EXPECT_NE(w.find("account-signing-secret-file"), std::string::npos) << w;
  EXPECT_NE(w.find("on 1 message-signing route(s) they pass unsigned"), std::string::npos) << w;
  EXPECT_NE(w.find("on 1 message-signing-required route(s) they are refused"), std::string::npos)
      << w;
  test::Sidecar plain("route / protected\n");
  EXPECT_EQ(account_signing_warning(*plain.svc->policy_snapshot()), "");
}

}  // namespace
}  // namespace approov::authd
