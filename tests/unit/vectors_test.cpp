// Public test vectors: RFC 4231 (HMAC-SHA256), RFC 7515 Appendix A.1 (JWS HS256), and the
// Approov quickstarts' test secret and tokens.
#include <string>
#include <vector>

#include "test_support.hpp"

namespace approov::test {
namespace {

std::string hex(const std::uint8_t* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
  return out;
}

std::vector<std::uint8_t> repeat(std::uint8_t byte, std::size_t n) {
  return std::vector<std::uint8_t>(n, byte);
}

std::string repeat_text(char c, std::size_t n) {
  return std::string(n, c);
}

struct Rfc4231Case {
  int number;
  std::vector<std::uint8_t> key;
  std::string data;
  std::string hmac_sha256;  // hex; case 5 gives only the first 128 bits
};

TEST(Rfc4231, HmacSha256TestCases1To7) {
  std::vector<std::uint8_t> key4;
  for (std::uint8_t b = 0x01; b <= 0x19; ++b) key4.push_back(b);
  const Rfc4231Case cases[] = {
      {1, repeat(0x0b, 20), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {2,
       {'J', 'e', 'f', 'e'},
       "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {3, repeat(0xaa, 20), repeat_text('\xdd', 50),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {4, key4, repeat_text('\xcd', 50),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {5, repeat(0x0c, 20), "Test With Truncation", "a3b6167473100ee06e0c796c2955552b"},
      {6, repeat(0xaa, 131), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {7, repeat(0xaa, 131),
       "This is a test using a larger than block-size key and a larger than block-size data. "
       "The key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const Rfc4231Case& c : cases) {
    const Sha256Digest mac = hmac_sha256(c.key.data(), c.key.size(), c.data);
    // Case 5 is specified truncated to 128 bits: compare that prefix.
    EXPECT_EQ(hex(mac.data(), c.hmac_sha256.size() / 2), c.hmac_sha256) << "case " << c.number;
  }
}

TEST(Sha256, KnownDigests) {
  const Sha256Digest empty = sha256("");
  EXPECT_EQ(hex(empty.data(), 32),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const Sha256Digest abc = sha256("abc");
  EXPECT_EQ(hex(abc.data(), 32),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// RFC 7515 Appendix A.1: the symmetric key is the JWK's "k" (base64url), and the token text
// below is exactly the RFC's (its header and payload contain CR LF, so they are not the JSON a
// typical encoder would produce: the MAC must be computed over the segments as received).
constexpr std::string_view kRfc7515Key =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
constexpr std::string_view kRfc7515Token =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view kRfc7515Payload =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";

std::vector<std::uint8_t> rfc7515_key() {
  std::vector<std::uint8_t> key(base64::max_decoded_size(kRfc7515Key.size()));
  const auto n = base64::decode(kRfc7515Key, base64::Alphabet::url, base64::Padding::forbidden,
                                key.data(), key.size());
  EXPECT_EQ(n, 64);
  key.resize(static_cast<std::size_t>(n < 0 ? 0 : n));
  return key;
}

TEST(Rfc7515, AppendixA1VerifiesAndYieldsThePayloadBytes) {
  const auto jws = JwsVerifier::create({Secret(rfc7515_key())}).value();
  char payload[kMaxPayloadSize];
  std::size_t size = 0;
  ASSERT_EQ(jws.verify(kRfc7515Token, payload, size), Reason::ok);
  EXPECT_EQ(std::string_view(payload, size), kRfc7515Payload);
}

TEST(Rfc7515, AppendixA1ThroughTheTokenVerifier) {
  // The same token as an Approov token: exp 1300819380 (2011-03-22T18:43:00Z).
  VerifierConfig config;
  config.secrets.emplace_back(rfc7515_key());
  auto v = TokenVerifier::create(config);
  ASSERT_TRUE(v) << v.error();
  auto before = v.value().verify(kRfc7515Token, 1300819379);
  ASSERT_EQ(before.reason(), Reason::ok);
  EXPECT_EQ(before.claims().iss(), "joe");
  EXPECT_EQ(before.claims().claim_json("http://example.com/is_root"), "true");
  EXPECT_EQ(before.claims().payload_json(), kRfc7515Payload);
  EXPECT_EQ(v.value().verify(kRfc7515Token, 1300819380).reason(), Reason::expired);
}

TEST(Rfc7515, AppendixA1TamperedIsRejected) {
  const auto jws = JwsVerifier::create({Secret(rfc7515_key())}).value();
  char payload[kMaxPayloadSize];
  std::size_t size = 0;
  std::string t(kRfc7515Token);
  t[t.size() - 1] = 'g';  // 'k' (36) -> 'g' (32): another canonical last character
  EXPECT_EQ(jws.verify(t, payload, size), Reason::bad_signature);
  const auto wrong = JwsVerifier::create({Secret(test_key())}).value();
  EXPECT_EQ(wrong.verify(kRfc7515Token, payload, size), Reason::bad_signature);
}

TEST(IndependentVectors, TokensSignedByPythonHmacVerify) {
  // Made with Python's hmac module (not with this library), for keys shorter than, equal to and
  // longer than the SHA-256 block, which HMAC handles differently.
  struct Case {
    std::vector<std::uint8_t> key;
    const char* token;
    const char* sub;
  };
  std::vector<std::uint8_t> key32;
  for (int i = 0; i < 32; ++i) key32.push_back(static_cast<std::uint8_t>(i));
  const Case cases[] = {
      {repeat(0xaa, 131),
       "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQ3MDg2ODMyMDUsInN1YiI6Imxvbmcga2V5In0."
       "iYgscnNrZq8FEVMsQ9CW_NFmuVAlhAwjD5_qIcBqFDQ",
       "long key"},
      {key32,
       "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQ3MDg2ODMyMDUsInN1YiI6IjMyLWJ5dGUga2V5In0."
       "M0_xidZQHgdYGdP66MGEAAKMSYOo0vAHarCDhbmxC5I",
       "32-byte key"},
  };
  for (const Case& c : cases) {
    VerifierConfig config;
    config.secrets.emplace_back(c.key);
    auto v = TokenVerifier::create(config);
    ASSERT_TRUE(v) << v.error();
    auto r = v.value().verify(c.token, kNow);
    ASSERT_EQ(r.reason(), Reason::ok) << c.sub;
    EXPECT_EQ(r.claims().sub(), c.sub);
  }
}

// ---- Approov quickstart data
// ---------------------------------------------------------------------

TokenVerifier approov_verifier() {
  VerifierConfig config;
  config.secrets.emplace_back(approov_test_secret());
  auto v = TokenVerifier::create(config);
  if (!v) ADD_FAILURE() << v.error();
  return std::move(v).value();
}

constexpr std::string_view kQuickstartToken =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjQ3MDg2ODMyMDUuODkxOTEyfQ."
    "c8I4KNndbThAQ7zlgX4_QDtcxCrD9cff1elaCJe9p9U";

TEST(ApproovVectors, QuickstartTokenIsValid) {
  ASSERT_EQ(data("TOKEN_SMALL"), kQuickstartToken);
  const TokenVerifier v = approov_verifier();
  auto r = v.verify(kQuickstartToken, unix_now());
  ASSERT_EQ(r.reason(), Reason::ok);
  EXPECT_EQ(r.claims().exp_text(), "4708683205.891912");
  EXPECT_EQ(r.claims().payload_json(), R"({"exp":4708683205.891912})");
  // Valid until 4708683205.891912 exactly.
  EXPECT_EQ(v.verify(kQuickstartToken, 4708683205).reason(), Reason::ok);
  EXPECT_EQ(v.verify(kQuickstartToken, 4708683206).reason(), Reason::expired);
}

TEST(ApproovVectors, SecretFromBase64UrlVerifiesToo) {
  std::string url = data("APPROOV_BASE64_SECRET");
  for (char& c : url) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  auto s = decode_secret(url, SecretEncoding::base64url, "APPROOV_BASE64URL_SECRET");
  ASSERT_TRUE(s) << s.error();
  VerifierConfig config;
  config.secrets.push_back(std::move(s).value());
  auto v = TokenVerifier::create(config);
  ASSERT_TRUE(v);
  EXPECT_EQ(v.value().verify(kQuickstartToken, kNow).reason(), Reason::ok);
}

TEST(ApproovVectors, BadSignatureToken) {
  EXPECT_EQ(approov_verifier().verify(data("TOKEN_BADSIG"), kNow).reason(), Reason::bad_signature);
}

TEST(ApproovVectors, LargeTokenClaims) {
  auto r = approov_verifier().verify(data("TOKEN_LARGE"), kNow);
  ASSERT_EQ(r.reason(), Reason::ok);
  const Claims& c = r.claims();
  EXPECT_EQ(c.exp_text(), "4723352405.123456");
  EXPECT_EQ(c.ip(), "203.0.113.42");
  EXPECT_EQ(c.did(), "hBjW4otKXIKqVya0outEFQ==");
  EXPECT_EQ(c.arc(), "RVRT8L6RVG");
  ASSERT_TRUE(c.ipk());
  EXPECT_EQ(c.ipk()->size(), 124U);
  EXPECT_EQ(c.ipk()->substr(0, 16), "MFkwEwYHKoZIzj0C");
  EXPECT_EQ(c.pay(), pay_claim_for(data("AUTH_HEADER")));
  EXPECT_EQ(c.mskid(), std::nullopt);
  EXPECT_EQ(check_binding_value(c, data("AUTH_HEADER")), Reason::ok);
}

TEST(ApproovVectors, BindToken) {
  auto r = approov_verifier().verify(data("TOKEN_BIND"), kNow);
  ASSERT_EQ(r.reason(), Reason::ok);
  EXPECT_EQ(r.claims().pay(), "VQFFPJZ682aOtxRMjz0ktCHmyWeEEeSMvXh1uD8J3vk=");
  EXPECT_EQ(check_binding_value(r.claims(), data("AUTH_HEADER")), Reason::ok);
  EXPECT_EQ(check_binding_value(r.claims(), "Bearer something-else"), Reason::binding_mismatch);
}

TEST(ApproovVectors, MintedTokensMatchTheQuickstartToken) {
  const std::vector<std::uint8_t> key = approov_test_secret();
  EXPECT_EQ(mint_hs256(R"({"typ":"JWT","alg":"HS256"})", R"({"exp":4708683205.891912})", key.data(),
                       key.size()),
            kQuickstartToken);
}

}  // namespace
}  // namespace approov::test
