// Claims accessors (docs/BEHAVIOUR.md §3 "other claims": exposed, not judged) and the stable reason
// names (docs/BEHAVIOUR.md §6).
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "test_support.hpp"

namespace approov::test {
namespace {

constexpr std::string_view kPayload =
    R"({"exp":4708683205.891912,"nbf":1600000000.5,"iat":1600000000,"ip":"203.0.113.42",)"
    R"("did":"hBjW4otKXIKqVya0outEFQ==","arc":"RVRT8L6RVG","ipk":"MFkwEwYHKoZIzj0CAQ==",)"
    R"("pay":"VQFFPJZ682aOtxRMjz0ktCHmyWeEEeSMvXh1uD8J3vk=","mskid":"ms-1",)"
    R"("iss":"https:\/\/issuer.example","sub":"a\"b\\c\u00e9\ud83d\ude00\n",)"
    R"("aud":"api","custom":{"x":[1,2,"three"]},"\u006eum":-1.5e3,"flag":true})";

TEST(Claims, AccessorsReturnTheClaims) {
  const TokenVerifier v = make_verifier();
  auto r = v.verify(mint(kHeader, kPayload), kNow);
  ASSERT_EQ(r.reason(), Reason::ok);
  const Claims& c = r.claims();
  EXPECT_EQ(c.payload_json(), kPayload);
  EXPECT_EQ(c.exp_text(), "4708683205.891912");
  EXPECT_DOUBLE_EQ(c.exp(), 4708683205.891912);
  EXPECT_DOUBLE_EQ(c.nbf().value(), 1600000000.5);
  EXPECT_DOUBLE_EQ(c.iat().value(), 1600000000.0);
  EXPECT_EQ(c.ip(), "203.0.113.42");
  EXPECT_EQ(c.did(), "hBjW4otKXIKqVya0outEFQ==");
  EXPECT_EQ(c.arc(), "RVRT8L6RVG");
  EXPECT_EQ(c.ipk(), "MFkwEwYHKoZIzj0CAQ==");
  EXPECT_EQ(c.pay(), "VQFFPJZ682aOtxRMjz0ktCHmyWeEEeSMvXh1uD8J3vk=");
  EXPECT_EQ(c.mskid(), "ms-1");
  EXPECT_EQ(c.iss(), "https://issuer.example");
  EXPECT_EQ(c.sub(), "a\"b\\c\xC3\xA9\xF0\x9F\x98\x80\n");
  EXPECT_EQ(c.aud(), "api");
  EXPECT_EQ(c.key_id(), "");
}

TEST(Claims, ClaimJsonGivesRawTextOfAnyClaim) {
  const TokenVerifier v = make_verifier();
  auto r = v.verify(mint(kHeader, kPayload), kNow);
  ASSERT_EQ(r.reason(), Reason::ok);
  const Claims& c = r.claims();
  EXPECT_EQ(c.claim_json("custom"), R"({"x":[1,2,"three"]})");
  EXPECT_EQ(c.claim_json("num"), "-1.5e3");  // the name was escaped in the token
  EXPECT_EQ(c.claim_json("flag"), "true");
  EXPECT_EQ(c.claim_json("sub"), R"("a\"b\\c\u00e9\ud83d\ude00\n")");
  EXPECT_EQ(c.claim_json("exp"), "4708683205.891912");
  EXPECT_EQ(c.claim_json("absent"), std::nullopt);
  EXPECT_EQ(c.claim_json("x"), std::nullopt);  // nested members are not claims
  EXPECT_EQ(c.claim_json(""), std::nullopt);
}

TEST(Claims, AbsentOrNonStringClaimsGiveNothing) {
  const TokenVerifier v = make_verifier();
  auto r = v.verify(
      mint(kHeader, R"({"exp":4708683205,"ip":1,"did":null,"aud":["a","b"],"sub":{"s":"x"}})"),
      kNow);
  ASSERT_EQ(r.reason(), Reason::ok);
  const Claims& c = r.claims();
  EXPECT_EQ(c.ip(), std::nullopt);
  EXPECT_EQ(c.did(), std::nullopt);
  EXPECT_EQ(c.arc(), std::nullopt);
  EXPECT_EQ(c.pay(), std::nullopt);
  EXPECT_EQ(c.aud(), std::nullopt);
  EXPECT_EQ(c.sub(), std::nullopt);
  EXPECT_EQ(c.nbf(), std::nullopt);
  EXPECT_EQ(c.iat(), std::nullopt);
  EXPECT_EQ(c.claim_json("aud"), R"(["a","b"])");
  EXPECT_EQ(c.claim_json("ip"), "1");
  EXPECT_EQ(c.claim_json("did"), "null");
}

TEST(Claims, EmptyStringClaimIsPresent) {
  const TokenVerifier v = make_verifier();
  auto r = v.verify(mint(kHeader, R"({"exp":4708683205,"ip":"","sub":"\u0000"})"), kNow);
  ASSERT_EQ(r.reason(), Reason::ok);
  EXPECT_EQ(r.claims().ip(), "");
  EXPECT_EQ(r.claims().sub(), std::string_view("\0", 1));
}

TEST(Claims, CopySurvivesTheOriginal) {
  const TokenVerifier v = make_verifier();
  auto original = std::make_unique<Claims>();
  ASSERT_EQ(v.verify(mint(kHeader, kPayload), kNow, *original), Reason::ok);
  const Claims copy(*original);
  Claims assigned;
  assigned = *original;
  // Reuse the original for another token, then destroy it.
  ASSERT_EQ(v.verify(mint(kHeader, R"({"exp":4708683205,"sub":"other","ip":"\u0031.2.3.4"})"), kNow,
                     *original),
            Reason::ok);
  EXPECT_EQ(original->sub(), "other");
  EXPECT_EQ(original->ip(), "1.2.3.4");
  original.reset();
  for (const Claims* c :
       {static_cast<const Claims*>(&copy), static_cast<const Claims*>(&assigned)}) {
    EXPECT_EQ(c->payload_json(), kPayload);
    EXPECT_EQ(c->sub(), "a\"b\\c\xC3\xA9\xF0\x9F\x98\x80\n");  // unescaped storage copied too
    EXPECT_EQ(c->iss(), "https://issuer.example");
    EXPECT_EQ(c->ip(), "203.0.113.42");
    EXPECT_EQ(c->exp_text(), "4708683205.891912");
    EXPECT_EQ(c->claim_json("custom"), R"({"x":[1,2,"three"]})");
  }
}

TEST(Claims, VerifyResultCopiesAreIndependent) {
  const TokenVerifier v = make_verifier();
  VerifyResult a = v.verify(mint(kHeader, R"({"exp":4708683205,"sub":"first"})"), kNow);
  const VerifyResult b = a;
  a = v.verify(mint(kHeader, R"({"exp":4708683205,"sub":"second"})"), kNow);
  EXPECT_EQ(b.claims().sub(), "first");
  EXPECT_EQ(a.claims().sub(), "second");
}

TEST(Claims, LargestPayloadWithEscapesFits) {
  // Near kMaxPayloadSize bytes of payload, all escaped: unescaping must stay in bounds.
  std::string s;
  while (s.size() < 5900) s += R"(\u00e9\n\"x)";
  const std::string payload =
      R"({"exp":4708683205,"sub":")" + s + R"(","iss":")" + "\\u0041" + R"("})";
  const TokenVerifier v = make_verifier();
  auto r = v.verify(mint(kHeader, payload), kNow);
  ASSERT_EQ(r.reason(), Reason::ok);
  EXPECT_EQ(r.claims().iss(), "A");
  EXPECT_EQ(r.claims().sub()->size(), s.size() / 11 * 5);  // 11 escaped chars -> 5 bytes
}

TEST(Claims, VerifyResultOfAFailureIsNotOk) {
  const TokenVerifier v = make_verifier();
  const VerifyResult r = v.verify("x.y.z", kNow);
  EXPECT_FALSE(r);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.reason(), Reason::malformed);
  const VerifyResult ok = v.verify(valid_token(), kNow);
  EXPECT_TRUE(ok);
}

