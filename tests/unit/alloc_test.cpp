// Verification performs zero heap allocations. This binary links
// tests/support/counting_allocator.cpp, which replaces the global allocation functions with
// counting versions; counts are taken around the verify loops only, so gtest's own
// allocations do not matter.
#include <cstdint>
#include <new>

#include "counting_allocator.hpp"
#include "test_support.hpp"

namespace approov::test {
namespace {

// Counts the allocations made between its construction and `stop()`.
class Counting {
 public:
  Counting() : start_(approov::testing::heap_allocations()) {}
  long stop() const { return static_cast<long>(approov::testing::heap_allocations() - start_); }

 private:
  std::uint64_t start_;
};

TEST(Allocations, CounterSeesAllocations) {
  // Direct calls of the allocation functions: unlike new-expressions, the compiler may not
  // elide them, so this proves the replacement is linked in.
  Counting counting;
  void* p = ::operator new(64);
  ::operator delete(p);
  void* q = ::operator new[](64, std::nothrow);
  ::operator delete[](q);
  EXPECT_EQ(counting.stop(), 2);
}

TEST(Allocations, VerifyOfTheLargeTokenAllocatesNothing) {
  VerifierConfig config;
  config.secrets.emplace_back(approov_test_secret());
  auto created = TokenVerifier::create(config);
  ASSERT_TRUE(created) << created.error();
  const TokenVerifier& verifier = created.value();
  const std::string& token = data("TOKEN_LARGE");
  Claims claims;
  int ok = 0;
  Counting counting;
  for (int i = 0; i < 1000; ++i) ok += verifier.verify(token, kNow, claims) == Reason::ok;
  const long count = counting.stop();
  EXPECT_EQ(ok, 1000);
  EXPECT_EQ(count, 0);
}

TEST(Allocations, ResultOverloadAndFailuresAllocateNothing) {
  const TokenVerifier verifier = make_verifier();
  const std::string tokens[] = {valid_token(R"("sub":"a\u00e9","aud":["x","y"])"),
                                mint(kHeader, R"({"exp":1})"),
                                mint(kHeader, R"({"exp":4708683205})", other_key()),
                                mint(kHeader, R"({"exp":4708683205,"exp":1})"),
                                mint(R"({"alg":"none"})", "{}"),
                                "a.b.c",
                                std::string(9000, 'a')};
  long reasons = 0;
  Counting counting;
  for (int i = 0; i < 100; ++i) {
    for (const std::string& t : tokens) {
      const VerifyResult r = verifier.verify(t, kNow);
      reasons += static_cast<long>(r.reason());
    }
  }
  const long count = counting.stop();
  EXPECT_GT(reasons, 0);
  EXPECT_EQ(count, 0);
}

TEST(Allocations, RequestCheckWithBindingAllocatesNothing) {
  auto rc = RequestCheck::create(make_verifier());
  ASSERT_TRUE(rc) << rc.error();
  const std::string auth = "Bearer abc";
  const std::string token = valid_token(R"("pay":")" + pay_claim_for(auth) + "\"");
  const BasicRequest headers{{"Approov-Token", token}, {"Authorization", auth}};
  const RoutePolicy policy = RoutePolicy::token_binding();
  Claims claims;
  int ok = 0;
  Counting counting;
  for (int i = 0; i < 1000; ++i) {
    ok += rc.value().check(headers, kNow, policy, claims) == Reason::ok;
    const auto fp = token_fingerprint(token);
    ok += fp[0] != '\0' ? 0 : 1;
  }
  const long count = counting.stop();
  EXPECT_EQ(ok, 1000);
  EXPECT_EQ(count, 0);
}

}  // namespace
}  // namespace approov::test
