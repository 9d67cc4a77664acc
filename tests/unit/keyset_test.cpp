// Keyset mode of the verifier: how a token's key is chosen (kid, alg, the HS256 secrets beside
// a keyset), the order of the checks (header first, payload only after the signature), the
// RFC vectors through the whole verifier, aud/iss, and KeySet replacement.
#include "keyset_support.hpp"

namespace approov::test {
namespace {

constexpr std::string_view kPayload =
    R"({"exp":4708683205,"iss":"acme.approov.io","aud":"api.example.com"})";

TokenVerifier verifier_with(std::vector<VerificationKey> keys, bool with_secret = false,
                            std::shared_ptr<KeySet> set = nullptr) {
  VerifierConfig config;
  config.keys = std::move(keys);
  config.key_set = std::move(set);
  if (with_secret) config.secrets.emplace_back(test_key());
  auto v = TokenVerifier::create(std::move(config));
  if (!v) ADD_FAILURE() << v.error();
  return std::move(v).value();
}

Reason check(const TokenVerifier& v, const std::string& token, std::int64_t now = kNow) {
  Claims claims;
  return v.verify(token, now, claims);
}

std::string header(std::string_view alg, std::string_view kid = {}) {
  std::string h = R"({"alg":")" + std::string(alg) + "\"";
  if (!kid.empty()) h += R"(,"kid":")" + std::string(kid) + "\"";
  return h + "}";
}

// Three keys of three families, as an API with a keyset would configure them.
TokenVerifier three_key_verifier(bool with_secret = false) {
  return verifier_with({verification_key(p256_key(), "ec-1", Algorithm::ES256),
                        verification_key(rsa_key(), "rsa-1", Algorithm::RS256),
                        verification_key(ed25519_key(), "ed-1", Algorithm::EdDSA)},
                       with_secret);
}

// ---- RFC vectors through the verifier -------------------------------------------------------

TEST(Keyset, Rfc7515A2Rs256) {
  auto key = key_from_jwk(R"({"kty":"RSA","kid":"2011-04-29","alg":"RS256","n":")" +
                          std::string(kRfc7515RsaN) + R"(","e":"AQAB"})");
  ASSERT_TRUE(key) << key.error();
  const TokenVerifier v = verifier_with({key.value()});
  Claims claims;
  ASSERT_EQ(v.verify(kRfc7515A2Token, kRfc7515Now, claims), Reason::ok);
  EXPECT_EQ(claims.iss(), "joe");
  EXPECT_EQ(claims.key_id(), "2011-04-29");
  EXPECT_EQ(check(v, std::string(kRfc7515A2Token), 1300819380), Reason::expired);
}

TEST(Keyset, Rfc7515A3Es256AndA4Es512) {
  auto es256 =
      key_from_jwk(R"({"kty":"EC","crv":"P-256","kid":"a3","x":")" + std::string(kRfc7515EcX) +
                       R"(","y":")" + std::string(kRfc7515EcY) + "\"}",
                   Algorithm::ES256);
  ASSERT_TRUE(es256) << es256.error();
  EXPECT_EQ(check(verifier_with({es256.value()}), std::string(kRfc7515A3Token), kRfc7515Now),
            Reason::ok);
  // A.4's payload is the text "Payload", not JSON: the signature verifies, then the payload is
  // refused (bad_json can only come after the signature).
  auto es512 =
      key_from_jwk(R"({"kty":"EC","crv":"P-521","kid":"a4","alg":"ES512","x":")" +
                   std::string(kRfc7515P521X) + R"(","y":")" + std::string(kRfc7515P521Y) + "\"}");
  ASSERT_TRUE(es512) << es512.error();
  const TokenVerifier v512 = verifier_with({es512.value()});
  EXPECT_EQ(check(v512, std::string(kRfc7515A4Token)), Reason::bad_json);
  std::string tampered(kRfc7515A4Token);
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(check(v512, tampered), Reason::bad_signature);
}

