// Building the policy (core/policy.hpp): the secret from a file, read as the CLI reads one,
// the routes, and the per-worker policy cache.
#include "core/policy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sidecar.hpp"

namespace approov::authd {
namespace {

using test::TempDir;

// 32 bytes whose base64 holds '+' and '/' (so base64url holds '-' and '_').
const std::string& alphabet_key() {
  static const std::string key = [] {
    std::string k;
    for (int i = 0; i < 16; ++i) k += "\xFB\xFF";
    return k;
  }();
  return key;
}

// build_policy with the secret file holding `text` and `extra` flags.
Configured<std::shared_ptr<const Policy>> build_with_secret(const TempDir& dir,
                                                            const std::string& text,
                                                            std::vector<std::string> extra = {}) {
  const std::string secret = dir.write("secret", text);
  dir.write(".env", "");
  std::vector<std::string> args = {"--listen", "127.0.0.1:0", "--secret-file",
                                   secret,     "--env-file",  dir.path(".env")};
  args.insert(args.end(), extra.begin(), extra.end());
  auto settings = load_settings(args);
  EXPECT_TRUE(settings) << settings.error();
  DotenvReload dotenv;
  return build_policy(settings.value(), 1, dotenv);
}

// Whether the policy accepts a token signed with `key`.
bool accepts(const Policy& p, const std::string& key) {
  const std::string token = test::mint(R"({"exp":4708683205})", key);
  BasicRequest headers{{"Approov-Token", token}};
  Claims claims;
  return p.check.check(headers, unix_now(), p.routes.routes().front().policy, claims) == Reason::ok;
}

TEST(Policy, SecretFileInEitherAlphabetWhenNoEncodingIsSet) {
  TempDir dir;
  const std::string standard = test::base64_of(alphabet_key(), base64::Alphabet::standard);
  const std::string url = test::base64_of(alphabet_key(), base64::Alphabet::url);
  ASSERT_NE(standard.find('+'), std::string::npos);
  ASSERT_NE(url.find('-'), std::string::npos);
  for (const std::string& text : {standard + "\n", url + "\n", "  " + url + "\r\n"}) {
    auto p = build_with_secret(dir, text);
    ASSERT_TRUE(p) << text << ": " << p.error();
    EXPECT_TRUE(accepts(*p.value(), alphabet_key())) << text;
    EXPECT_FALSE(accepts(*p.value(), test::test_key())) << text;
  }
}

TEST(Policy, SecretEncodingSettingKeepsToItsAlphabet) {
  TempDir dir;
  const std::string standard = test::base64_of(alphabet_key(), base64::Alphabet::standard);
  const std::string url = test::base64_of(alphabet_key(), base64::Alphabet::url);
  EXPECT_TRUE(build_with_secret(dir, standard, {"--secret-encoding", "base64"}));
  EXPECT_TRUE(build_with_secret(dir, url, {"--secret-encoding", "base64url"}));
  auto wrong = build_with_secret(dir, url, {"--secret-encoding", "base64"});
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().find("secret file " + dir.path("secret")), std::string::npos)
      << wrong.error();
  EXPECT_EQ(wrong.error().find(url), std::string::npos);  // never the secret
  EXPECT_FALSE(build_with_secret(dir, standard, {"--secret-encoding", "base64url"}));
}

TEST(Policy, UnreadableOrOversizedSecretFilesAreRefusedByName) {
  TempDir dir;
  dir.write(".env", "");
  auto settings = load_settings(
      {"--listen", "x:1", "--secret-file", dir.path("missing"), "--env-file", dir.path(".env")});
  ASSERT_TRUE(settings);
  DotenvReload dotenv;
  auto missing = build_policy(settings.value(), 1, dotenv);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find(dir.path("missing")), std::string::npos);
  const std::string big(kMaxSecretFileSize + 1, 'A');
  auto oversized = build_with_secret(dir, big);
  ASSERT_FALSE(oversized);
  EXPECT_NE(oversized.error().find("larger than"), std::string::npos) << oversized.error();
}

TEST(Policy, SimpleModeIsOneRouteForEverything) {
  TempDir dir;
  auto p = build_with_secret(dir, test::base64_of(test::test_key(), base64::Alphabet::standard),
                             {"--token-binding-header", "Authorization", "--allow-missing-pay",
                              "on", "--report-only", "on"});
  ASSERT_TRUE(p) << p.error();
  const auto& routes = p.value()->routes.routes();
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0].prefix, "/");
  EXPECT_EQ(routes[0].policy.protection, Protection::token_binding);
  EXPECT_EQ(routes[0].policy.binding.headers, std::vector<std::string>{"Authorization"});
  EXPECT_TRUE(routes[0].policy.binding.allow_missing_pay);
  EXPECT_TRUE(routes[0].policy.report_only);
}

TEST(Policy, ReportOnlySettingLeavesUnprotectedRoutesAlone) {
  test::Sidecar s("route / protected\nroute /open unprotected\n", {"--report-only", "on"});
  for (const Route& r : s.svc->policy_snapshot()->routes.routes()) {
    EXPECT_EQ(r.policy.report_only, r.policy.protection != Protection::none) << r.prefix;
  }
}

TEST(PolicyHolder, WorkersPickUpAPublishedPolicyThroughTheirCache) {
  test::Sidecar s("route / protected\n");
  PolicyHolder holder;
  auto first = s.svc->policy_snapshot();
  holder.publish(first);
  PolicyCache a;
  PolicyCache b;
  EXPECT_EQ(&holder.get(a), first.get());
  EXPECT_EQ(&holder.get(b), first.get());
  test::Sidecar other("route / unprotected\n");
  auto p2 = std::make_shared<Policy>(Policy{other.svc->policy_snapshot()->check,
                                            other.svc->policy_snapshot()->routes,
                                            {},
                                            true,
                                            false,
                                            {},
                                            2,
                                            20});
  holder.publish(p2);
  EXPECT_EQ(&holder.get(a), p2.get());
  EXPECT_EQ(a.generation, 2u);
  first.reset();  // a cache keeps no stale policy alive once refreshed
  EXPECT_EQ(&holder.get(b), p2.get());
  EXPECT_EQ(holder.snapshot().get(), p2.get());
}

}  // namespace
}  // namespace approov::authd
