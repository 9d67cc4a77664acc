// Attacks on key and algorithm choice: HS256 tokens "signed" with a public key in every
// encoding, algorithms swapped between families, kid injection, ECDSA signatures in other forms
// or out of range, wrong curves, small RSA keys, PSS with another salt, duplicate kids.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

#include "keyset_support.hpp"

namespace approov::test {
namespace {

constexpr std::string_view kPayload = R"({"exp":4708683205})";

std::string header(std::string_view alg, std::string_view kid = {}) {
  std::string h = R"({"alg":")" + std::string(alg) + "\"";
  if (!kid.empty()) h += R"(,"kid":")" + std::string(kid) + "\"";
  return h + "}";
}

Reason check(const TokenVerifier& v, const std::string& token) {
  Claims claims;
  return v.verify(token, kNow, claims);
}

TokenVerifier make(std::vector<VerificationKey> keys, bool with_secret = false) {
  VerifierConfig config;
  config.keys = std::move(keys);
  if (with_secret) config.secrets.emplace_back(test_key());
  auto v = TokenVerifier::create(std::move(config));
  if (!v) ADD_FAILURE() << v.error();
  return std::move(v).value();
}

std::string with_signature(std::string_view signing_input, const std::vector<std::uint8_t>& sig) {
  return std::string(signing_input) + "." + to_b64url(sig);
}

std::string signing_input(std::string_view header_json, std::string_view payload = kPayload) {
  return b64url(header_json) + "." + b64url(payload);
}

// ---- a public key as an HMAC secret ---------------------------------------------------------

// Every byte string an attacker could hope a careless verifier takes as the HMAC key.
std::vector<std::vector<std::uint8_t>> encodings_of(const SigningKey& key, std::string_view kid,
                                                    Algorithm algorithm) {
  const PublicKey pub = key.public_key();
  const auto c = pub.components();
  std::vector<std::vector<std::uint8_t>> out = {
      bytes_of(key.public_pem()),                        // PEM text
      pub.spki_der(),                                    // DER SubjectPublicKeyInfo
      bytes_of(jwk_of(key, kid, algorithm)),             // the JWK JSON as configured
      bytes_of(jwks_of({jwk_of(key, kid, algorithm)})),  // the whole JWKS
  };
  if (!c.n.empty()) out.push_back(c.n);  // the RSA modulus bytes
  if (!c.x.empty()) out.push_back(c.x);
  if (!c.y.empty()) {
    std::vector<std::uint8_t> point{0x04};
    point.insert(point.end(), c.x.begin(), c.x.end());
    point.insert(point.end(), c.y.begin(), c.y.end());
    out.push_back(point);  // the SEC 1 point
  }
  return out;
}

TEST(Confusion, PublicKeyIsNeverAnHmacSecret) {
  struct Subject {
    const SigningKey& key;
    const char* kid;
    Algorithm algorithm;
  };
  const Subject subjects[] = {{rsa_key(), "rsa-1", Algorithm::RS256},
                              {p256_key(), "ec-1", Algorithm::ES256},
                              {ed25519_key(), "ed-1", Algorithm::EdDSA}};
  for (const Subject& s : subjects) {
    SCOPED_TRACE(s.kid);
    const TokenVerifier only = make({verification_key(s.key, s.kid, s.algorithm)});
    const TokenVerifier beside_secret =
        make({verification_key(s.key, s.kid, s.algorithm)}, /*with_secret=*/true);
    for (const auto& secret : encodings_of(s.key, s.kid, s.algorithm)) {
      // With the key's kid, and without a kid where that key is the only one.
      EXPECT_EQ(check(only, mint(header("HS256", s.kid), kPayload, secret)), Reason::bad_algorithm);
      EXPECT_EQ(check(only, mint(header("HS256"), kPayload, secret)), Reason::bad_algorithm);
      EXPECT_EQ(check(beside_secret, mint(header("HS256", s.kid), kPayload, secret)),
                Reason::bad_algorithm);
      // Without a kid beside a real secret the token goes to that secret, which refuses it.
      EXPECT_EQ(check(beside_secret, mint(header("HS256"), kPayload, secret)),
                Reason::bad_signature);
    }
  }
}

TEST(Confusion, PublicKeyIsRefusedAsAnHs256Key) {
  auto pem = key_from_pem(rsa_key().public_pem(), "rsa-1", Algorithm::HS256);
  ASSERT_FALSE(pem);
  EXPECT_NE(pem.error().find("cannot be used with HS256"), std::string::npos) << pem.error();
  auto jwk = key_from_jwk(jwk_of(p256_key(), "ec-1", Algorithm::HS256));
  ASSERT_FALSE(jwk);
  EXPECT_NE(jwk.error().find("alg HS256 does not fit an EC P-256 key"), std::string::npos)
      << jwk.error();
}