TEST(Keyset, Rfc8037Ed25519) {
  auto key = key_from_jwk(R"({"kty":"OKP","crv":"Ed25519","kid":"rfc8037","alg":"EdDSA","x":")" +
                          std::string(kRfc8037X) + "\"}");
  ASSERT_TRUE(key) << key.error();
  const TokenVerifier v = verifier_with({key.value()});
  // The payload "Example of Ed25519 signing" is not JSON: bad_json proves the signature passed.
  EXPECT_EQ(check(v, std::string(kRfc8037Token)), Reason::bad_json);
  std::string tampered(kRfc8037Token);
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(check(v, tampered), Reason::bad_signature);
  // With a JSON payload signed by the RFC's private key, the token is valid.
  auto signer =
      SigningKey::from_jwk(R"({"kty":"OKP","crv":"Ed25519","d":")" + std::string(kRfc8037D) +
                           R"(","x":")" + std::string(kRfc8037X) + "\"}");
  ASSERT_TRUE(signer) << signer.error();
  EXPECT_EQ(check(v, signer.value().mint(Algorithm::EdDSA, header("EdDSA"), kPayload)), Reason::ok);
}

// ---- every algorithm, chosen by kid -----------------------------------------------------------

TEST(Keyset, EveryAlgorithmVerifiesThroughTheVerifier) {
  std::vector<VerificationKey> keys;
  for (const Algorithm a : kAsymmetric) {
    keys.push_back(verification_key(key_for(a), "k-" + std::string(to_string(a)), a));
  }
  const TokenVerifier v = verifier_with(keys);
  EXPECT_TRUE(v.jws().header_first());
  for (const Algorithm a : kAsymmetric) {
    const std::string kid = "k-" + std::string(to_string(a));
    Claims claims;
    EXPECT_EQ(v.verify(key_for(a).mint(a, header(to_string(a), kid), kPayload), kNow, claims),
              Reason::ok)
        << to_string(a);
    EXPECT_EQ(claims.key_id(), kid);
  }
}

// ---- how the key is chosen ----------------------------------------------------------------------

TEST(Keyset, KidSelectsExactlyOneKey) {
  const TokenVerifier v = three_key_verifier();
  EXPECT_EQ(check(v, p256_key().mint(Algorithm::ES256, header("ES256", "ec-1"), kPayload)),
            Reason::ok);
  // The right signature under another key's kid: that key is tried, and refuses it.
  EXPECT_EQ(check(v, p256_key_2().mint(Algorithm::ES256, header("ES256", "ec-1"), kPayload)),
            Reason::bad_signature);
  // Kids compare exactly: case, spaces, escapes.
  EXPECT_EQ(check(v, p256_key().mint(Algorithm::ES256, header("ES256", "EC-1"), kPayload)),
            Reason::unknown_kid);
  EXPECT_EQ(check(v, p256_key().mint(Algorithm::ES256, header("ES256", "ec-1 "), kPayload)),
            Reason::unknown_kid);
  EXPECT_EQ(
      check(v, p256_key().mint(Algorithm::ES256, R"({"alg":"ES256","kid":"ec\u002d1"})", kPayload)),
      Reason::ok);
}

TEST(Keyset, UnknownKidIsUnknownKid) {
  const TokenVerifier v = three_key_verifier(/*with_secret=*/true);
  EXPECT_EQ(check(v, p256_key().mint(Algorithm::ES256, header("ES256", "nope"), kPayload)),
            Reason::unknown_kid);
  EXPECT_EQ(check(v, mint(header("HS256", "nope"), kPayload)), Reason::unknown_kid);
}

