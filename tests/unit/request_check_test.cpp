// docs/BEHAVIOUR.md §2 (reading the token from a request) and §5 (token binding) through
// RequestCheck.
#include <string>

#include "test_support.hpp"

namespace approov::test {
namespace {

RequestCheck make_check(TokenSource source = {}) {
  auto c = RequestCheck::create(make_verifier(), std::move(source));
  if (!c) ADD_FAILURE() << c.error();
  return std::move(c).value();
}

// The route a test means: a token check, or token binding with `binding`.
RoutePolicy route_for(const BindingPolicy* binding) {
  RoutePolicy route = RoutePolicy::token_check();
  if (binding != nullptr) {
    route.protection = Protection::token_binding;
    route.binding = *binding;
  }
  return route;
}

Reason check(const BasicRequest& headers, const BindingPolicy* binding = nullptr,
             TokenSource source = {}) {
  const RequestCheck rc = make_check(std::move(source));
  Claims claims;
  return rc.check(headers, kNow, route_for(binding), claims);
}

// ---- docs/BEHAVIOUR.md §2
// -----------------------------------------------------------------------------------

TEST(Extract, DefaultHeaderNameIsCaseInsensitive) {
  const std::string t = valid_token();
  for (const char* name : {"Approov-Token", "approov-token", "APPROOV-TOKEN", "aPpRoOv-ToKeN"}) {
    EXPECT_EQ(check({{name, t}}), Reason::ok) << name;
  }
}

TEST(Extract, SurroundingSpacesAndTabsAreTrimmed) {
  const std::string t = valid_token();
  for (const std::string& v : {" " + t, t + " ", "\t" + t + "\t", " \t " + t + "  \t"}) {
    EXPECT_EQ(check({{"Approov-Token", v}}), Reason::ok);
  }
  // ... but not inside.
  std::string inner = t;
  inner.insert(10, " ");
  EXPECT_EQ(check({{"Approov-Token", inner}}), Reason::malformed);
}

TEST(Extract, MissingHeaderIsMissingToken) {
  EXPECT_EQ(check({}), Reason::missing_token);
  EXPECT_EQ(check({{"Approov-Tokens", valid_token()}, {"Authorization", valid_token()}}),
            Reason::missing_token);
}

TEST(Extract, EmptyValueIsMissingToken) {
  EXPECT_EQ(check({{"Approov-Token", ""}}), Reason::missing_token);
  EXPECT_EQ(check({{"Approov-Token", " \t "}}), Reason::missing_token);
}

TEST(Extract, TwoFieldsAreADuplicateEvenIfEqual) {
  const std::string t = valid_token();
  EXPECT_EQ(check({{"Approov-Token", t}, {"approov-token", t}}), Reason::duplicate_token);
  EXPECT_EQ(check({{"Approov-Token", t}, {"Approov-Token", ""}}), Reason::duplicate_token);
  EXPECT_EQ(check({{"Approov-Token", ""}, {"Approov-Token", t}}), Reason::duplicate_token);
}

TEST(Extract, CommaJoinedValueIsADuplicate) {
  const std::string t = valid_token();
  EXPECT_EQ(check({{"Approov-Token", t + ", " + t}}), Reason::duplicate_token);
  EXPECT_EQ(check({{"Approov-Token", t + "," + valid_token(R"("x":1)")}}), Reason::duplicate_token);
  EXPECT_EQ(check({{"Approov-Token", t + ","}}), Reason::duplicate_token);
}

TEST(Extract, ConfiguredPrefixIsRequiredAndStripped) {
  const std::string t = valid_token();
  const TokenSource bearer{"Authorization", "Bearer "};
  EXPECT_EQ(check({{"Authorization", "Bearer " + t}}, nullptr, bearer), Reason::ok);
  EXPECT_EQ(check({{"authorization", "bearer " + t}}, nullptr, bearer), Reason::ok);
  EXPECT_EQ(check({{"Authorization", "BEARER " + t}}, nullptr, bearer), Reason::ok);
  EXPECT_EQ(check({{"Authorization", "  Bearer " + t + " "}}, nullptr, bearer), Reason::ok);
  EXPECT_EQ(check({{"Authorization", t}}, nullptr, bearer), Reason::bad_prefix);
  EXPECT_EQ(check({{"Authorization", "Basic " + t}}, nullptr, bearer), Reason::bad_prefix);
  EXPECT_EQ(check({{"Authorization", "Bearer" + t}}, nullptr, bearer), Reason::bad_prefix);
  // Exactly the prefix is stripped: a second space stays and breaks the token.
  EXPECT_EQ(check({{"Authorization", "Bearer  " + t}}, nullptr, bearer), Reason::malformed);
  EXPECT_EQ(check({}, nullptr, bearer), Reason::missing_token);
  EXPECT_EQ(check({{"Authorization", ""}}, nullptr, bearer), Reason::missing_token);
}

TEST(Extract, NothingAfterThePrefixIsRejected) {
  const TokenSource bearer{"Authorization", "Bearer "};
  // docs/DECISIONS.md: nothing after the prefix is missing_token. HTTP trims the trailing
  // space, so "Bearer " arrives as "Bearer": still an empty token, not a wrong prefix.
  for (const char* v : {"Bearer ", "Bearer", "bearer", "  BEARER \t", "Bearer  "}) {
    EXPECT_EQ(check({{"Authorization", v}}, nullptr, bearer), Reason::missing_token) << v;
  }
  EXPECT_EQ(check({{"Authorization", "Bearer x"}}, nullptr, bearer), Reason::malformed);
  EXPECT_EQ(check({{"Authorization", "Beare"}}, nullptr, bearer), Reason::bad_prefix);
  EXPECT_EQ(check({{"Authorization", "Basic"}}, nullptr, bearer), Reason::bad_prefix);
  // With a prefix that does not end in whitespace the empty remainder is a missing token.
  const TokenSource colon{"X-Auth", "Token:"};
  EXPECT_EQ(check({{"X-Auth", "Token:"}}, nullptr, colon), Reason::missing_token);
  EXPECT_EQ(check({{"X-Auth", "token:" + valid_token()}}, nullptr, colon), Reason::ok);
}

TEST(Extract, CustomHeaderName) {
  const std::string t = valid_token();
  const TokenSource custom{"X-Approov", ""};
  EXPECT_EQ(check({{"x-approov", t}}, nullptr, custom), Reason::ok);
  EXPECT_EQ(check({{"Approov-Token", t}}, nullptr, custom), Reason::missing_token);
  EXPECT_EQ(check({{"X-Approov", t}, {"X-APPROOV", t}}, nullptr, custom), Reason::duplicate_token);
}

TEST(Extract, ExtractTokenReturnsTheBareToken) {
  const std::string t = valid_token();
  const RequestCheck rc = make_check({"Authorization", "Bearer "});
  const std::string value = " Bearer " + t + "\t";
  const BasicRequest headers{{"Authorization", value}};  // holds views: `value` must outlive it
  std::string_view token;
  ASSERT_EQ(rc.extract_token(headers, token), Reason::ok);
  EXPECT_EQ(token, t);
}

TEST(Extract, InvalidSourceIsAConfigurationError) {
  for (const char* bad : {"", "Approov Token", "Approov-Token:", "Appro\xC3\xB6v", "A\tB"}) {
    auto c = RequestCheck::create(make_verifier(), TokenSource{bad, ""});
    EXPECT_FALSE(c) << bad;
  }
  EXPECT_FALSE(RequestCheck::create(make_verifier(), TokenSource{"Authorization", "Bearer\n"}));
  EXPECT_TRUE(RequestCheck::create(make_verifier(), TokenSource{"X_Custom.Token~1", ""}));
}

TEST(Extract, VerificationFailuresComeThrough) {
  EXPECT_EQ(check({{"Approov-Token", mint(kHeader, R"({"exp":1})")}}), Reason::expired);
  EXPECT_EQ(check({{"Approov-Token", mint(kHeader, R"({"exp":1})", other_key())}}),
            Reason::bad_signature);
}

TEST(Extract, VerifyResultOverloadCarriesTheClaims) {
  const RequestCheck rc = make_check();
  const std::string token = valid_token(R"("sub":"user-1")");
  const BasicRequest headers{{"Approov-Token", token}};
  const VerifyResult r = rc.check(headers, kNow, RoutePolicy::token_check());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.claims().sub(), "user-1");
}

// ---- docs/BEHAVIOUR.md §5
// -----------------------------------------------------------------------------------

const std::string kAuth = "Bearer some-opaque-oauth-token";

std::string bound_token(std::string_view bound_value) {
  return valid_token(R"("pay":")" + pay_claim_for(bound_value) + "\"");
}