TEST(Confusion, NoneIsNeverAccepted) {
  const TokenVerifier v = make({verification_key(rsa_key(), "rsa-1", Algorithm::RS256)}, true);
  for (const char* none : {"none", "None", "NONE", "nOnE"}) {
    // An empty signature segment is malformed; any other signature meets the key's algorithm.
    EXPECT_EQ(check(v, signing_input(header(none, "rsa-1")) + "."), Reason::malformed);
    EXPECT_EQ(check(v, signing_input(header(none, "rsa-1")) + ".AAAA"), Reason::bad_algorithm);
    EXPECT_EQ(check(v, signing_input(header(none)) + ".AAAA"), Reason::bad_algorithm);
  }
}

// ---- algorithms swapped between families ----------------------------------------------------

TEST(Confusion, HeaderAlgMustEqualTheKeysAlgorithm) {
  const TokenVerifier v = make({verification_key(rsa_key(), "rsa-1", Algorithm::RS256),
                                verification_key(p256_key(), "ec-1", Algorithm::ES256),
                                verification_key(ed25519_key(), "ed-1", Algorithm::EdDSA)});
  // Tokens correctly signed under another algorithm, presented under a key of another kind
  // (or of the same kind with another algorithm).
  const struct {
    Algorithm signed_as;
    const char* kid;
  } cases[] = {{Algorithm::PS256, "rsa-1"}, {Algorithm::RS384, "rsa-1"},
               {Algorithm::ES256, "rsa-1"}, {Algorithm::EdDSA, "rsa-1"},
               {Algorithm::RS256, "ec-1"},  {Algorithm::ES384, "ec-1"},
               {Algorithm::EdDSA, "ec-1"},  {Algorithm::ES256, "ed-1"},
               {Algorithm::RS256, "ed-1"},  {Algorithm::PS512, "ec-1"}};
  for (const auto& c : cases) {
    const std::string token =
        key_for(c.signed_as).mint(c.signed_as, header(to_string(c.signed_as), c.kid), kPayload);
    EXPECT_EQ(check(v, token), Reason::bad_algorithm) << to_string(c.signed_as) << " " << c.kid;
  }
  // The header claims the key's algorithm but the signature is of another scheme with the same
  // key (PKCS#1 v1.5 vs PSS): the signature check refuses it.
  const std::string input = signing_input(header("RS256", "rsa-1"));
  EXPECT_EQ(check(v, with_signature(input, rsa_key().sign(Algorithm::PS256, input))),
            Reason::bad_signature);
  EXPECT_EQ(check(v, with_signature(input, rsa_key().sign(Algorithm::RS384, input))),
            Reason::bad_signature);
  // Algorithm names compare exactly.
  for (const char* alg : {"rs256", "RS256 ", "Rs256", "ES256K", "ES256\u0000"}) {
    const std::string in = signing_input(header(alg, "rsa-1"));
    EXPECT_EQ(check(v, with_signature(in, rsa_key().sign(Algorithm::RS256, in))),
              Reason::bad_algorithm)
        << alg;
  }
}

// ---- kid injection ----------------------------------------------------------------------------

TEST(Confusion, KidInjection) {
  const TokenVerifier v = make({verification_key(p256_key(), "ec-1", Algorithm::ES256),
                                verification_key(rsa_key(), "rsa-1", Algorithm::RS256)},
                               true);
  const auto es = [&](std::string_view h) {
    return check(v, p256_key().mint(Algorithm::ES256, h, kPayload));
  };
  for (const char* kid :
       {"../../../../etc/passwd", "/dev/null", "file:///etc/passwd", "https://evil.example/jwks",
        "' OR '1'='1", "ec-1/../ec-1", "ec-1\\u0000", "\\u0000", "ec-1\\n", "*", "%"}) {
    EXPECT_EQ(es(R"({"alg":"ES256","kid":")" + std::string(kid) + "\"}"), Reason::unknown_kid)
        << kid;
  }
  EXPECT_EQ(es(header("ES256", std::string(4000, 'a'))), Reason::unknown_kid);
  EXPECT_EQ(es(header("ES256", "ec-1" + std::string(4000, 'a'))), Reason::unknown_kid);
  for (const char* kid :
       {"1", "-0", "true", "null", "{}", "[]", R"(["ec-1"])", R"({"kid":"ec-1"})"}) {
    EXPECT_EQ(es(R"({"alg":"ES256","kid":)" + std::string(kid) + "}"), Reason::bad_header) << kid;
  }
}

// ---- ECDSA signature forms ------------------------------------------------------------------

std::vector<std::uint8_t> der_of(const std::vector<std::uint8_t>& raw) {
  const std::size_t n = raw.size() / 2;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(raw.data(), static_cast<int>(n), nullptr),
                 BN_bin2bn(raw.data() + n, static_cast<int>(n), nullptr));
  unsigned char* der = nullptr;
  const int size = i2d_ECDSA_SIG(sig, &der);
  std::vector<std::uint8_t> out(der, der + size);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