TEST(Keyset, TokenWithoutKidNeedsExactlyOneKey) {
  const TokenVerifier three = three_key_verifier();
  EXPECT_EQ(check(three, p256_key().mint(Algorithm::ES256, header("ES256"), kPayload)),
            Reason::unknown_kid);
  const TokenVerifier one = verifier_with({verification_key(p256_key(), "ec-1", Algorithm::ES256)});
  EXPECT_EQ(check(one, p256_key().mint(Algorithm::ES256, header("ES256"), kPayload)), Reason::ok);
  // The one key still fixes the algorithm.
  EXPECT_EQ(check(one, rsa_key().mint(Algorithm::RS256, header("RS256"), kPayload)),
            Reason::bad_algorithm);
}

TEST(Keyset, ApproovDefaultTokensStillGoToTheSecretBesideAKeyset) {
  // The public Approov test token (canonical HS256 header, no kid) with the Approov test
  // secret and a keyset configured together.
  VerifierConfig config;
  config.secrets.emplace_back(approov_test_secret());
  config.keys = {verification_key(p256_key(), "ec-1", Algorithm::ES256),
                 verification_key(rsa_key(), "rsa-1", Algorithm::RS256)};
  auto v = TokenVerifier::create(config);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(check(v.value(), data("TOKEN_SMALL")), Reason::ok);
  EXPECT_EQ(check(v.value(), data("TOKEN_LARGE")), Reason::ok);
  EXPECT_EQ(check(v.value(), data("TOKEN_BADSIG")), Reason::bad_signature);
  // A non-canonical HS256 header without kid goes the same way.
  const std::string token = mint(header("HS256"), kPayload, approov_test_secret());
  EXPECT_EQ(check(v.value(), token), Reason::ok);
  // And keyset tokens work beside it.
  EXPECT_EQ(check(v.value(), rsa_key().mint(Algorithm::RS256, header("RS256", "rsa-1"), kPayload)),
            Reason::ok);
}

TEST(Keyset, SecretsWithIdsAreSelectedByKidToo) {
  VerifierConfig config;
  config.secrets.emplace_back(test_key(), "hs-1");
  config.secrets.emplace_back(other_key(), "hs-2");
  config.keys = {verification_key(p256_key(), "ec-1", Algorithm::ES256)};
  auto v = TokenVerifier::create(config);
  ASSERT_TRUE(v) << v.error();
  Claims claims;
  EXPECT_EQ(v.value().verify(mint(header("HS256", "hs-2"), kPayload, other_key()), kNow, claims),
            Reason::ok);
  EXPECT_EQ(claims.key_id(), "hs-2");
  EXPECT_EQ(check(v.value(), mint(header("HS256", "hs-1"), kPayload, other_key())),
            Reason::bad_signature);
  // The secret's kid with another algorithm: never a public-key check against a secret.
  EXPECT_EQ(check(v.value(), p256_key().mint(Algorithm::ES256, header("ES256", "hs-1"), kPayload)),
            Reason::bad_algorithm);
}

TEST(Keyset, KidsMustBeDistinctAcrossSecretsAndKeys) {
  VerifierConfig config;
  config.secrets.emplace_back(test_key(), "same");
  config.keys = {verification_key(p256_key(), "same", Algorithm::ES256)};
  auto v = TokenVerifier::create(config);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().find("same key id"), std::string::npos) << v.error();
  config.secrets.clear();
  config.keys.push_back(verification_key(rsa_key(), "same", Algorithm::RS256));
  EXPECT_FALSE(TokenVerifier::create(config));
}

TEST(Keyset, NothingConfiguredIsAnError) {
  auto v = TokenVerifier::create(VerifierConfig{});
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), "no secret or key configured");
}

// ---- order of the checks --------------------------------------------------------------------

