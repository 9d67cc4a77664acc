// docs/BEHAVIOUR.md §4: secret text formats, the environment variables, configuration errors that
// never echo the secret, and several secrets with key ids for rotation.
#include <string>

#include "test_support.hpp"

namespace approov::test {
namespace {

constexpr std::string_view kApproovSecretB64 =
    "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww==";

std::string to_url(std::string s, bool keep_padding) {
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  if (!keep_padding) {
    while (!s.empty() && s.back() == '=') s.pop_back();
  }
  return s;
}

// 32 bytes whose standard encoding uses '+' and '/' (so the alphabets differ).
const std::string& secret32_b64() {
  static const std::string s = [] {
    std::string bytes;
    for (int i = 0; i < 32; ++i)
      bytes += static_cast<char>(0xF8 + i % 8);  // 0xFB -> '+', 0xFF -> '/'
    return base64::encode(bytes.data(), bytes.size(), base64::Alphabet::standard, true);
  }();
  return s;
}

void expect_error_without_secret(const Configured<Secret>& result, std::string_view text,
                                 std::string_view must_mention) {
  ASSERT_FALSE(result) << "accepted: " << text;
  EXPECT_FALSE(leaks(result.error(), text)) << result.error();
  EXPECT_NE(result.error().find(must_mention), std::string::npos) << result.error();
}

TEST(DecodeSecret, StandardBase64WithPadding) {
  auto s = decode_secret(kApproovSecretB64, SecretEncoding::base64, "APPROOV_BASE64_SECRET");
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s.value().bytes().size(), 64U);
  EXPECT_EQ(s.value().bytes()[0], 0x87);
  EXPECT_EQ(s.value().bytes()[63], 0xC3);
  EXPECT_TRUE(s.value().key_id().empty());
}

TEST(DecodeSecret, MissingPaddingInStandardBase64IsAnError) {
  const std::string text(kApproovSecretB64.substr(0, kApproovSecretB64.size() - 2));
  expect_error_without_secret(decode_secret(text, SecretEncoding::base64, "APPROOV_BASE64_SECRET"),
                              text, "APPROOV_BASE64_SECRET");
  const std::string one_short(kApproovSecretB64.substr(0, kApproovSecretB64.size() - 1));
  expect_error_without_secret(
      decode_secret(one_short, SecretEncoding::base64, "APPROOV_BASE64_SECRET"), one_short,
      "APPROOV_BASE64_SECRET");
}

TEST(DecodeSecret, Base64UrlWithAndWithoutPadding) {
  const auto expected =
      decode_secret(kApproovSecretB64, SecretEncoding::base64, "X").value().bytes();
  for (bool pad : {true, false}) {
    const std::string text = to_url(std::string(kApproovSecretB64), pad);
    auto s = decode_secret(text, SecretEncoding::base64url, "APPROOV_BASE64URL_SECRET");
    ASSERT_TRUE(s) << s.error();
    EXPECT_EQ(s.value().bytes(), expected);
  }
}

TEST(DecodeSecret, WrongPaddingInBase64UrlIsAnError) {
  const std::string text = to_url(std::string(kApproovSecretB64), false) + "=";
  expect_error_without_secret(decode_secret(text, SecretEncoding::base64url, "URLVAR"), text,
                              "URLVAR");
  const std::string three = to_url(std::string(kApproovSecretB64), false) + "===";
  expect_error_without_secret(decode_secret(three, SecretEncoding::base64url, "URLVAR"), three,
                              "URLVAR");
}

TEST(DecodeSecret, LeadingAndTrailingWhitespaceIsTrimmed) {
  const std::string text = " \t\r\n" + std::string(kApproovSecretB64) + "\n\r\t \v\f";
  auto s = decode_secret(text, SecretEncoding::base64, "APPROOV_BASE64_SECRET");
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s.value().bytes().size(), 64U);
}

TEST(DecodeSecret, InnerWhitespaceIsAnError) {
  for (const char* ws : {" ", "\t", "\n", "\r\n"}) {
    std::string text(kApproovSecretB64);
    text.insert(40, ws);
    expect_error_without_secret(
        decode_secret(text, SecretEncoding::base64, "APPROOV_BASE64_SECRET"), text, "whitespace");
  }
}

