// The public-key module (src/pkey): parsing from SPKI DER, PEM and JWK members, the checks on
// type, curve and size, and one verify per algorithm with its exact signature form.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "keyset_support.hpp"

namespace approov::test {
namespace {

using detail::KeyType;

std::vector<std::uint8_t> spki_of(const SigningKey& key) {
  return key.public_spki_der();
}

PublicKey parse_spki(const std::vector<std::uint8_t>& der) {
  auto key = PublicKey::from_spki_der(der.data(), der.size());
  EXPECT_TRUE(key) << key.problem();
  return std::move(key).value();
}

std::string problem_of_spki(const std::vector<std::uint8_t>& der) {
  auto key = PublicKey::from_spki_der(der.data(), der.size());
  return key ? std::string("accepted") : std::string(key.problem());
}

// ---- every algorithm, both ways -------------------------------------------------------------

TEST(PublicKey, EveryAlgorithmVerifiesItsOwnSignatureAndNothingElse) {
  const std::string message = "eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjR9";
  for (const Algorithm algorithm : kAsymmetric) {
    SCOPED_TRACE(std::string(to_string(algorithm)));
    const SigningKey& signer = key_for(algorithm);
    const PublicKey key = signer.public_key();
    EXPECT_TRUE(key.fits(algorithm));
    EXPECT_FALSE(key.fits(Algorithm::HS256));
    std::vector<std::uint8_t> sig = signer.sign(algorithm, message);
    EXPECT_TRUE(key.verify(algorithm, message, sig.data(), sig.size()));
    EXPECT_FALSE(key.verify(algorithm, message + "x", sig.data(), sig.size()));
    EXPECT_FALSE(key.verify(Algorithm::HS256, message, sig.data(), sig.size()));
    // Every other algorithm refuses it: the same key under another hash or padding, or
    // another family altogether.
    for (const Algorithm other : kAsymmetric) {
      if (other != algorithm) {
        EXPECT_FALSE(key.verify(other, message, sig.data(), sig.size())) << to_string(other);
      }
    }
    sig[sig.size() / 2] ^= 0x01;
    EXPECT_FALSE(key.verify(algorithm, message, sig.data(), sig.size()));
    sig[sig.size() / 2] ^= 0x01;
    // Another key of the same kind refuses it.
    const SigningKey other = key.type() == KeyType::rsa ? rsa_key_2()
                             : key.type() == KeyType::ed25519
                                 ? SigningKey::generate_ed25519()
                                 : SigningKey::generate_ec(key.curve());
    EXPECT_FALSE(other.public_key().verify(algorithm, message, sig.data(), sig.size()));
  }
}

TEST(PublicKey, KeysFitOnlyTheirAlgorithms) {
  EXPECT_TRUE(p256_key().public_key().fits(Algorithm::ES256));
  EXPECT_FALSE(p256_key().public_key().fits(Algorithm::ES384));
  EXPECT_FALSE(p384_key().public_key().fits(Algorithm::ES256));
  EXPECT_TRUE(p384_key().public_key().fits(Algorithm::ES384));
  EXPECT_TRUE(p521_key().public_key().fits(Algorithm::ES512));
  EXPECT_FALSE(p521_key().public_key().fits(Algorithm::ES256));
  for (Algorithm a : {Algorithm::RS256, Algorithm::RS384, Algorithm::RS512, Algorithm::PS256,
                      Algorithm::PS384, Algorithm::PS512}) {
    EXPECT_TRUE(rsa_key().public_key().fits(a));
    EXPECT_FALSE(p256_key().public_key().fits(a));
    EXPECT_FALSE(ed25519_key().public_key().fits(a));
  }
  EXPECT_TRUE(ed25519_key().public_key().fits(Algorithm::EdDSA));
  EXPECT_FALSE(rsa_key().public_key().fits(Algorithm::EdDSA));
  EXPECT_EQ(rsa_key().public_key().description(), "RSA 2048-bit");
  EXPECT_EQ(p521_key().public_key().description(), "EC P-521");
  EXPECT_EQ(p521_key().public_key().bits(), 521U);
}

// ---- RFC vectors ------------------------------------------------------------------------------

TEST(PublicKey, Rfc7515A2Rs256) {
  const auto n = from_b64url(kRfc7515RsaN), e = from_b64url(kRfc7515RsaE);
  auto key = PublicKey::from_rsa(n.data(), n.size(), e.data(), e.size());
  ASSERT_TRUE(key) << key.problem();
  const SplitToken t = split(kRfc7515A2Token);
  EXPECT_TRUE(
      key->verify(Algorithm::RS256, t.signing_input, t.signature.data(), t.signature.size()));
  EXPECT_FALSE(
      key->verify(Algorithm::PS256, t.signing_input, t.signature.data(), t.signature.size()));
}

TEST(PublicKey, Rfc7515A3Es256AndA4Es512) {
  const auto x = from_b64url(kRfc7515EcX), y = from_b64url(kRfc7515EcY);
  auto key = PublicKey::from_ec(Curve::p256, x.data(), x.size(), y.data(), y.size());
  ASSERT_TRUE(key) << key.problem();
  const SplitToken t = split(kRfc7515A3Token);
  EXPECT_TRUE(
      key->verify(Algorithm::ES256, t.signing_input, t.signature.data(), t.signature.size()));

  const auto x5 = from_b64url(kRfc7515P521X), y5 = from_b64url(kRfc7515P521Y);
  auto p521 = PublicKey::from_ec(Curve::p521, x5.data(), x5.size(), y5.data(), y5.size());
  ASSERT_TRUE(p521) << p521.problem();
  const SplitToken t5 = split(kRfc7515A4Token);
  ASSERT_EQ(t5.signature.size(), 132U);
  EXPECT_TRUE(
      p521->verify(Algorithm::ES512, t5.signing_input, t5.signature.data(), t5.signature.size()));
}

TEST(PublicKey, Rfc8037Ed25519) {
  const auto x = from_b64url(kRfc8037X);
  auto key = PublicKey::from_ed25519(x.data(), x.size());
  ASSERT_TRUE(key) << key.problem();
  const SplitToken t = split(kRfc8037Token);
  EXPECT_TRUE(
      key->verify(Algorithm::EdDSA, t.signing_input, t.signature.data(), t.signature.size()));
  // The same signature, verified again after a failure, through the same cached context.
  EXPECT_FALSE(key->verify(Algorithm::EdDSA, t.signing_input + "!", t.signature.data(), 64));
  EXPECT_TRUE(key->verify(Algorithm::EdDSA, t.signing_input, t.signature.data(), 64));
  // And the private JWK of RFC 8037 A.1 signs exactly that signature (Ed25519 is deterministic).
  auto signer =
      SigningKey::from_jwk(R"({"kty":"OKP","crv":"Ed25519","d":")" + std::string(kRfc8037D) +
                           R"(","x":")" + std::string(kRfc8037X) + R"("})");
  ASSERT_TRUE(signer) << signer.error();
  EXPECT_EQ(signer.value().sign(Algorithm::EdDSA, t.signing_input), t.signature);
}

