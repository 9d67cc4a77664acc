// Exact-boundary tests of the verifier, the binding and the configuration: each pins one rule
// at the value where a plausible one-line slip (a `<` for a `<=`, a prefix for a whole
// comparison, 16 bytes for 32) would change the outcome. tests/mutants/core.txt lists the
// slips these tests were written to catch.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "approov/crypto.hpp"
#include "jws.hpp"
#include "test_support.hpp"

namespace approov::test {
namespace {

Reason with_config(const VerifierConfig& config, std::string_view payload,
                   std::int64_t now = kNow) {
  auto v = TokenVerifier::create(config);
  if (!v) {
    ADD_FAILURE() << v.error();
    return Reason::bad_header;
  }
  Claims claims;
  return v.value().verify(mint(kHeader, payload), now, claims);
}

// ---- pay: all 32 bytes count -----------------------------------------------------------------

std::string with_pay(std::string_view pay) {
  return valid_token(R"("pay":")" + std::string(pay) + "\"");
}

Reason bind_value(const std::string& token, std::string_view bound) {
  const TokenVerifier verifier = make_verifier();
  Claims claims;
  const Reason r = verifier.verify(token, kNow, claims);
  if (r != Reason::ok) return r;
  return check_binding_value(claims, bound);
}

TEST(Guards, PayDiffersInAnySingleByte) {
  const std::string bound = "Bearer some-opaque-oauth-token";
  const Sha256Digest digest = sha256(bound);
  ASSERT_EQ(bind_value(with_pay(base64::encode(digest.data(), digest.size(),
                                               base64::Alphabet::standard, true)),
                       bound),
            Reason::ok);
  for (std::size_t i = 0; i < digest.size(); ++i) {
    for (const int flip : {0x01, 0x80}) {
      Sha256Digest other = digest;
      other[i] = static_cast<std::uint8_t>(other[i] ^ flip);
      const std::string pay =
          base64::encode(other.data(), other.size(), base64::Alphabet::standard, true);
      EXPECT_EQ(bind_value(with_pay(pay), bound), Reason::binding_mismatch) << "byte " << i;
      const RequestCheck check = RequestCheck::create(make_verifier()).value();
      const std::string token = with_pay(pay);  // BasicRequest holds views
      BasicRequest headers{{"Approov-Token", token}, {"Authorization", bound}};
      Claims claims;
      EXPECT_EQ(check.check(headers, kNow, RoutePolicy::token_binding(), claims),
                Reason::binding_mismatch)
          << "byte " << i;
    }
  }
}

// ---- iss: the whole value ------------------------------------------------------------------

TEST(Guards, IssuerMustMatchWholly) {
  VerifierConfig config = config_with();
  config.issuer = "https://issuer.example";
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"iss":"https://issuer.example"})"),
            Reason::ok);
  for (const char* iss : {"", "h", "https://", "https://issuer.exampl", "https://issuer.examplE",
                          "Https://issuer.example", "https://issuer.example\\u0000",
                          "https://issuer.example.evil", " https://issuer.example"}) {
    EXPECT_EQ(with_config(config, std::string(R"({"exp":4708683205,"iss":")") + iss + "\"}"),
              Reason::bad_issuer)
        << '"' << iss << '"';
  }
  // A configured empty issuer is matched by an empty iss only.
  config.issuer = "";
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"iss":""})"), Reason::ok);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"iss":"x"})"), Reason::bad_issuer);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205})"), Reason::bad_issuer);
}

// ---- base64: every unused-bit pattern ----------------------------------------------------

// The last character of a final group of two (or three) carries 4 (or 2) unused bits, which
// must all be zero: of the 64 characters exactly 4 (or 16) are canonical there.
TEST(Guards, Base64UnusedBitsAreAllChecked) {
  static constexpr std::string_view kUrl =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (std::size_t v = 0; v < 64; ++v) {
    // Short texts (scalar decoder) and long ones (the 32-character blocks first).
    for (const std::string& prefix : {std::string("Q"), std::string("QU"),
                                      std::string(36, 'A') + "Q", std::string(36, 'A') + "QU"}) {
      const std::string text = prefix + kUrl[v];
      const bool canonical = text.size() % 4 == 2 ? v % 16 == 0 : v % 4 == 0;
      std::uint8_t out[64];
      EXPECT_EQ(base64::decode(text, base64::Alphabet::url, base64::Padding::forbidden, out,
                               sizeof out) >= 0,
                canonical)
          << text;
    }
  }
}

