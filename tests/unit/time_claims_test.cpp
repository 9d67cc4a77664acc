// docs/BEHAVIOUR.md §3: exp (required, exact real-number comparison), leeway, nbf, iat, and the
// optional aud / iss matching.
#include <limits>
#include <string>

#include "test_support.hpp"

namespace approov::test {
namespace {

Reason exp_reason(std::string_view exp_text, std::int64_t now, std::int64_t leeway = 0) {
  return verify_reason(mint(kHeader, payload_with_exp(exp_text)), now, leeway);
}

Reason claims_reason(std::string_view payload, std::int64_t now, std::int64_t leeway = 0) {
  return verify_reason(mint(kHeader, payload), now, leeway);
}

// ---- exp ---------------------------------------------------------------------------------------

TEST(Exp, IsRequired) {
  EXPECT_EQ(claims_reason("{}", kNow), Reason::missing_exp);
  EXPECT_EQ(claims_reason(R"({"nbf":1,"iat":1,"sub":"x"})", kNow), Reason::missing_exp);
  EXPECT_EQ(claims_reason(R"({"x":{"exp":4708683205}})", kNow), Reason::missing_exp);
  EXPECT_EQ(claims_reason(R"({"Exp":4708683205})", kNow), Reason::missing_exp);
}

TEST(Exp, MustBeANumber) {
  for (const char* bad : {R"("4708683205")", "true", "false", "null", "[4708683205]",
                          R"({"v":4708683205})", R"("")"}) {
    EXPECT_EQ(exp_reason(bad, kNow), Reason::bad_exp) << bad;
  }
}

TEST(Exp, EscapedNameIsStillExp) {
  EXPECT_EQ(claims_reason(R"({"\u0065xp":4708683205})", kNow), Reason::ok);
  EXPECT_EQ(claims_reason(R"({"\u0065xp":1000})", kNow), Reason::expired);
  EXPECT_EQ(claims_reason(R"({"\u0065xp":"soon"})", kNow), Reason::bad_exp);
}

TEST(Exp, HugeValuesAreBadNotValid) {
  EXPECT_EQ(exp_reason("1e400", kNow), Reason::bad_exp);
  EXPECT_EQ(exp_reason("1e19", kNow), Reason::bad_exp);
  EXPECT_EQ(exp_reason("9223372036854775807", kNow), Reason::bad_exp);
  EXPECT_EQ(exp_reason("9223372036854775808", kNow), Reason::bad_exp);
  EXPECT_EQ(exp_reason("18446744073709551616", kNow), Reason::bad_exp);
  EXPECT_EQ(exp_reason("1e999999999999", kNow), Reason::bad_exp);
  EXPECT_EQ(exp_reason("253402300800", kNow), Reason::bad_exp);
  EXPECT_EQ(exp_reason("253402300799.000001", kNow), Reason::bad_exp);
  EXPECT_EQ(exp_reason("2.534023008e11", kNow), Reason::bad_exp);
}

TEST(Exp, LatestAcceptedValueIs253402300799) {
  EXPECT_EQ(exp_reason("253402300799", kNow), Reason::ok);
  EXPECT_EQ(exp_reason("253402300799.0", kNow), Reason::ok);
  EXPECT_EQ(exp_reason("253402300799.000", kNow), Reason::ok);
  EXPECT_EQ(exp_reason("2.53402300799e11", kNow), Reason::ok);
  EXPECT_EQ(exp_reason("253402300798.999999", kNow), Reason::ok);
}

TEST(Exp, IntegerBoundary) {
  EXPECT_EQ(exp_reason("1000", 999), Reason::ok);
  EXPECT_EQ(exp_reason("1000", 1000), Reason::expired);
  EXPECT_EQ(exp_reason("1000", 1001), Reason::expired);
}

TEST(Exp, FractionalBoundary) {
  EXPECT_EQ(exp_reason("1000.5", 1000), Reason::ok);
  EXPECT_EQ(exp_reason("1000.5", 1001), Reason::expired);
  EXPECT_EQ(exp_reason("999.999999", 999), Reason::ok);
  EXPECT_EQ(exp_reason("999.999999", 1000), Reason::expired);
}

TEST(Exp, ComparedAsRealNumbersWithoutRounding) {
  // Rounding to a double (or truncating to an integer) would make these equal to 1000.
  EXPECT_EQ(exp_reason("1000.00000000000000000001", 1000), Reason::ok);
  EXPECT_EQ(exp_reason("1000.00000000000000000000", 1000), Reason::expired);
  EXPECT_EQ(exp_reason("100000000000.0000000000000001", 100000000000), Reason::ok);
  EXPECT_EQ(exp_reason("4708683205.891912", 4708683205), Reason::ok);
  EXPECT_EQ(exp_reason("4708683205.891912", 4708683206), Reason::expired);
  EXPECT_EQ(exp_reason("100000000000000000001e-17", 1000), Reason::ok);  // 1000.00000000000000001
  EXPECT_EQ(exp_reason("99999999999999999999e-17", 1000), Reason::expired);  // 999.99...
}

TEST(Exp, ExponentForms) {
  for (const char* form : {"1.0e3", "1E3", "1e+3", "1e3", "10000e-1", "0.1e4", "1000.0",
                           "100000000000000000000e-17", "0.000001e9"}) {
    EXPECT_EQ(exp_reason(form, 999), Reason::ok) << form;
    EXPECT_EQ(exp_reason(form, 1000), Reason::expired) << form;
  }
}

TEST(Exp, NegativeZeroAndTinyValuesAreExpired) {
  for (const char* form : {"-1", "-1e400", "-0", "0", "0.0", "1e-400", "-1000.5", "0.5"}) {
    EXPECT_EQ(exp_reason(form, 1), Reason::expired) << form;
  }
  EXPECT_EQ(exp_reason("-1", -2), Reason::ok);  // the clock is whatever the caller says
  EXPECT_EQ(exp_reason("0.5", 0), Reason::ok);
  EXPECT_EQ(exp_reason("-0.5", -1), Reason::ok);
  EXPECT_EQ(exp_reason("-0.5", 0), Reason::expired);
}

TEST(Exp, ExtremeClockValuesDoNotOverflow) {
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(exp_reason("1000", kMin, 300), Reason::ok);
  EXPECT_EQ(exp_reason("-9223372036854775808", kMin, 0), Reason::expired);
  EXPECT_EQ(exp_reason("-9223372036854775807.5", kMin, 0), Reason::ok);
  EXPECT_EQ(exp_reason("253402300799", kMax, 300), Reason::expired);
  EXPECT_EQ(verify_reason(mint(kHeader, R"({"exp":1000,"nbf":1,"iat":1})"), kMin, 300),
            Reason::not_yet_valid);
  EXPECT_EQ(
      verify_reason(mint(kHeader, R"({"exp":253402300799,"nbf":1e300,"iat":-1e300})"), kNow, 300),
      Reason::not_yet_valid);
  EXPECT_EQ(
      verify_reason(mint(kHeader, R"({"exp":253402300799,"nbf":-1e300,"iat":1e300})"), kNow, 300),
      Reason::iat_future);
}

// ---- leeway ------------------------------------------------------------------------------------

TEST(Leeway, ExtendsExp) {
  EXPECT_EQ(exp_reason("1000", 1000, 1), Reason::ok);
  EXPECT_EQ(exp_reason("1000", 1001, 1), Reason::expired);
  EXPECT_EQ(exp_reason("1000", 1299, 300), Reason::ok);
  EXPECT_EQ(exp_reason("1000", 1300, 300), Reason::expired);
  EXPECT_EQ(exp_reason("1000.5", 1300, 300), Reason::ok);
  EXPECT_EQ(exp_reason("1000.5", 1301, 300), Reason::expired);
  EXPECT_EQ(exp_reason("1000", 1000, 0), Reason::expired);
}

TEST(Leeway, OutOfRangeIsAConfigurationError) {
  for (std::int64_t bad : {std::int64_t{301}, std::int64_t{-1}, std::int64_t{100000},
                           std::numeric_limits<std::int64_t>::min()}) {
    auto v = TokenVerifier::create(config_with(test_key(), bad));
    ASSERT_FALSE(v) << bad;
    EXPECT_NE(v.error().find("leeway"), std::string::npos) << v.error();
  }
  for (std::int64_t good : {0, 1, 300}) {
    EXPECT_TRUE(TokenVerifier::create(config_with(test_key(), good))) << good;
  }
}

// ---- nbf ---------------------------------------------------------------------------------------

std::string with_nbf(std::string_view nbf) {
  return R"({"exp":4708683205,"nbf":)" + std::string(nbf) + "}";
}

TEST(Nbf, FutureIsNotYetValidPastIsFine) {
  EXPECT_EQ(claims_reason(with_nbf("2000"), 1000), Reason::not_yet_valid);
  EXPECT_EQ(claims_reason(with_nbf("500"), 1000), Reason::ok);
}

TEST(Nbf, Boundary) {
  EXPECT_EQ(claims_reason(with_nbf("1000"), 999), Reason::not_yet_valid);
  EXPECT_EQ(claims_reason(with_nbf("1000"), 1000), Reason::ok);
  EXPECT_EQ(claims_reason(with_nbf("1000.5"), 1000), Reason::not_yet_valid);
  EXPECT_EQ(claims_reason(with_nbf("1000.5"), 1001), Reason::ok);
  EXPECT_EQ(claims_reason(with_nbf("1000.00000000000000000001"), 1000), Reason::not_yet_valid);
}

TEST(Nbf, BoundaryWithLeeway) {
  EXPECT_EQ(claims_reason(with_nbf("1000"), 995, 5), Reason::ok);
  EXPECT_EQ(claims_reason(with_nbf("1000"), 994, 5), Reason::not_yet_valid);
  EXPECT_EQ(claims_reason(with_nbf("1300"), 1000, 300), Reason::ok);
  EXPECT_EQ(claims_reason(with_nbf("1300.5"), 1000, 300), Reason::not_yet_valid);
}

TEST(Nbf, MustBeANumberWhenPresent) {
  for (const char* bad : {R"("1000")", "null", "true", "[]", "{}"}) {
    EXPECT_EQ(claims_reason(with_nbf(bad), 2000), Reason::bad_nbf) << bad;
  }
}

// ---- iat ---------------------------------------------------------------------------------------

std::string with_iat(std::string_view iat) {
  return R"({"exp":4708683205,"iat":)" + std::string(iat) + "}";
}

TEST(Iat, PastAndPresentAreFine) {
  EXPECT_EQ(claims_reason(with_iat("1000"), 1000), Reason::ok);
  EXPECT_EQ(claims_reason(with_iat("1"), 1000), Reason::ok);
  EXPECT_EQ(claims_reason(with_iat("-5"), 1000), Reason::ok);
}

TEST(Iat, FutureBeyondLeewayIsRejected) {
  EXPECT_EQ(claims_reason(with_iat("1001"), 1000), Reason::iat_future);
  EXPECT_EQ(claims_reason(with_iat("1000.000001"), 1000), Reason::iat_future);
  EXPECT_EQ(claims_reason(with_iat("1061"), 1000, 60), Reason::iat_future);
  EXPECT_EQ(claims_reason(with_iat("1060.5"), 1000, 60), Reason::iat_future);
}

TEST(Iat, FutureWithinLeewayIsAccepted) {
  EXPECT_EQ(claims_reason(with_iat("1060"), 1000, 60), Reason::ok);
  EXPECT_EQ(claims_reason(with_iat("1300"), 1000, 300), Reason::ok);
}

TEST(Iat, MustBeANumberWhenPresent) {
  for (const char* bad : {R"("1000")", "null", "false", "[1]", "{}"}) {
    EXPECT_EQ(claims_reason(with_iat(bad), 1000), Reason::bad_iat) << bad;
  }
}

// ---- aud / iss
// -----------------------------------------------------------------------------------

Reason with_config(const VerifierConfig& config, std::string_view payload) {
  auto v = TokenVerifier::create(config);
  if (!v) {
    ADD_FAILURE() << v.error();
    return Reason::bad_header;
  }
  return v.value().verify(mint(kHeader, payload), kNow).reason();
}

TEST(Audience, NotJudgedUnlessConfigured) {
  const VerifierConfig config = config_with();
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":5})"), Reason::ok);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":"anything"})"), Reason::ok);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"iss":["x"]})"), Reason::ok);
}