// ---- ECDSA signature form -------------------------------------------------------------------

// The DER encoding of an r||s signature (what OpenSSL and most libraries produce natively).
std::vector<std::uint8_t> to_der(const std::vector<std::uint8_t>& raw) {
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

// The group order n of a curve, big-endian on the coordinate size.
std::vector<std::uint8_t> order_of(int nid, std::size_t size) {
  EC_GROUP* group = EC_GROUP_new_by_curve_name(nid);
  std::vector<std::uint8_t> out(size);
  BN_bn2binpad(EC_GROUP_get0_order(group), out.data(), static_cast<int>(size));
  EC_GROUP_free(group);
  return out;
}

TEST(PublicKey, EcdsaDerSignatureIsRefused) {
  const std::string message = "header.payload";
  for (const Algorithm algorithm : {Algorithm::ES256, Algorithm::ES384, Algorithm::ES512}) {
    const SigningKey& signer = key_for(algorithm);
    const std::vector<std::uint8_t> raw = signer.sign(algorithm, message);
    const std::vector<std::uint8_t> der = to_der(raw);
    EXPECT_TRUE(signer.public_key().verify(algorithm, message, raw.data(), raw.size()));
    EXPECT_FALSE(signer.public_key().verify(algorithm, message, der.data(), der.size()));
  }
}

TEST(PublicKey, EcdsaRAndSOutsideOneToNMinusOneAreRefused) {
  const std::string message = "header.payload";
  const PublicKey key = p256_key().public_key();
  const std::vector<std::uint8_t> good = p256_key().sign(Algorithm::ES256, message);
  ASSERT_TRUE(key.verify(Algorithm::ES256, message, good.data(), 64));
  const std::vector<std::uint8_t> n = order_of(NID_X9_62_prime256v1, 32);
  const auto with = [&](std::size_t at, const std::vector<std::uint8_t>& value) {
    std::vector<std::uint8_t> sig = good;
    std::copy(value.begin(), value.end(), sig.begin() + static_cast<std::ptrdiff_t>(at));
    return sig;
  };
  const std::vector<std::uint8_t> zero(32, 0), ones(32, 0xFF);
  for (std::size_t at : {std::size_t{0}, std::size_t{32}}) {
    for (const auto& value : {zero, n, ones}) {
      const std::vector<std::uint8_t> sig = with(at, value);
      EXPECT_FALSE(key.verify(Algorithm::ES256, message, sig.data(), 64));
    }
  }
  // s and n - s both verify in ECDSA (the curve's symmetry): the range rule is about the
  // encoding, not malleability. n - 1 is in range and simply does not verify here.
  std::vector<std::uint8_t> n_minus_one = n;
  n_minus_one.back() -= 1;
  const std::vector<std::uint8_t> edge = with(32, n_minus_one);
  EXPECT_FALSE(key.verify(Algorithm::ES256, message, edge.data(), 64));
}

TEST(PublicKey, EcdsaSignatureOfWrongSizeIsRefused) {
  const std::string message = "m";
  std::vector<std::uint8_t> sig = p256_key().sign(Algorithm::ES256, message);
  const PublicKey key = p256_key().public_key();
  EXPECT_FALSE(key.verify(Algorithm::ES256, message, sig.data(), 63));
  sig.push_back(0);
  EXPECT_FALSE(key.verify(Algorithm::ES256, message, sig.data(), 65));
  // A P-384-sized signature for a P-256 key, and the reverse.
  const std::vector<std::uint8_t> sig384 = p384_key().sign(Algorithm::ES384, message);
  EXPECT_FALSE(key.verify(Algorithm::ES256, message, sig384.data(), sig384.size()));
}

// ---- RSA signature form ---------------------------------------------------------------------

TEST(PublicKey, RsaSignatureMustBeExactlyTheModulusLength) {
  // Find a signature whose first byte is zero, then drop it: OpenSSL alone would accept that.
  const PublicKey key = rsa_key().public_key();
  for (int i = 0; i < 2000; ++i) {
    const std::string message = "message " + std::to_string(i);
    const std::vector<std::uint8_t> sig = rsa_key().sign(Algorithm::RS256, message);
    if (sig[0] != 0) continue;
    ASSERT_TRUE(key.verify(Algorithm::RS256, message, sig.data(), sig.size()));
    EXPECT_FALSE(key.verify(Algorithm::RS256, message, sig.data() + 1, sig.size() - 1));
    return;
  }
  GTEST_SKIP() << "no signature with a leading zero octet in 2000 tries";
}

TEST(PublicKey, PssWithAnotherSaltLengthIsRefused) {
  const std::string message = "header.payload";
  const PublicKey key = rsa_key().public_key();
  for (const auto& [algorithm, hash] :
       {std::pair{Algorithm::PS256, 32}, std::pair{Algorithm::PS384, 48},
        std::pair{Algorithm::PS512, 64}}) {
    SCOPED_TRACE(std::string(to_string(algorithm)));
    const auto right = rsa_key().sign_pss_with_salt(algorithm, message, hash);
    EXPECT_TRUE(key.verify(algorithm, message, right.data(), right.size()));
    for (int salt : {0, 20, hash - 1, hash + 1, -2 /* OpenSSL: the maximum */}) {
      const auto sig = rsa_key().sign_pss_with_salt(algorithm, message, salt);
      EXPECT_FALSE(key.verify(algorithm, message, sig.data(), sig.size())) << "salt " << salt;
    }
  }
}

// ---- parsing: SPKI ----------------------------------------------------------------------------

TEST(PublicKey, SpkiOfEveryKindRoundTrips) {
  for (const SigningKey* k : {&rsa_key(), &p256_key(), &p384_key(), &p521_key(), &ed25519_key()}) {
    const std::vector<std::uint8_t> der = spki_of(*k);
    const PublicKey key = parse_spki(der);
    EXPECT_EQ(key.spki_der(), der);
  }
}

TEST(PublicKey, SmallRsaKeysAreRefused) {
  EXPECT_EQ(problem_of_spki(spki_of(rsa_1024_key())), "RSA modulus shorter than 2048 bits");
}

TEST(PublicKey, SpkiTrailingBytesAndBerLengthsAreRefused) {
  std::vector<std::uint8_t> der = spki_of(p256_key());
  std::vector<std::uint8_t> longer = der;
  longer.push_back(0);
  EXPECT_EQ(problem_of_spki(longer), "not a DER SubjectPublicKeyInfo");
  // The outer length in long form although it fits the short form (91 bytes < 128).
  ASSERT_EQ(der[1], 0x59);
  std::vector<std::uint8_t> ber = {0x30, 0x81, 0x59};
  ber.insert(ber.end(), der.begin() + 2, der.end());
  EXPECT_EQ(problem_of_spki(ber), "not a DER SubjectPublicKeyInfo");
  // Truncated.
  der.pop_back();
  EXPECT_NE(problem_of_spki(der), "accepted");
  EXPECT_EQ(problem_of_spki({0x30, 0x00}), "not a DER SubjectPublicKeyInfo");
  EXPECT_NE(problem_of_spki({}), "accepted");
}

std::vector<std::uint8_t> generated_spki(const char* algorithm, const char* curve = nullptr) {
  EVP_PKEY* key = curve != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve)
                                   : EVP_PKEY_Q_keygen(nullptr, nullptr, algorithm);
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  std::vector<std::uint8_t> out(der, der + n);
  OPENSSL_free(der);
  EVP_PKEY_free(key);
  return out;
}