TEST(Keyset, HeaderRulesStillApply) {
  const TokenVerifier v = three_key_verifier();
  const auto es = [&](std::string_view h) {
    return check(v, p256_key().mint(Algorithm::ES256, h, kPayload));
  };
  EXPECT_EQ(es(R"({"alg":"ES256","kid":"ec-1","crit":["exp"]})"), Reason::bad_header);
  EXPECT_EQ(es(R"({"alg":"ES256","kid":"ec-1","b64":false})"), Reason::bad_header);
  EXPECT_EQ(es(R"({"alg":"ES256","kid":1})"), Reason::bad_header);
  EXPECT_EQ(es(R"({"alg":"ES256","kid":null})"), Reason::bad_header);
  EXPECT_EQ(es(R"({"alg":"ES256","kid":["ec-1"]})"), Reason::bad_header);
  EXPECT_EQ(es(R"({"alg":["ES256"],"kid":"ec-1"})"), Reason::bad_header);
  EXPECT_EQ(es(R"({"kid":"ec-1"})"), Reason::bad_header);
  EXPECT_EQ(es(R"({"alg":"ES256","kid":"ec-1","kid":"rsa-1"})"), Reason::bad_json);
  EXPECT_EQ(es(R"({"alg":"ES256","kid":"ec-1",})"), Reason::bad_json);
  EXPECT_EQ(es(R"(["ES256"])"), Reason::bad_json);
  // Members that name keys elsewhere are ignored, never fetched.
  EXPECT_EQ(
      es(R"({"alg":"ES256","kid":"ec-1","jku":"https://evil.example/jwks","x5u":"file:///etc/passwd","jwk":{"kty":"oct","k":"AAAA"}})"),
      Reason::ok);
}

TEST(Keyset, PayloadIsParsedOnlyAfterTheSignature) {
  const TokenVerifier v = three_key_verifier();
  const std::string bad_payload =
      p256_key().mint(Algorithm::ES256, header("ES256", "ec-1"), R"({"exp":1,"exp":2})");
  EXPECT_EQ(check(v, bad_payload), Reason::bad_json);
  std::string forged = bad_payload;
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(check(v, forged), Reason::bad_signature);
  // An expired token with a bad signature is a bad signature.
  std::string expired = p256_key().mint(Algorithm::ES256, header("ES256", "ec-1"), R"({"exp":1})");
  EXPECT_EQ(check(v, expired), Reason::expired);
  expired[expired.size() - 2] = expired[expired.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(check(v, expired), Reason::bad_signature);
}

// ---- audience and issuer --------------------------------------------------------------------

TEST(Keyset, AudienceAndIssuerApplyToKeysetTokens) {
  VerifierConfig config;
  config.keys = {verification_key(p256_key(), "ec-1", Algorithm::ES256)};
  config.audience = "api.example.com";
  config.issuer = "acme.approov.io";
  auto created = TokenVerifier::create(config);
  ASSERT_TRUE(created) << created.error();
  const TokenVerifier& v = created.value();
  const auto token = [](std::string_view payload) {
    return p256_key().mint(Algorithm::ES256, header("ES256", "ec-1"), payload);
  };
  EXPECT_EQ(check(v, token(kPayload)), Reason::ok);
  EXPECT_EQ(
      check(v,
            token(R"({"exp":4708683205,"iss":"acme.approov.io","aud":["x","api.example.com"]})")),
      Reason::ok);
  EXPECT_EQ(check(v, token(R"({"exp":4708683205,"iss":"acme.approov.io","aud":"other"})")),
            Reason::bad_audience);
  EXPECT_EQ(check(v, token(R"({"exp":4708683205,"iss":"acme.approov.io","aud":["x"]})")),
            Reason::bad_audience);
  EXPECT_EQ(check(v, token(R"({"exp":4708683205,"iss":"acme.approov.io"})")), Reason::bad_audience);
  EXPECT_EQ(
      check(v, token(R"({"exp":4708683205,"iss":"acme.approov.io","aud":"API.example.com"})")),
      Reason::bad_audience);
  EXPECT_EQ(
      check(v, token(R"({"exp":4708683205,"iss":"other.approov.io","aud":"api.example.com"})")),
      Reason::bad_issuer);
  EXPECT_EQ(check(v, token(R"({"exp":4708683205,"aud":"api.example.com"})")), Reason::bad_issuer);
  EXPECT_EQ(
      check(v, token(R"({"exp":4708683205,"iss":["acme.approov.io"],"aud":"api.example.com"})")),
      Reason::bad_issuer);
  EXPECT_EQ(
      check(v,
            token(R"({"exp":4708683205,"iss":"acme.approov.io\u0000","aud":"api.example.com"})")),
      Reason::bad_issuer);
}

// ---- KeySet -------------------------------------------------------------------------------------

TEST(Keyset, KeySetReplacementIsSeenByVerifiers) {
  auto set = KeySet::create();
  const TokenVerifier v = verifier_with({}, /*with_secret=*/true, set);
  const std::string ec1 = p256_key().mint(Algorithm::ES256, header("ES256", "ec-1"), kPayload);
  const std::string ec2 = p256_key_2().mint(Algorithm::ES256, header("ES256", "ec-2"), kPayload);
  EXPECT_EQ(check(v, ec1), Reason::unknown_kid);
  EXPECT_EQ(set->refresh_requests(), 1U);
  EXPECT_TRUE(set->wait_for_refresh_request(std::chrono::milliseconds(0)));
  EXPECT_EQ(check(v, valid_token()), Reason::ok);  // the secret works meanwhile

  ASSERT_EQ(set->replace_from_jwks(jwks_of({jwk_of(p256_key(), "ec-1", Algorithm::ES256)})), "");
  EXPECT_EQ(set->generation(), 1U);
  EXPECT_EQ(check(v, ec1), Reason::ok);
  EXPECT_EQ(check(v, ec2), Reason::unknown_kid);

  // Rotation: ec-2 added, ec-1 removed.
  ASSERT_EQ(set->replace_from_jwks(jwks_of({jwk_of(p256_key_2(), "ec-2", Algorithm::ES256)})), "");
  EXPECT_EQ(check(v, ec2), Reason::ok);
  EXPECT_EQ(check(v, ec1), Reason::unknown_kid);

  // A bad set is refused and the current keys stay.
  const std::string message = set->replace_from_jwks(R"({"keys":[]})");
  EXPECT_NE(message, "");
  EXPECT_EQ(set->generation(), 2U);
  EXPECT_EQ(check(v, ec2), Reason::ok);
  EXPECT_NE(set->replace({}), "");
}

TEST(Keyset, RefreshRequestsCoalesce) {
  auto set = KeySet::create();
  const TokenVerifier v = verifier_with({}, false, set);
  const std::string token = p256_key().mint(Algorithm::ES256, header("ES256", "x"), kPayload);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(check(v, token), Reason::unknown_kid);
  EXPECT_EQ(set->refresh_requests(), 1U);
  EXPECT_TRUE(set->wait_for_refresh_request(std::chrono::milliseconds(10)));
  EXPECT_FALSE(set->wait_for_refresh_request(std::chrono::milliseconds(10)));
  EXPECT_EQ(check(v, token), Reason::unknown_kid);
  EXPECT_EQ(set->refresh_requests(), 2U);
}

TEST(Keyset, KeySetSwapsUnderConcurrentVerifiers) {
  auto set = KeySet::create();
  const std::string jwks1 = jwks_of({jwk_of(p256_key(), "ec-1", Algorithm::ES256)});
  const std::string jwks2 = jwks_of({jwk_of(p256_key(), "ec-1", Algorithm::ES256),
                                     jwk_of(p256_key_2(), "ec-2", Algorithm::ES256)});
  ASSERT_EQ(set->replace_from_jwks(jwks1), "");
  const TokenVerifier v = verifier_with({}, false, set);
  const std::string ec1 = p256_key().mint(Algorithm::ES256, header("ES256", "ec-1"), kPayload);
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        if (check(v, ec1) != Reason::ok) ++wrong;
      }
    });
  }
  for (int i = 0; i < 200; ++i) ASSERT_EQ(set->replace_from_jwks(i % 2 ? jwks1 : jwks2), "");
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace approov::test