// ---- reasons
// ---------------------------------------------------------------------------------------

TEST(Reasons, EveryReasonHasItsStableName) {
  const std::pair<Reason, const char*> names[] = {
      {Reason::ok, "ok"},
      {Reason::missing_token, "missing_token"},
      {Reason::duplicate_token, "duplicate_token"},
      {Reason::bad_prefix, "bad_prefix"},
      {Reason::token_too_long, "token_too_long"},
      {Reason::malformed, "malformed"},
      {Reason::bad_signature, "bad_signature"},
      {Reason::bad_header, "bad_header"},
      {Reason::unknown_kid, "unknown_kid"},
      {Reason::bad_json, "bad_json"},
      {Reason::missing_exp, "missing_exp"},
      {Reason::bad_exp, "bad_exp"},
      {Reason::expired, "expired"},
      {Reason::not_yet_valid, "not_yet_valid"},
      {Reason::bad_nbf, "bad_nbf"},
      {Reason::iat_future, "iat_future"},
      {Reason::bad_iat, "bad_iat"},
      {Reason::bad_audience, "bad_audience"},
      {Reason::bad_issuer, "bad_issuer"},
      {Reason::missing_binding_header, "missing_binding_header"},
      {Reason::duplicate_binding_header, "duplicate_binding_header"},
      {Reason::missing_pay, "missing_pay"},
      {Reason::bad_pay, "bad_pay"},
      {Reason::binding_mismatch, "binding_mismatch"},
      {Reason::bad_algorithm, "bad_algorithm"},
      {Reason::missing_signature, "missing_signature"},
      {Reason::bad_signature_header, "bad_signature_header"},
      {Reason::bad_signature_params, "bad_signature_params"},
      {Reason::signature_expired, "signature_expired"},
      {Reason::signature_in_future, "signature_in_future"},
      {Reason::missing_component, "missing_component"},
      {Reason::bad_component, "bad_component"},
      {Reason::bad_ipk, "bad_ipk"},
      {Reason::unknown_signing_key, "unknown_signing_key"},
      {Reason::bad_message_signature, "bad_message_signature"},
      {Reason::bad_content_digest, "bad_content_digest"},
      {Reason::replayed_signature, "replayed_signature"},
      {Reason::replay_store_unavailable, "replay_store_unavailable"},
  };
  ASSERT_EQ(std::size(names), kReasonCount);
  for (std::size_t i = 0; i < std::size(names); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(names[i].first), i) << "numeric values are stable";
    EXPECT_EQ(to_string(names[i].first), names[i].second);
  }
  EXPECT_EQ(to_string(static_cast<Reason>(kReasonCount)), "unknown");
  EXPECT_EQ(to_string(static_cast<Reason>(255)), "unknown");
}