std::string token_with_pay_text(std::string_view pay_json) {
  return valid_token(R"("pay":)" + std::string(pay_json));
}

TEST(Binding, MatchingAuthorizationIsAccepted) {
  const BindingPolicy policy;
  EXPECT_EQ(check({{"Approov-Token", bound_token(kAuth)}, {"Authorization", kAuth}}, &policy),
            Reason::ok);
  EXPECT_EQ(check({{"Approov-Token", bound_token(kAuth)}, {"authorization", kAuth}}, &policy),
            Reason::ok);
}

TEST(Binding, TheWholeValueIsHashedBearerIncluded) {
  const BindingPolicy policy;
  const std::string without_scheme = "some-opaque-oauth-token";
  EXPECT_EQ(
      check({{"Approov-Token", bound_token(without_scheme)}, {"Authorization", kAuth}}, &policy),
      Reason::binding_mismatch);
}

TEST(Binding, MismatchIsRejected) {
  const BindingPolicy policy;
  EXPECT_EQ(check({{"Approov-Token", bound_token(kAuth)}, {"Authorization", kAuth + "x"}}, &policy),
            Reason::binding_mismatch);
  EXPECT_EQ(check({{"Approov-Token", bound_token("bearer some-opaque-oauth-token")},
                   {"Authorization", kAuth}},
                  &policy),
            Reason::binding_mismatch);
}