TEST(DecodeSecret, WrongAlphabetIsAnError) {
  const std::string url_text = to_url(secret32_b64(), true);
  ASSERT_NE(url_text, secret32_b64());
  expect_error_without_secret(decode_secret(url_text, SecretEncoding::base64, "STDVAR"), url_text,
                              "STDVAR");
  expect_error_without_secret(decode_secret(secret32_b64(), SecretEncoding::base64url, "URLVAR"),
                              secret32_b64(), "URLVAR");
  for (const char* junk : {"*", "!", "\"", ".", "\xC3\xA9"}) {
    std::string text(kApproovSecretB64);
    text.replace(10, 1, junk);
    expect_error_without_secret(decode_secret(text, SecretEncoding::base64, "STDVAR"), text,
                                "STDVAR");
  }
}

TEST(DecodeSecret, NonZeroTrailingBitsAreAnError) {
  // "...Omww==": the last 'w' carries 4 unused bits; 'x' sets one of them.
  std::string text(kApproovSecretB64);
  text[text.size() - 3] = 'x';
  expect_error_without_secret(decode_secret(text, SecretEncoding::base64, "STDVAR"), text,
                              "STDVAR");
  const std::string url = to_url(text, false);
  expect_error_without_secret(decode_secret(url, SecretEncoding::base64url, "URLVAR"), url,
                              "URLVAR");
}

TEST(DecodeSecret, PaddingInTheMiddleIsAnError) {
  std::string text(kApproovSecretB64);
  text[20] = '=';
  expect_error_without_secret(decode_secret(text, SecretEncoding::base64, "STDVAR"), text,
                              "STDVAR");
}

TEST(DecodeSecret, ThirtyOneBytesAreTooShortThirtyTwoAreEnough) {
  const std::string bytes31(31, '\x5a');
  const std::string t31 = base64::encode(bytes31.data(), 31, base64::Alphabet::standard, true);
  expect_error_without_secret(decode_secret(t31, SecretEncoding::base64, "STDVAR"), t31, "32");
  auto s32 = decode_secret(secret32_b64(), SecretEncoding::base64, "STDVAR");
  ASSERT_TRUE(s32) << s32.error();
  EXPECT_EQ(s32.value().bytes().size(), 32U);
  EXPECT_FALSE(decode_secret("", SecretEncoding::base64, "STDVAR"));
  EXPECT_FALSE(decode_secret("   ", SecretEncoding::base64url, "URLVAR"));
}

TEST(DecodeSecret, KeyIdIsKept) {
  auto s = decode_secret(secret32_b64(), SecretEncoding::base64, "STDVAR", "2024-01");
  ASSERT_TRUE(s);
  EXPECT_EQ(s.value().key_id(), "2024-01");
}

// ---- environment -------------------------------------------------------------------------------

TEST(SecretFromEnvironment, ReadsTheBase64Variable) {
  ScopedEnv a("APPROOV_BASE64_SECRET", std::string(kApproovSecretB64).c_str());
  ScopedEnv b("APPROOV_BASE64URL_SECRET", nullptr);
  auto s = secret_from_environment();
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s.value().bytes(), approov_test_secret());
}

TEST(SecretFromEnvironment, ReadsTheBase64UrlVariable) {
  ScopedEnv a("APPROOV_BASE64_SECRET", nullptr);
  ScopedEnv b("APPROOV_BASE64URL_SECRET", to_url(std::string(kApproovSecretB64), false).c_str());
  auto s = secret_from_environment();
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s.value().bytes(), approov_test_secret());
}

TEST(SecretFromEnvironment, BothEqualIsAccepted) {
  ScopedEnv a("APPROOV_BASE64_SECRET", std::string(kApproovSecretB64).c_str());
  ScopedEnv b("APPROOV_BASE64URL_SECRET", to_url(std::string(kApproovSecretB64), true).c_str());
  auto s = secret_from_environment();
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s.value().bytes(), approov_test_secret());
}

TEST(SecretFromEnvironment, BothDifferentIsAnError) {
  ScopedEnv a("APPROOV_BASE64_SECRET", std::string(kApproovSecretB64).c_str());
  ScopedEnv b("APPROOV_BASE64URL_SECRET", to_url(secret32_b64(), false).c_str());
  auto s = secret_from_environment();
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("APPROOV_BASE64_SECRET"), std::string::npos);
  EXPECT_NE(s.error().find("APPROOV_BASE64URL_SECRET"), std::string::npos);
  EXPECT_FALSE(leaks(s.error(), kApproovSecretB64));
  EXPECT_FALSE(leaks(s.error(), to_url(secret32_b64(), false)));
}