TEST(Reasons, BindingReasonsAreTold) {
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    const auto r = static_cast<Reason>(i);
    const bool binding = r == Reason::missing_binding_header ||
                         r == Reason::duplicate_binding_header || r == Reason::missing_pay ||
                         r == Reason::bad_pay || r == Reason::binding_mismatch;
    EXPECT_EQ(is_binding_reason(r), binding) << to_string(r);
  }
}

}  // namespace
}  // namespace approov::test

namespace approov::test {
namespace {

TEST(Defaults, MatchTheSpec) {
  const FailureResponse failure;  // docs/BEHAVIOUR.md §6: 401, application/json, {}
  EXPECT_EQ(failure.status, 401);
  EXPECT_EQ(failure.content_type, "application/json");
  EXPECT_EQ(failure.body, "{}");
  const TokenSource source;  // docs/BEHAVIOUR.md §2
  EXPECT_EQ(source.header, "Approov-Token");
  EXPECT_EQ(source.prefix, "");
  const BindingPolicy binding;  // docs/BEHAVIOUR.md §5
  ASSERT_EQ(binding.headers.size(), 1U);
  EXPECT_EQ(binding.headers[0], "Authorization");
  EXPECT_FALSE(binding.allow_missing_pay);
  const RoutePolicy route;
  EXPECT_EQ(route.protection, Protection::token);
  EXPECT_FALSE(route.report_only);
  const VerifierConfig config;  // docs/BEHAVIOUR.md §3
  EXPECT_EQ(config.leeway_seconds, 0);
  EXPECT_EQ(config.max_token_size, 8192U);
  EXPECT_FALSE(config.audience);
  EXPECT_FALSE(config.issuer);
  EXPECT_EQ(kMaxTokenSize, 8192U);
  EXPECT_EQ(kMaxLeewaySeconds, 300);
  EXPECT_EQ(kMinSecretSize, 32U);
  EXPECT_EQ(kMaxExp, 253402300799);
}

TEST(Defaults, ReportOnlyStillReportsTheReason) {
  // The decision to let the request through belongs to the adapter; the check still says why.
  auto rc = RequestCheck::create(make_verifier());
  ASSERT_TRUE(rc);
  RoutePolicy route;
  route.report_only = true;
  Claims claims;
  EXPECT_EQ(rc.value().check(BasicRequest{}, kNow, route, claims), Reason::missing_token);
}

}  // namespace
}  // namespace approov::test

namespace approov::test {
namespace {

TEST(Reasons, EveryReasonIsDocumented) {
  // docs/BEHAVIOUR.md §6: reason codes are stable and documented (docs/DECISIONS.md lists each
  // one).
  std::ifstream in(std::string(APPROOV_TEST_DATA) + "/../../docs/DECISIONS.md");
  ASSERT_TRUE(in.good());
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (std::size_t i = 1; i < kReasonCount; ++i) {
    const std::string name(to_string(static_cast<Reason>(i)));
    EXPECT_NE(doc.find("`" + name + "`"), std::string::npos) << name << " is not documented";
  }
}

}  // namespace
}  // namespace approov::test