// ---- aud of another type -------------------------------------------------------------------

TEST(Guards, AudienceOfAnotherTypeNeverMatches) {
  VerifierConfig config = config_with();
  config.audience = "1";
  for (const char* aud : {"1", "true", "false", "null", "{}", R"({"1":"1"})", "[1]", "[[\"1\"]]"}) {
    EXPECT_EQ(with_config(config, std::string(R"({"exp":4708683205,"aud":)") + aud + "}"),
              Reason::bad_audience)
        << aud;
  }
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":"1"})"), Reason::ok);
  EXPECT_EQ(with_config(config, R"({"exp":4708683205,"aud":[1,"1"]})"), Reason::ok);
}

// ---- numbers that take the general comparison path -----------------------------------------

// Exponent forms are compared by the general algorithm, not the plain-decimal fast path:
// values between 0 and 1 (and -1 and 0) must keep their fraction there too.
TEST(Guards, ExponentFormsBetweenZeroAndOneKeepTheirFraction) {
  const auto exp_reason = [](const char* exp, std::int64_t now) {
    return verify_reason(mint(kHeader, payload_with_exp(exp)), now);
  };
  for (const char* half : {"5e-1", "0.5e0", "50e-2", "0.05e1", "5E-1"}) {
    EXPECT_EQ(exp_reason(half, 0), Reason::ok) << half;
    EXPECT_EQ(exp_reason(half, 1), Reason::expired) << half;
    EXPECT_EQ(
        verify_reason(mint(kHeader, std::string(R"({"exp":4708683205,"nbf":)") + half + "}"), 0),
        Reason::not_yet_valid)
        << half;
  }
  for (const char* minus_half : {"-5e-1", "-0.5e0", "-50e-2"}) {
    EXPECT_EQ(exp_reason(minus_half, -1), Reason::ok) << minus_half;
    EXPECT_EQ(exp_reason(minus_half, 0), Reason::expired) << minus_half;
  }
}

// nbf and iat as doubles keep the sign of a value too small for a double.
TEST(Guards, TinyTimeClaimsKeepTheirSignAsDoubles) {
  const TokenVerifier verifier = make_verifier();
  Claims claims;
  ASSERT_EQ(verifier.verify(mint(kHeader, R"({"exp":4708683205,"nbf":-1e-400,"iat":1e-400})"), kNow,
                            claims),
            Reason::ok);
  ASSERT_TRUE(claims.nbf().has_value());
  ASSERT_TRUE(claims.iat().has_value());
  EXPECT_EQ(*claims.nbf(), 0.0);
  EXPECT_TRUE(std::signbit(*claims.nbf()));
  EXPECT_EQ(*claims.iat(), 0.0);
  EXPECT_FALSE(std::signbit(*claims.iat()));
}

// ---- the JOSE header on its own ------------------------------------------------------------

// read_header refuses a header without a string `alg` itself, whatever key ring judges the
// algorithm next (an HS256-only ring refuses it anyway; a ring choosing keys by `alg` must
// not see such a header).
TEST(Guards, HeaderWithoutAStringAlgIsBadHeaderOnItsOwn) {
  for (const char* header : {R"({"typ":"JWT"})", "{}", R"({"alg":null})", R"({"alg":1})",
                             R"({"alg":["HS256"]})", R"({"kid":"k","typ":"JWT"})"}) {
    detail::JoseHeader h;
    EXPECT_EQ(detail::read_header(header, h), Reason::bad_header) << header;
  }
  detail::JoseHeader h;
  EXPECT_EQ(detail::read_header(R"({"alg":"none"})", h), Reason::ok);
  EXPECT_FALSE(detail::alg_is(h, "HS256"));
  EXPECT_TRUE(detail::alg_is(h, "none"));
}

// ---- signature size ---------------------------------------------------------------------

