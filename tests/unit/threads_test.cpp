// TokenVerifier and RequestCheck are immutable after creation: one instance shared by many
// threads, without locks, must give every thread the right answer.
#include <atomic>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace approov::test {
namespace {

struct Case {
  std::string token;
  Reason expected;
  std::string sub;  // expected `sub` claim of valid tokens
};

TEST(Threads, EightThreadsShareOneVerifier) {
  const TokenVerifier verifier = make_verifier();
  std::vector<Case> cases;
  for (int i = 0; i < 8; ++i) {
    const std::string sub = "user-" + std::to_string(i);
    cases.push_back({valid_token(R"("sub":")" + sub + "\""), Reason::ok, sub});
  }
  cases.push_back({mint(kHeader, R"({"exp":1000})"), Reason::expired, ""});
  cases.push_back({mint(kHeader, R"({"exp":4708683205})", other_key()), Reason::bad_signature, ""});
  cases.push_back({mint(kHeader, R"({"exp":4708683205,"exp":1})"), Reason::bad_json, ""});
  cases.push_back({mint(R"({"alg":"none"})", R"({"exp":4708683205})"), Reason::bad_header, ""});
  cases.push_back({"a.b", Reason::malformed, ""});
  cases.push_back({std::string(9000, 'a'), Reason::token_too_long, ""});
  cases.push_back(
      {mint(kHeader, R"({"exp":4708683205,"nbf":4000000000})"), Reason::not_yet_valid, ""});

  constexpr int kThreads = 8;
  constexpr int kRounds = 300;
  std::atomic<int> wrong{0};
  std::atomic<int> checked{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Claims claims;
      for (int round = 0; round < kRounds; ++round) {
        // Each thread walks the cases in a different order so that valid and invalid tokens
        // interleave across threads.
        const Case& c = cases[(static_cast<std::size_t>(round) * 7 + t) % cases.size()];
        const Reason r = verifier.verify(c.token, kNow, claims);
        bool right = r == c.expected;
        if (right && r == Reason::ok) right = claims.sub() == c.sub;
        if (!right) ++wrong;
        ++checked;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(checked.load(), kThreads * kRounds);
}

TEST(Threads, EightThreadsShareOneRequestCheck) {
  auto rc = RequestCheck::create(make_verifier());
  ASSERT_TRUE(rc) << rc.error();
  const RequestCheck& check = rc.value();
  const std::string auth = "Bearer abc";
  const std::string bound = valid_token(R"("pay":")" + pay_claim_for(auth) + "\"");
  const std::string unbound = valid_token();
  const RoutePolicy policy = RoutePolicy::token_binding();
  const RoutePolicy token_only = RoutePolicy::token_check();
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Claims claims;
      for (int round = 0; round < 200; ++round) {
        const int which = (round + t) % 4;
        Reason r;
        Reason expected;
        if (which == 0) {
          r = check.check(BasicRequest{{"Approov-Token", bound}, {"Authorization", auth}}, kNow,
                          policy, claims);
          expected = Reason::ok;
        } else if (which == 1) {
          r = check.check(BasicRequest{{"Approov-Token", bound}, {"Authorization", "Bearer x"}},
                          kNow, policy, claims);
          expected = Reason::binding_mismatch;
        } else if (which == 2) {
          r = check.check(BasicRequest{{"Approov-Token", unbound}}, kNow, policy, claims);
          expected = Reason::missing_pay;
        } else {
          r = check.check(BasicRequest{{"Approov-Token", unbound}, {"Approov-Token", unbound}},
                          kNow, token_only, claims);
          expected = Reason::duplicate_token;
        }
        if (r != expected) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace approov::test