TEST(Binding, SurroundingWhitespaceOfTheBoundHeaderIsTrimmed) {
  const BindingPolicy policy;
  EXPECT_EQ(check({{"Approov-Token", bound_token(kAuth)}, {"Authorization", " \t" + kAuth + " "}},
                  &policy),
            Reason::ok);
}

TEST(Binding, MissingEmptyOrDuplicateBoundHeaderIsRejected) {
  const BindingPolicy policy;
  const std::string t = bound_token(kAuth);
  EXPECT_EQ(check({{"Approov-Token", t}}, &policy), Reason::missing_binding_header);
  EXPECT_EQ(check({{"Approov-Token", t}, {"Authorization", ""}}, &policy),
            Reason::missing_binding_header);
  EXPECT_EQ(check({{"Approov-Token", t}, {"Authorization", "  "}}, &policy),
            Reason::missing_binding_header);
  EXPECT_EQ(
      check({{"Approov-Token", t}, {"Authorization", kAuth}, {"Authorization", kAuth}}, &policy),
      Reason::duplicate_binding_header);
  // The binding is only judged for a valid token.
  EXPECT_EQ(check({{"Approov-Token", mint(kHeader, R"({"exp":1})")}}, &policy), Reason::expired);
}

TEST(Binding, TokenWithoutPayIsRejectedByDefault) {
  BindingPolicy policy;
  const std::string t = valid_token();
  EXPECT_EQ(check({{"Approov-Token", t}, {"Authorization", kAuth}}, &policy), Reason::missing_pay);
  policy.allow_missing_pay = true;
  EXPECT_EQ(check({{"Approov-Token", t}, {"Authorization", kAuth}}, &policy), Reason::ok);
  // allow_missing_pay does not weaken a token that does carry pay.
  EXPECT_EQ(check({{"Approov-Token", bound_token("other")}, {"Authorization", kAuth}}, &policy),
            Reason::binding_mismatch);
  EXPECT_EQ(check({{"Approov-Token", bound_token(kAuth)}}, &policy),
            Reason::missing_binding_header);
  // docs/BEHAVIOUR.md §5: the bound headers must be present exactly once and non-empty even when a
  // token without pay is allowed.
  EXPECT_EQ(check({{"Approov-Token", t}}, &policy), Reason::missing_binding_header);
  EXPECT_EQ(check({{"Approov-Token", t}, {"Authorization", " "}}, &policy),
            Reason::missing_binding_header);
  EXPECT_EQ(
      check({{"Approov-Token", t}, {"Authorization", kAuth}, {"Authorization", kAuth}}, &policy),
      Reason::duplicate_binding_header);
}