TEST(PublicKey, OtherCurvesAndKeyTypesAreRefused) {
  EXPECT_EQ(problem_of_spki(generated_spki("EC", "secp256k1")),
            "EC curve is not P-256, P-384 or P-521");
  EXPECT_EQ(problem_of_spki(generated_spki("EC", "P-224")),
            "EC curve is not P-256, P-384 or P-521");
  EXPECT_EQ(problem_of_spki(generated_spki("X25519")),
            "unsupported key type (RSA, EC or Ed25519 expected)");
  EXPECT_EQ(problem_of_spki(generated_spki("ED448")),
            "unsupported key type (RSA, EC or Ed25519 expected)");
  // An RSA key under the id-RSASSA-PSS OID (parameters absent) instead of rsaEncryption.
  const std::vector<std::uint8_t> rsa = spki_of(rsa_key());
  ASSERT_EQ(rsa[2], 0x01);
  ASSERT_EQ(rsa[3], 0x22);
  std::vector<std::uint8_t> pss = {0x30, 0x82, 0x01, 0x20, 0x30, 0x0B, 0x06, 0x09, 0x2A,
                                   0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A};
  pss.insert(pss.end(), rsa.begin() + 19, rsa.end());
  EXPECT_EQ(problem_of_spki(pss).rfind("RSASSA-PSS-only keys", 0), 0U) << problem_of_spki(pss);
}