TEST(Audience, StringOrArrayMustContainTheConfiguredValue) {
  VerifierConfig config = config_with();
  config.audience = "api.example.com";
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":"api.example.com"})"), Reason::ok);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":["x","api.example.com"]})"), Reason::ok);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":"api\u002eexample.com"})"), Reason::ok);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":["\u0061pi.example.com"]})"),
            Reason::ok);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":[1, {"a":"]"}, "api.example.com"]})"),
            Reason::ok);

  EXPECT_EQ(with_config(config, R"({"exp":4708683205})"), Reason::bad_audience);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":"API.example.com"})"),
            Reason::bad_audience);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":"api.example.com "})"),
            Reason::bad_audience);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":["x"]})"), Reason::bad_audience);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":[]})"), Reason::bad_audience);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":[["api.example.com"]]})"),
            Reason::bad_audience);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":{"a":"api.example.com"}})"),
            Reason::bad_audience);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":null})"), Reason::bad_audience);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":["api.example.co"]})"),
            Reason::bad_audience);
  // A nested "aud" is not the claim.
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"x":{"aud":"api.example.com"}})"),
            Reason::bad_audience);
}

TEST(Issuer, MustEqualTheConfiguredValue) {
  VerifierConfig config = config_with();
  config.issuer = "https://issuer.example";
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"iss":"https://issuer.example"})"),
            Reason::ok);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"iss":"https:\/\/issuer.example"})"),
            Reason::ok);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205})"), Reason::bad_issuer);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"iss":"https://issuer.example/"})"),
            Reason::bad_issuer);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"iss":["https://issuer.example"]})"),
            Reason::bad_issuer);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"iss":1})"), Reason::bad_issuer);
}

TEST(Audience, TimeRulesComeFirst) {
  VerifierConfig config = config_with();
  config.audience = "a";
  config.issuer = "i";
  EXPECT_EQ(with_config(config, R"({"exp":1000,"aud":"b"})"), Reason::expired);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":"a","iss":"j"})"), Reason::bad_issuer);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":"a","iss":"i"})"), Reason::ok);
}

}  // namespace
}  // namespace approov::test

namespace approov::test {
namespace {

TEST(Audience, ConfiguredValueWithABackslashIsPlainText) {
  VerifierConfig config = config_with();
  config.audience = "a\\u0041";  // literally: a, backslash, u0041
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":"a\\u0041"})"), Reason::ok);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":["a\\u0041"]})"), Reason::ok);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":"aA"})"), Reason::bad_audience);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":"a\u0041"})"), Reason::bad_audience);
  config.audience = "ends with \\";
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":"ends with \\"})"), Reason::ok);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":"ends with "})"), Reason::bad_audience);
}

}  // namespace
}  // namespace approov::test