TEST(SecretFromEnvironment, NoneIsAnErrorNamingBothVariables) {
  ScopedEnv a("APPROOV_BASE64_SECRET", nullptr);
  ScopedEnv b("APPROOV_BASE64URL_SECRET", nullptr);
  auto s = secret_from_environment();
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("APPROOV_BASE64_SECRET"), std::string::npos);
  EXPECT_NE(s.error().find("APPROOV_BASE64URL_SECRET"), std::string::npos);
}

TEST(SecretFromEnvironment, EmptyCountsAsUnset) {
  ScopedEnv a("APPROOV_BASE64_SECRET", "");
  ScopedEnv b("APPROOV_BASE64URL_SECRET", nullptr);
  EXPECT_FALSE(secret_from_environment());
}

TEST(SecretFromEnvironment, MalformedValueNamesTheVariableNotTheValue) {
  const std::string text = std::string(kApproovSecretB64.substr(0, 86));  // padding dropped
  {
    ScopedEnv a("APPROOV_BASE64_SECRET", text.c_str());
    ScopedEnv b("APPROOV_BASE64URL_SECRET", nullptr);
    auto s = secret_from_environment();
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().find("APPROOV_BASE64_SECRET"), std::string::npos) << s.error();
    EXPECT_FALSE(leaks(s.error(), text)) << s.error();
  }
  {
    ScopedEnv a("APPROOV_BASE64_SECRET", nullptr);
    ScopedEnv b("APPROOV_BASE64URL_SECRET", kApproovSecretB64.data());  // '+' and '/'
    auto s = secret_from_environment();
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().find("APPROOV_BASE64URL_SECRET"), std::string::npos) << s.error();
    EXPECT_FALSE(leaks(s.error(), kApproovSecretB64)) << s.error();
  }
}

// ---- verifier configuration
// ------------------------------------------------------------------------

TEST(VerifierConfig, NoSecretIsAnError) {
  EXPECT_FALSE(TokenVerifier::create(VerifierConfig{}));
}

TEST(VerifierConfig, ShortSecretIsAnError) {
  std::vector<std::uint8_t> short_key(31, 7);
  auto v = TokenVerifier::create(config_with(short_key));
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().find("31"), std::string::npos) << v.error();
}

TEST(VerifierConfig, MultipleSecretsNeedDistinctKeyIds) {
  // docs/BEHAVIOUR.md §4: each secret has an *optional* key id; ids that are set must be distinct.
  VerifierConfig optional;
  optional.secrets.emplace_back(test_key(), "k1");
  optional.secrets.emplace_back(other_key());
  EXPECT_TRUE(TokenVerifier::create(optional));

  VerifierConfig duplicate;
  duplicate.secrets.emplace_back(test_key(), "same");
  duplicate.secrets.emplace_back(other_key(), "same");
  auto v2 = TokenVerifier::create(duplicate);
  ASSERT_FALSE(v2);
  EXPECT_NE(v2.error().find("same"), std::string::npos) << v2.error();
  const std::string key_text(test_key().begin(), test_key().end());
  EXPECT_FALSE(leaks(v2.error(), key_text));
}

// ---- rotation
// --------------------------------------------------------------------------------------

TokenVerifier rotation_verifier() {
  VerifierConfig config;
  config.secrets.emplace_back(test_key(), "k1");
  config.secrets.emplace_back(other_key(), "k2");
  auto v = TokenVerifier::create(config);
  if (!v) ADD_FAILURE() << v.error();
  return std::move(v).value();
}

constexpr std::string_view kPayload = R"({"exp":4708683205})";

TEST(Rotation, KidSelectsTheSecret) {
  const TokenVerifier v = rotation_verifier();
  auto r1 = v.verify(mint(R"({"alg":"HS256","kid":"k1"})", kPayload, test_key()), kNow);
  ASSERT_EQ(r1.reason(), Reason::ok);
  EXPECT_EQ(r1.claims().key_id(), "k1");
  auto r2 = v.verify(mint(R"({"alg":"HS256","kid":"k2"})", kPayload, other_key()), kNow);
  ASSERT_EQ(r2.reason(), Reason::ok);
  EXPECT_EQ(r2.claims().key_id(), "k2");
  auto r3 = v.verify(mint(R"({"alg":"HS256","kid":"k\u0032"})", kPayload, other_key()), kNow);
  EXPECT_EQ(r3.reason(), Reason::ok);
}