TEST(Binding, PayMustBeAString) {
  const BindingPolicy policy;
  for (const char* pay : {"null", "1", "true", R"(["x"])", R"({"a":"b"})"}) {
    EXPECT_EQ(
        check({{"Approov-Token", token_with_pay_text(pay)}, {"Authorization", kAuth}}, &policy),
        Reason::bad_pay)
        << pay;
  }
  BindingPolicy lenient;
  lenient.allow_missing_pay = true;
  EXPECT_EQ(
      check({{"Approov-Token", token_with_pay_text("null")}, {"Authorization", kAuth}}, &lenient),
      Reason::bad_pay);
}

TEST(Binding, PayMustDecodeCanonicallyToExactly32Bytes) {
  const BindingPolicy policy;
  const Sha256Digest digest = sha256(kAuth);
  const std::string padded =
      base64::encode(digest.data(), digest.size(), base64::Alphabet::standard, true);
  ASSERT_EQ(padded.size(), 44U);
  // Non-canonical: the last data character carries 2 unused bits.
  std::string noncanon = padded;
  noncanon[42] = noncanonical(padded.substr(0, 43)).back();
  EXPECT_EQ(check({{"Approov-Token", token_with_pay_text("\"" + noncanon + "\"")},
                   {"Authorization", kAuth}},
                  &policy),
            Reason::bad_pay);
  const std::string short31 = base64::encode(digest.data(), 31, base64::Alphabet::standard, true);
  EXPECT_EQ(check({{"Approov-Token", token_with_pay_text("\"" + short31 + "\"")},
                   {"Authorization", kAuth}},
                  &policy),
            Reason::bad_pay);
  std::string long33(reinterpret_cast<const char*>(digest.data()), 32);
  long33 += 'x';
  const std::string enc33 =
      base64::encode(long33.data(), long33.size(), base64::Alphabet::standard, true);
  EXPECT_EQ(
      check({{"Approov-Token", token_with_pay_text("\"" + enc33 + "\"")}, {"Authorization", kAuth}},
            &policy),
      Reason::bad_pay);
  for (const char* junk : {R"("")", R"("not base64!")", R"("====")"}) {
    EXPECT_EQ(
        check({{"Approov-Token", token_with_pay_text(junk)}, {"Authorization", kAuth}}, &policy),
        Reason::bad_pay)
        << junk;
  }
  // Hex of the digest is the right bytes in the wrong form.
  std::string hex;
  for (auto b : digest) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  EXPECT_NE(
      check({{"Approov-Token", token_with_pay_text("\"" + hex + "\"")}, {"Authorization", kAuth}},
            &policy),
      Reason::ok);
}