// A signature segment longer than any key's signature (over 1024 bytes) is still judged on
// its encoding: canonical base64url is a bad signature (the wrong size), anything else is
// malformed.
TEST(Guards, OverlongSignatureIsBadSignatureWhenWellEncoded) {
  const std::string good = valid_token();
  const std::string signing_input = good.substr(0, good.rfind('.') + 1);
  for (const std::size_t bytes :
       {std::size_t{1024}, std::size_t{1025}, std::size_t{2000}, std::size_t{4000}}) {
    const std::string sig = b64url(std::string(bytes, '\x5a'));
    EXPECT_EQ(verify_reason(signing_input + sig), Reason::bad_signature) << bytes;
    std::string bad = sig;
    bad[bad.size() / 2] = '+';  // the other alphabet
    EXPECT_EQ(verify_reason(signing_input + bad), Reason::malformed) << bytes;
    std::string padded = sig + "=";
    EXPECT_EQ(verify_reason(signing_input + padded), Reason::malformed) << bytes;
  }
}

// ---- secret sizes ----------------------------------------------------------------------------

TEST(Guards, DecodedSecretSizeLimitsAreExact) {
  const auto encoded = [](std::size_t bytes) {
    const std::string raw(bytes, '\x42');
    return base64::encode(raw.data(), raw.size(), base64::Alphabet::standard, true);
  };
  EXPECT_TRUE(decode_secret(encoded(kMaxSecretSize), SecretEncoding::base64, "S").ok());
  const auto over = decode_secret(encoded(kMaxSecretSize + 1), SecretEncoding::base64, "S");
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().find("more than"), std::string::npos) << over.error();
  EXPECT_TRUE(decode_secret(encoded(kMinSecretSize), SecretEncoding::base64, "S").ok());
  EXPECT_FALSE(decode_secret(encoded(kMinSecretSize - 1), SecretEncoding::base64, "S").ok());
}

// ---- secret_from_file ----------------------------------------------------------------------

// A file in the test's temporary directory, removed at the end of the scope.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/approov-guards-XXXXXX";
    const int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    if (fd >= 0) close(fd);
    path_ = name;
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const std::string kSecretStd =
    "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww==";

std::string to_url(std::string text) {
  for (char& c : text) c = c == '+' ? '-' : (c == '/' ? '_' : c);
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

TEST(Guards, SecretFileTriesBase64urlOnlyWhenNoEncodingIsGiven) {
  const std::vector<std::uint8_t> expected =
      decode_secret(kSecretStd, SecretEncoding::base64, "x").value().bytes();
  const TempFile standard(kSecretStd + "\n");
  const TempFile url(to_url(kSecretStd) + "\n");
  // No encoding given: either alphabet.
  EXPECT_EQ(secret_from_file(standard.path()).value().bytes(), expected);
  auto from_url = secret_from_file(url.path());
  ASSERT_TRUE(from_url.ok()) << from_url.error();
  EXPECT_EQ(from_url.value().bytes(), expected);
  // An encoding given: that one only, no fallback.
  EXPECT_FALSE(secret_from_file(url.path(), SecretEncoding::base64).ok());
  EXPECT_FALSE(secret_from_file(standard.path(), SecretEncoding::base64url).ok());
  EXPECT_TRUE(secret_from_file(url.path(), SecretEncoding::base64url).ok());
  EXPECT_TRUE(secret_from_file(standard.path(), SecretEncoding::base64).ok());
}

TEST(Guards, SecretFileSizeLimitIsExact) {
  // The secret, then whitespace (trimmed) up to exactly the limit: accepted; one byte more:
  // refused, without reading the rest.
  const std::string at_limit =
      kSecretStd + std::string(kMaxSecretFileSize - kSecretStd.size(), '\n');
  ASSERT_EQ(at_limit.size(), kMaxSecretFileSize);
  const TempFile ok(at_limit);
  const auto read = secret_from_file(ok.path());
  EXPECT_TRUE(read.ok()) << read.error();
  const TempFile over(at_limit + "\n");
  const auto refused = secret_from_file(over.path());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("larger than"), std::string::npos) << refused.error();
  EXPECT_FALSE(leaks(refused.error(), kSecretStd));
  // Missing file: named, not a crash.
  const auto missing = secret_from_file("/nonexistent/approov-secret");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("cannot open"), std::string::npos) << missing.error();
}

}  // namespace
}  // namespace approov::test