TEST(Rotation, KidMismatchIsUnknownKid) {
  const TokenVerifier v = rotation_verifier();
  // Signed with k1's secret but naming k2, or naming no configured key.
  EXPECT_EQ(v.verify(mint(R"({"alg":"HS256","kid":"k2"})", kPayload, test_key()), kNow).reason(),
            Reason::unknown_kid);
  EXPECT_EQ(v.verify(mint(R"({"alg":"HS256","kid":"k3"})", kPayload, test_key()), kNow).reason(),
            Reason::unknown_kid);
  EXPECT_EQ(v.verify(mint(R"({"alg":"HS256","kid":"K1"})", kPayload, test_key()), kNow).reason(),
            Reason::unknown_kid);
  EXPECT_EQ(v.verify(mint(R"({"alg":"HS256","kid":""})", kPayload, test_key()), kNow).reason(),
            Reason::unknown_kid);
}

TEST(Rotation, UnknownSecretIsABadSignatureWhateverTheKid) {
  const TokenVerifier v = rotation_verifier();
  std::vector<std::uint8_t> third(40, 0x33);
  EXPECT_EQ(v.verify(mint(R"({"alg":"HS256","kid":"k1"})", kPayload, third), kNow).reason(),
            Reason::bad_signature);
  EXPECT_EQ(v.verify(mint(R"({"alg":"HS256","kid":"k9"})", kPayload, third), kNow).reason(),
            Reason::bad_signature);
  EXPECT_EQ(v.verify(mint(R"({"alg":"HS256"})", kPayload, third), kNow).reason(),
            Reason::bad_signature);
}

TEST(Rotation, TokenWithoutKidIsVerifiedByAnySecret) {
  const TokenVerifier v = rotation_verifier();
  auto r1 = v.verify(mint(R"({"alg":"HS256"})", kPayload, test_key()), kNow);
  ASSERT_EQ(r1.reason(), Reason::ok);
  EXPECT_EQ(r1.claims().key_id(), "k1");
  auto r2 = v.verify(mint(R"({"alg":"HS256"})", kPayload, other_key()), kNow);
  ASSERT_EQ(r2.reason(), Reason::ok);
  EXPECT_EQ(r2.claims().key_id(), "k2");
}

TEST(Rotation, NonStringKidIsABadHeader) {
  const TokenVerifier v = rotation_verifier();
  EXPECT_EQ(v.verify(mint(R"({"alg":"HS256","kid":1})", kPayload, test_key()), kNow).reason(),
            Reason::bad_header);
}

TEST(Rotation, ClaimRulesStillApply) {
  const TokenVerifier v = rotation_verifier();
  EXPECT_EQ(
      v.verify(mint(R"({"alg":"HS256","kid":"k2"})", R"({"exp":1})", other_key()), kNow).reason(),
      Reason::expired);
}

TEST(SingleSecret, KidIsIgnored) {
  const TokenVerifier v = make_verifier();
  auto r = v.verify(mint(R"({"alg":"HS256","kid":"whatever"})", kPayload), kNow);
  ASSERT_EQ(r.reason(), Reason::ok);
  EXPECT_EQ(r.claims().key_id(), "");
  EXPECT_EQ(v.verify(mint(R"({"alg":"HS256","kid":7})", kPayload), kNow).reason(),
            Reason::bad_header);
}

}  // namespace
}  // namespace approov::test

