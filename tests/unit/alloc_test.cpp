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

// Keysets: the RFC 7515 A.2 (RS256), A.3 (ES256) and RFC 8037 (EdDSA) tokens, each under its
// public key read from a JWK, and through a KeySet. The library's own code allocates nothing
// per verify once a thread has used the key (OpenSSL's internal allocations inside its verify
// primitive go through malloc, not operator new; bench/ counts those separately).
TEST(Allocations, KeysetVerifyAllocatesNothing) {
  const std::string rsa_n =
      "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0B"
      "m4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z"
      "5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGh"
      "yxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
  const std::string payload =
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
      "fQ";
  const struct {
    std::string jwk;
    std::string token;
    Reason expected;
  } cases[] = {
      {R"({"kty":"RSA","kid":"rs","alg":"RS256","e":"AQAB","n":")" + rsa_n + "\"}",
       "eyJhbGciOiJSUzI1NiJ9." + payload +
           ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_"
           "O8"
           "W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_"
           "nZLgrnbyTyWzO75vRK5h6xBArLIARNPvk"
           "SjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-"
           "eOkHWEsqtFZESc6BfI7noOPqvhJ1phCn"
           "vWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw",
       Reason::ok},
      {R"({"kty":"EC","crv":"P-256","kid":"es","alg":"ES256",)"
       R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})",
       "eyJhbGciOiJFUzI1NiJ9." + payload +
           ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-"
           "Kg6NU1Q",
       Reason::ok},
      {R"({"kty":"OKP","crv":"Ed25519","kid":"ed","alg":"EdDSA","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})",
       "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-"
       "09PGcvM"
       "g3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg",
       Reason::bad_json},  // its payload is not JSON: the signature verified first
  };
  for (const auto& c : cases) {
    auto key = key_from_jwk(c.jwk);
    ASSERT_TRUE(key) << key.error();
    VerifierConfig config;
    config.keys.push_back(key.value());
    auto created = TokenVerifier::create(config);
    ASSERT_TRUE(created) << created.error();
    auto set = KeySet::create();
    ASSERT_EQ(set->replace({key.value()}), "");
    VerifierConfig dynamic;
    dynamic.key_set = set;
    auto with_set = TokenVerifier::create(dynamic);
    ASSERT_TRUE(with_set) << with_set.error();
    Claims claims;
    const std::string bad = c.token.substr(0, c.token.size() - 2) + "AA";
    for (const TokenVerifier* v : {&created.value(), &with_set.value()}) {
      // Warm-up: this thread's first use of the key set sets up its per-thread cache.
      ASSERT_EQ(v->verify(c.token, 1300819000, claims), c.expected);
      int matched = 0;
      Counting counting;
      for (int i = 0; i < 50; ++i) {
        matched += v->verify(c.token, 1300819000, claims) == c.expected;
        matched += v->verify(bad, 1300819000, claims) == Reason::bad_signature;
      }
      EXPECT_EQ(counting.stop(), 0);
      EXPECT_EQ(matched, 100);
    }
  }
}

}  // namespace
}  // namespace approov::test