TEST(Binding, PayInEitherAlphabetPaddedOrNotIsAccepted) {
  const BindingPolicy policy;
  // Pick a bound value whose digest encodes with '+' or '/', so the alphabets differ.
  for (int i = 0; i < 100; ++i) {
    const std::string value = kAuth + std::to_string(i);
    const Sha256Digest d = sha256(value);
    const std::string std_pad =
        base64::encode(d.data(), d.size(), base64::Alphabet::standard, true);
    if (std_pad.find_first_of("+/") == std::string::npos) continue;
    const std::string url_pad = base64::encode(d.data(), d.size(), base64::Alphabet::url, true);
    const std::string url_raw = base64::encode(d.data(), d.size(), base64::Alphabet::url, false);
    const std::string std_raw = std_pad.substr(0, 43);
    for (const std::string& pay : {std_pad, std_raw, url_pad, url_raw}) {
      EXPECT_EQ(check({{"Approov-Token", token_with_pay_text("\"" + pay + "\"")},
                       {"Authorization", value}},
                      &policy),
                Reason::ok)
          << pay;
    }
    // Mixing the two alphabets in one value is not an encoding of anything.
    std::string mixed = std_pad;
    const std::size_t std_char = mixed.find_first_of("+/");
    mixed[std_char] = mixed[std_char] == '+' ? '-' : '_';
    if (mixed.find_first_of("+/") != std::string::npos) {
      EXPECT_EQ(check({{"Approov-Token", token_with_pay_text("\"" + mixed + "\"")},
                       {"Authorization", value}},
                      &policy),
                Reason::bad_pay)
          << mixed;
    }
    return;
  }
  FAIL() << "no digest with '+' or '/' found";
}

TEST(Binding, EscapedPayIsUnescapedFirst) {
  const BindingPolicy policy;
  std::string pay = pay_claim_for(kAuth);
  std::string escaped;
  for (char c : pay) escaped += c == '/' ? std::string("\\/") : std::string(1, c);
  escaped.replace(0, 1,
                  "\\u00" + std::string(1, "0123456789abcdef"[pay[0] >> 4]) +
                      std::string(1, "0123456789abcdef"[pay[0] & 15]));
  EXPECT_EQ(check({{"Approov-Token", token_with_pay_text("\"" + escaped + "\"")},
                   {"Authorization", kAuth}},
                  &policy),
            Reason::ok);
}

TEST(Binding, SeveralHeadersAreConcatenatedInConfiguredOrder) {
  BindingPolicy policy;
  policy.headers = {"Authorization", "X-Device-Id"};
  const std::string device = "device-42";
  const std::string t = bound_token(kAuth + device);
  EXPECT_EQ(
      check({{"Approov-Token", t}, {"X-Device-Id", device}, {"Authorization", kAuth}}, &policy),
      Reason::ok);
  EXPECT_EQ(check({{"Approov-Token", bound_token(device + kAuth)},
                   {"X-Device-Id", device},
                   {"Authorization", kAuth}},
                  &policy),
            Reason::binding_mismatch);
  EXPECT_EQ(check({{"Approov-Token", t}, {"Authorization", kAuth}}, &policy),
            Reason::missing_binding_header);
  EXPECT_EQ(check({{"Approov-Token", t}, {"X-Device-Id", ""}, {"Authorization", kAuth}}, &policy),
            Reason::missing_binding_header);
  EXPECT_EQ(check({{"Approov-Token", t},
                   {"X-Device-Id", device},
                   {"x-device-id", device},
                   {"Authorization", kAuth}},
                  &policy),
            Reason::duplicate_binding_header);
  policy.headers = {"X-Device-Id", "Authorization"};
  EXPECT_EQ(check({{"Approov-Token", bound_token(device + kAuth)},
                   {"Authorization", kAuth},
                   {"X-Device-Id", device}},
                  &policy),
            Reason::ok);
}