TEST(PublicKey, CompressedAndOffCurvePointsAreRefused) {
  const std::vector<std::uint8_t> der = spki_of(p256_key());
  // The P-256 SPKI is a fixed 26-byte prefix and the 65-byte point.
  std::vector<std::uint8_t> off = der;
  off.back() ^= 0x01;  // y changes: the point leaves the curve
  EXPECT_EQ(problem_of_spki(off), "EC point is not on the curve");

  const auto components = p256_key().public_key().components();
  std::vector<std::uint8_t> compressed(der.begin(), der.begin() + 26);
  compressed[1] = static_cast<std::uint8_t>(compressed[1] - 32);    // outer length
  compressed[24] = static_cast<std::uint8_t>(compressed[24] - 32);  // BIT STRING length
  compressed.push_back(static_cast<std::uint8_t>(0x02 | (components.y.back() & 1)));
  compressed.insert(compressed.end(), components.x.begin(), components.x.end());
  EXPECT_EQ(problem_of_spki(compressed), "compressed EC points are not supported");
}

// ---- parsing: JWK members -------------------------------------------------------------------

TEST(PublicKey, RsaComponentsAreChecked) {
  const auto c = rsa_key().public_key().components();
  ASSERT_EQ(c.n.size(), 256U);
  auto ok = PublicKey::from_rsa(c.n.data(), c.n.size(), c.e.data(), c.e.size());
  EXPECT_TRUE(ok) << ok.problem();
  std::vector<std::uint8_t> padded{0};
  padded.insert(padded.end(), c.n.begin(), c.n.end());
  EXPECT_STREQ(PublicKey::from_rsa(padded.data(), padded.size(), c.e.data(), c.e.size()).problem(),
               "RSA modulus has leading zero octets");
  std::vector<std::uint8_t> even = c.n;
  even.back() &= 0xFE;
  EXPECT_STREQ(PublicKey::from_rsa(even.data(), even.size(), c.e.data(), c.e.size()).problem(),
               "RSA modulus is even");
  for (const std::vector<std::uint8_t>& e :
       {std::vector<std::uint8_t>{1}, std::vector<std::uint8_t>{2},
        std::vector<std::uint8_t>{1, 0, 0}}) {
    EXPECT_STREQ(PublicKey::from_rsa(c.n.data(), c.n.size(), e.data(), e.size()).problem(),
                 "RSA exponent is not an odd number of at least 3");
  }
  const std::vector<std::uint8_t> huge(9, 0x01);
  EXPECT_STREQ(PublicKey::from_rsa(c.n.data(), c.n.size(), huge.data(), huge.size()).problem(),
               "RSA exponent longer than 64 bits");
  const std::vector<std::uint8_t> small(c.n.begin(), c.n.begin() + 128);
  EXPECT_STREQ(PublicKey::from_rsa(small.data(), small.size(), c.e.data(), c.e.size()).problem(),
               "RSA modulus shorter than 2048 bits");
}