TEST(Confusion, EcdsaSignaturesInOtherFormsOrOutOfRange) {
  const TokenVerifier v = make({verification_key(p256_key(), "ec-1", Algorithm::ES256)});
  const std::string input = signing_input(header("ES256", "ec-1"));
  const std::vector<std::uint8_t> raw = p256_key().sign(Algorithm::ES256, input);
  ASSERT_EQ(check(v, with_signature(input, raw)), Reason::ok);
  EXPECT_EQ(check(v, with_signature(input, der_of(raw))), Reason::bad_signature);

  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  std::vector<std::uint8_t> n(32);
  BN_bn2binpad(EC_GROUP_get0_order(group), n.data(), 32);
  EC_GROUP_free(group);
  std::vector<std::uint8_t> zero(32, 0), max(32, 0xFF);
  for (std::size_t at : {std::size_t{0}, std::size_t{32}}) {
    for (const std::vector<std::uint8_t>* value : {&zero, &n, &max}) {
      std::vector<std::uint8_t> sig = raw;
      std::copy(value->begin(), value->end(), sig.begin() + static_cast<std::ptrdiff_t>(at));
      EXPECT_EQ(check(v, with_signature(input, sig)), Reason::bad_signature);
    }
  }
  // One byte short or long, or padded with a leading zero.
  EXPECT_EQ(check(v, with_signature(input, std::vector<std::uint8_t>(raw.begin(), raw.end() - 1))),
            Reason::bad_signature);
  std::vector<std::uint8_t> longer{0};
  longer.insert(longer.end(), raw.begin(), raw.end());
  EXPECT_EQ(check(v, with_signature(input, longer)), Reason::bad_signature);
}

TEST(Confusion, WrongCurve) {
  const TokenVerifier v = make({verification_key(p256_key(), "ec-1", Algorithm::ES256)});
  // A P-384 signature presented as ES256 under the P-256 key's kid.
  const std::string input = signing_input(header("ES256", "ec-1"));
  EXPECT_EQ(check(v, with_signature(input, p384_key().sign(Algorithm::ES384, input))),
            Reason::bad_signature);
  // A P-256 signature from the other P-256 key.
  EXPECT_EQ(check(v, with_signature(input, p256_key_2().sign(Algorithm::ES256, input))),
            Reason::bad_signature);
  // The key is configured for the wrong curve's algorithm: refused at configuration.
  EXPECT_FALSE(key_from_jwk(jwk_of(p256_key(), "ec-1", Algorithm::ES384)));
  EXPECT_FALSE(key_from_pem(p384_key().public_pem(), "ec-1", Algorithm::ES256));
  // A JWK whose crv names another curve than its coordinates' size.
  auto components = p256_key().public_key().components();
  EXPECT_FALSE(key_from_jwk(R"({"kty":"EC","crv":"P-384","kid":"k","alg":"ES384","x":")" +
                            to_b64url(components.x) + R"(","y":")" + to_b64url(components.y) +
                            "\"}"));
}

// ---- RSA ----------------------------------------------------------------------------------------

TEST(Confusion, SmallRsaKeysAreRefusedEverywhere) {
  const std::vector<std::uint8_t> spki = rsa_1024_key().public_spki_der();
  const std::string b64 =
      base64::encode(spki.data(), spki.size(), base64::Alphabet::standard, true);
  const std::string pem = "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
  auto from_pem = key_from_pem(pem, "small", Algorithm::RS256);
  ASSERT_FALSE(from_pem);
  EXPECT_NE(from_pem.error().find("shorter than 2048 bits"), std::string::npos);
  // The 1024-bit modulus as a JWK: n and e read straight from the DER.
  const std::vector<std::uint8_t> n(spki.begin() + 29, spki.begin() + 29 + 128);
  auto jwk = keys_from_jwks(jwks_of(
      {R"({"kty":"RSA","kid":"small","alg":"RS256","n":")" + to_b64url(n) + R"(","e":"AQAB"})"}));
  ASSERT_FALSE(jwk);
  EXPECT_EQ(jwk.error(), "the JWKS: key #1 (kid \"small\"): RSA modulus shorter than 2048 bits");
}

TEST(Confusion, PssWithAnotherSaltLength) {
  const TokenVerifier v = make({verification_key(rsa_key(), "pss", Algorithm::PS256)});
  const std::string input = signing_input(header("PS256", "pss"));
  EXPECT_EQ(
      check(v, with_signature(input, rsa_key().sign_pss_with_salt(Algorithm::PS256, input, 32))),
      Reason::ok);
  for (int salt : {0, 20, 31, 33, 64, -2}) {
    EXPECT_EQ(check(v, with_signature(input,
                                      rsa_key().sign_pss_with_salt(Algorithm::PS256, input, salt))),
              Reason::bad_signature)
        << salt;
  }
}

TEST(Confusion, JwksWithDuplicateKidsIsRefused) {
  auto keys = keys_from_jwks(jwks_of({jwk_of(p256_key(), "same", Algorithm::ES256),
                                      jwk_of(rsa_key(), "other", Algorithm::RS256),
                                      jwk_of(p256_key_2(), "same", Algorithm::ES256)}));
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error(), "the JWKS: keys #1 and #3 have the same kid \"same\"");
}

}  // namespace
}  // namespace approov::test