TEST(Binding, NoBoundHeaderConfiguredBindsNothing) {
  // docs/BEHAVIOUR.md §5: the bound value is one or more headers. With none, the concatenation is
  // empty, like an empty header: never a match, even for a token whose pay is SHA-256 of "".
  BindingPolicy policy;
  policy.headers.clear();
  EXPECT_EQ(check({{"Approov-Token", bound_token("")}, {"Authorization", kAuth}}, &policy),
            Reason::missing_binding_header);
  EXPECT_EQ(check({{"Approov-Token", bound_token(kAuth)}, {"Authorization", kAuth}}, &policy),
            Reason::missing_binding_header);
}

TEST(Binding, RoutePolicySelectsTheChecks) {
  const RequestCheck rc = make_check();
  Claims claims;
  const RoutePolicy none = RoutePolicy::unprotected();
  const RoutePolicy token = RoutePolicy::token_check();
  const RoutePolicy bound = RoutePolicy::token_binding();
  EXPECT_EQ(none.protection, Protection::none);
  EXPECT_EQ(token.protection, Protection::token);
  EXPECT_EQ(bound.protection, Protection::token_binding);
  EXPECT_EQ(bound.binding.headers, std::vector<std::string>{"Authorization"});
  EXPECT_FALSE(bound.binding.allow_missing_pay);
  EXPECT_EQ(RoutePolicy::token_binding({"X-A", "X-B"}, true).binding.headers.size(), 2u);
  const BasicRequest empty;
  EXPECT_EQ(rc.check(empty, kNow, none, claims), Reason::ok);
  EXPECT_EQ(rc.check(empty, kNow, token, claims), Reason::missing_token);
  const std::string unbound_token = valid_token();
  const BasicRequest unbound{{"Approov-Token", unbound_token}};
  EXPECT_EQ(rc.check(unbound, kNow, token, claims), Reason::ok);
  EXPECT_EQ(rc.check(unbound, kNow, bound, claims), Reason::missing_pay);
  const std::string bound_token_text = bound_token(kAuth);
  const BasicRequest with_auth{{"Approov-Token", bound_token_text}, {"Authorization", kAuth}};
  EXPECT_EQ(rc.check(with_auth, kNow, bound, claims), Reason::ok);
}

TEST(Binding, CheckBindingValue) {
  const TokenVerifier v = make_verifier();
  Claims claims;
  ASSERT_EQ(v.verify(bound_token(kAuth), kNow, claims), Reason::ok);
  EXPECT_EQ(check_binding_value(claims, kAuth), Reason::ok);
  EXPECT_EQ(check_binding_value(claims, kAuth + " "), Reason::binding_mismatch);
  EXPECT_EQ(check_binding_value(claims, ""), Reason::missing_binding_header);
  ASSERT_EQ(v.verify(valid_token(), kNow, claims), Reason::ok);
  EXPECT_EQ(check_binding_value(claims, kAuth), Reason::missing_pay);
  EXPECT_EQ(check_binding_value(claims, kAuth, true), Reason::ok);
  // An empty bound value is a missing header even when a token without pay is allowed.
  EXPECT_EQ(check_binding_value(claims, ""), Reason::missing_pay);
  EXPECT_EQ(check_binding_value(claims, "", true), Reason::missing_binding_header);
}