namespace approov::test {
namespace {

TEST(Rotation, KeyIdsAreComparedAsUnescapedText) {
  // A configured id containing a backslash: the token must carry it JSON-escaped.
  VerifierConfig config;
  config.secrets.emplace_back(test_key(), "k\\1");
  config.secrets.emplace_back(other_key(), "k2");
  auto v = TokenVerifier::create(config);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(v.value().verify(mint(R"({"alg":"HS256","kid":"k\\1"})", kPayload), kNow).reason(),
            Reason::ok);
  EXPECT_EQ(v.value().verify(mint(R"({"alg":"HS256","kid":"k\u005c1"})", kPayload), kNow).reason(),
            Reason::ok);
  EXPECT_EQ(v.value().verify(mint(R"({"alg":"HS256","kid":"k\u0031"})", kPayload), kNow).reason(),
            Reason::unknown_kid);
}

TEST(VerifierConfig, SecretSizeLimits) {
  EXPECT_TRUE(TokenVerifier::create(config_with(std::vector<std::uint8_t>(1024, 1))));
  auto too_long = TokenVerifier::create(config_with(std::vector<std::uint8_t>(1025, 1)));
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().find("1024"), std::string::npos) << too_long.error();
  const std::string text(1400, 'A');  // 1050 bytes
  auto decoded = decode_secret(text, SecretEncoding::base64, "STDVAR");
  ASSERT_FALSE(decoded);
  EXPECT_FALSE(leaks(decoded.error(), text));
}

TEST(VerifierConfig, CreateFromOneSecret) {
  auto v = TokenVerifier::create(Secret(test_key()), 300);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(v.value().config().leeway_seconds, 300);
  EXPECT_EQ(v.value().verify(mint(kHeader, R"({"exp":1000})"), 1299).reason(), Reason::ok);
  EXPECT_EQ(v.value().verify(mint(kHeader, R"({"exp":1000})"), 1300).reason(), Reason::expired);
  EXPECT_FALSE(TokenVerifier::create(Secret(test_key()), 301));
  EXPECT_FALSE(TokenVerifier::create(Secret(std::vector<std::uint8_t>(31, 1))));
}

TEST(VerifierConfig, FromEnvironment) {
  {
    ScopedEnv a("APPROOV_BASE64_SECRET", std::string(kApproovSecretB64).c_str());
    ScopedEnv b("APPROOV_BASE64URL_SECRET", nullptr);
    auto v = TokenVerifier::from_environment();
    ASSERT_TRUE(v) << v.error();
    EXPECT_EQ(v.value().verify(data("TOKEN_SMALL"), kNow).reason(), Reason::ok);
    EXPECT_FALSE(TokenVerifier::from_environment(-1));
  }
  {
    ScopedEnv a("APPROOV_BASE64_SECRET", nullptr);
    ScopedEnv b("APPROOV_BASE64URL_SECRET", nullptr);
    auto v = TokenVerifier::from_environment();
    ASSERT_FALSE(v);
    EXPECT_NE(v.error().find("APPROOV_BASE64_SECRET"), std::string::npos);
  }
}

}  // namespace
}  // namespace approov::test

namespace approov::test {
namespace {

TEST(SingleSecret, KidIsIgnoredEvenWhenTheSecretHasAKeyId) {
  // docs/BEHAVIOUR.md §4: "In single-secret mode kid is ignored (but must be a string)".
  VerifierConfig config;
  config.secrets.emplace_back(test_key(), "only");
  auto v = TokenVerifier::create(config);
  ASSERT_TRUE(v) << v.error();
  auto ok = v.value().verify(mint(R"({"alg":"HS256","kid":"only"})", kPayload), kNow);
  ASSERT_EQ(ok.reason(), Reason::ok);
  EXPECT_EQ(ok.claims().key_id(), "only");
  EXPECT_EQ(v.value().verify(mint(R"({"alg":"HS256","kid":"other"})", kPayload), kNow).reason(),
            Reason::ok);
  EXPECT_EQ(v.value().verify(mint(R"({"alg":"HS256"})", kPayload), kNow).reason(), Reason::ok);
  EXPECT_EQ(v.value().verify(mint(R"({"alg":"HS256","kid":7})", kPayload), kNow).reason(),
            Reason::bad_header);
}

TEST(Rotation, SecretsWithoutIdVerifyOnlyTokensWithoutKid) {
  VerifierConfig config;
  config.secrets.emplace_back(test_key(), "k1");
  config.secrets.emplace_back(other_key());
  auto v = TokenVerifier::create(config);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(v.value().verify(mint(R"({"alg":"HS256"})", kPayload, other_key()), kNow).reason(),
            Reason::ok);
  EXPECT_EQ(
      v.value().verify(mint(R"({"alg":"HS256","kid":"k2"})", kPayload, other_key()), kNow).reason(),
      Reason::unknown_kid);
  EXPECT_EQ(
      v.value().verify(mint(R"({"alg":"HS256","kid":"k1"})", kPayload, test_key()), kNow).reason(),
      Reason::ok);
}

}  // namespace
}  // namespace approov::test