TEST(PublicKey, EcCoordinatesMustBeFullSizeAndOnTheCurve) {
  const auto c = p256_key().public_key().components();
  ASSERT_EQ(c.x.size(), 32U);
  EXPECT_TRUE(PublicKey::from_ec(Curve::p256, c.x.data(), 32, c.y.data(), 32));
  EXPECT_STREQ(PublicKey::from_ec(Curve::p256, c.x.data() + 1, 31, c.y.data(), 32).problem(),
               "EC coordinates are not of the curve's full size");
  EXPECT_STREQ(PublicKey::from_ec(Curve::p384, c.x.data(), 32, c.y.data(), 32).problem(),
               "EC coordinates are not of the curve's full size");
  std::vector<std::uint8_t> y = c.y;
  y[5] ^= 0x10;
  EXPECT_STREQ(PublicKey::from_ec(Curve::p256, c.x.data(), 32, y.data(), 32).problem(),
               "EC point is not on the curve");
  const std::vector<std::uint8_t> p(32, 0xFF);  // beyond the field prime
  EXPECT_STREQ(PublicKey::from_ec(Curve::p256, p.data(), 32, c.y.data(), 32).problem(),
               "EC point is not on the curve");
}

TEST(PublicKey, Ed25519KeyMustBe32CanonicalBytes) {
  const auto x = from_b64url(kRfc8037X);
  EXPECT_STREQ(PublicKey::from_ed25519(x.data(), 31).problem(), "Ed25519 key is not 32 bytes");
  std::vector<std::uint8_t> y_too_big(32, 0xFF);
  y_too_big[31] = 0x7F;
  EXPECT_STREQ(PublicKey::from_ed25519(y_too_big.data(), 32).problem(),
               "Ed25519 key is not a canonical encoding");
  y_too_big[0] = 0xEC;  // p - 1: canonical
  EXPECT_TRUE(PublicKey::from_ed25519(y_too_big.data(), 32));
}

// ---- parsing: PEM ---------------------------------------------------------------------------