TEST(Binding, ApproovBindingVectors) {
  // TOKEN_BIND's pay is the SHA-256 of AUTH_HEADER (public quickstart data).
  VerifierConfig config;
  config.secrets.emplace_back(approov_test_secret());
  auto v = TokenVerifier::create(config);
  ASSERT_TRUE(v) << v.error();
  auto rc = RequestCheck::create(std::move(v).value());
  ASSERT_TRUE(rc) << rc.error();
  const RoutePolicy policy = RoutePolicy::token_binding();
  Claims claims;
  const std::string& token = data("TOKEN_BIND");
  const std::string& auth = data("AUTH_HEADER");
  EXPECT_EQ(rc.value().check(BasicRequest{{"Approov-Token", token}, {"Authorization", auth}}, kNow,
                             policy, claims),
            Reason::ok);
  EXPECT_EQ(rc.value().check(BasicRequest{{"Approov-Token", token}, {"Authorization", auth + "x"}},
                             kNow, policy, claims),
            Reason::binding_mismatch);
  EXPECT_EQ(rc.value().check(
                BasicRequest{{"Approov-Token", data("TOKEN_LARGE")}, {"Authorization", auth}}, kNow,
                policy, claims),
            Reason::ok);
  EXPECT_EQ(rc.value().check(
                BasicRequest{{"Approov-Token", data("TOKEN_SMALL")}, {"Authorization", auth}}, kNow,
                policy, claims),
            Reason::missing_pay);
}

// ---- logging helpers
// -------------------------------------------------------------------------------

TEST(TokenFingerprint, IsSixteenLowercaseHexOfSha256) {
  const std::string t = valid_token();
  const auto fp = token_fingerprint(t);
  const std::string s(fp.data());
  ASSERT_EQ(s.size(), 16U);
  for (char c : s) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << c;
  const Sha256Digest d = sha256(t);
  std::string expected;
  for (int i = 0; i < 8; ++i) {
    static constexpr char kHex[] = "0123456789abcdef";
    expected += kHex[d[i] >> 4];
    expected += kHex[d[i] & 15];
  }
  EXPECT_EQ(s, expected);
  EXPECT_EQ(fp[16], '\0');
}

TEST(TokenFingerprint, DoesNotContainTheToken) {
  for (const std::string& t : {valid_token(), data("TOKEN_SMALL"), data("TOKEN_LARGE")}) {
    const std::string fp(token_fingerprint(t).data());
    EXPECT_FALSE(leaks(fp, t)) << fp;
    const std::size_t dot = t.rfind('.');
    EXPECT_FALSE(leaks(fp, t.substr(dot + 1))) << "signature in " << fp;
  }
  EXPECT_NE(std::string(token_fingerprint("a").data()), std::string(token_fingerprint("b").data()));
  EXPECT_EQ(std::string(token_fingerprint("a").data()), std::string(token_fingerprint("a").data()));
}

TEST(BasicRequest, CountsEveryFieldCaseInsensitively) {
  BasicRequest h{{"A", "1"}, {"b", "2"}};
  h.add("a", "3");
  EXPECT_EQ(count_fields(h, "a").count, 2U);
  EXPECT_EQ(count_fields(h, "A").first, "1");
  EXPECT_EQ(count_fields(h, "B").count, 1U);
  EXPECT_EQ(count_fields(h, "c").count, 0U);
  struct Lines final : FieldLineSink {
    std::vector<std::string_view> seen;
    void line(std::string_view v) noexcept override { seen.push_back(v); }
  } lines;
  EXPECT_EQ(h.fields("A", lines), 2U);
  EXPECT_EQ(lines.seen, (std::vector<std::string_view>{"1", "3"}));
  EXPECT_EQ(h.method(), "GET");
  EXPECT_EQ(h.scheme(), "http");
  EXPECT_EQ(h.target(), "/");
  EXPECT_FALSE(h.body());
  h.set_method("POST").set_target("/a?b").set_authority("api.example.com").set_body("x");
  EXPECT_EQ(h.method(), "POST");
  EXPECT_EQ(h.target(), "/a?b");
  EXPECT_EQ(h.authority(), "api.example.com");
  EXPECT_EQ(h.body(), "x");
  EXPECT_TRUE(iequals("Approov-Token", "aPPROOV-tOKEN"));
  EXPECT_FALSE(iequals("Approov-Token", "Approov-Tokem"));
  EXPECT_FALSE(iequals("ab", "abc"));
}

}  // namespace
}  // namespace approov::test