TEST(PublicKey, PemPublicKeysParse) {
  for (const SigningKey* k : {&rsa_key(), &p256_key(), &ed25519_key()}) {
    auto key = PublicKey::from_pem(k->public_pem());
    ASSERT_TRUE(key) << key.problem();
    EXPECT_EQ(key->spki_der(), spki_of(*k));
    auto spaced = PublicKey::from_pem("\n\n  " + k->public_pem() + "\r\n\t");
    EXPECT_TRUE(spaced) << spaced.problem();
  }
}

TEST(PublicKey, PemPkcs1RsaPublicKeyParses) {
  // SPKI = prefix + BIT STRING(RSAPublicKey): the PKCS#1 body is the BIT STRING's content.
  const std::vector<std::uint8_t> spki = spki_of(rsa_key());
  const std::vector<std::uint8_t> pkcs1(spki.begin() + 24, spki.end());
  ASSERT_EQ(pkcs1[0], 0x30);
  const std::string b64 =
      base64::encode(pkcs1.data(), pkcs1.size(), base64::Alphabet::standard, true);
  std::string pem = "-----BEGIN RSA PUBLIC KEY-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  pem += "-----END RSA PUBLIC KEY-----\n";
  auto key = PublicKey::from_pem(pem);
  ASSERT_TRUE(key) << key.problem();
  EXPECT_EQ(key->spki_der(), spki);
}

TEST(PublicKey, PemOtherThanOnePublicKeyIsRefused) {
  const std::string pub = p256_key().public_pem();
  EXPECT_EQ(std::string(PublicKey::from_pem(p256_key().private_pem()).problem())
                .rfind("a private key", 0),
            0U);
  EXPECT_STREQ(PublicKey::from_pem(pub + pub).problem(), "more than one PEM block");
  EXPECT_STREQ(PublicKey::from_pem("garbage\n" + pub).problem(), "not PEM text");
  EXPECT_STREQ(PublicKey::from_pem(pub + "trailing").problem(),
               "PEM END line missing or not matching its BEGIN line");
  std::string bad = pub;
  bad[40] = '*';
  EXPECT_STREQ(PublicKey::from_pem(bad).problem(), "PEM body is not canonical base64");
  EXPECT_EQ(std::string(PublicKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END "
                                            "CERTIFICATE-----\n")
                            .problem())
                .rfind("a certificate", 0),
            0U);
}

// ---- concurrency and OpenSSL state ----------------------------------------------------------

TEST(PublicKey, ManyThreadsShareOneKey) {
  // More threads than cached contexts, so some verifies make and drop their own.
  for (const Algorithm algorithm : {Algorithm::ES256, Algorithm::PS256, Algorithm::EdDSA}) {
    const PublicKey key = key_for(algorithm).public_key();
    const std::string message = "shared";
    const std::vector<std::uint8_t> sig = key_for(algorithm).sign(algorithm, message);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 24; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 30; ++i) {
          const bool good = (i + t) % 3 != 0;
          const std::string m = good ? message : message + "?";
          if (key.verify(algorithm, m, sig.data(), sig.size()) != good) ++wrong;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0) << to_string(algorithm);
  }
}

TEST(PublicKey, FailedVerifyLeavesTheOpenSslErrorQueueAsItWas) {
  ERR_clear_error();
  const std::string message = "m";
  for (const Algorithm algorithm : kAsymmetric) {
    std::vector<std::uint8_t> sig = key_for(algorithm).sign(algorithm, message);
    sig[3] ^= 0x40;
    EXPECT_FALSE(
        key_for(algorithm).public_key().verify(algorithm, message, sig.data(), sig.size()));
    EXPECT_EQ(ERR_peek_error(), 0UL) << to_string(algorithm);
  }
  // An error the caller already had stays.
  ERR_raise(ERR_LIB_USER, 42);
  const std::vector<std::uint8_t> bad(64, 7);
  EXPECT_FALSE(p256_key().public_key().verify(Algorithm::ES256, message, bad.data(), 64));
  EXPECT_EQ(ERR_GET_REASON(ERR_peek_last_error()), 42);
  ERR_clear_error();
}

TEST(PublicKey, PrepareCachesContexts) {
  const PublicKey key = SigningKey::generate_ec(Curve::p256).public_key();
  EXPECT_TRUE(key.prepare(Algorithm::ES256, 4));
  EXPECT_FALSE(key.prepare(Algorithm::RS256, 4));
}

}  // namespace
}  // namespace approov::test
