// docs/BEHAVIOUR.md §3, the compact JWS rules: size, shape, canonical base64url, signature,
// algorithm, JOSE header, and the order of the checks (MAC before any JSON).
#include <string>

#include "test_support.hpp"

namespace approov::test {
namespace {

TEST(Jws, ValidTokenIsAccepted) {
  EXPECT_EQ(verify_reason(valid_token()), Reason::ok);
}

// ---- size ----------------------------------------------------------------------------------

// A valid token of exactly `size` bytes: the filler claim and the header's whitespace are
// adjusted until the encoded length matches.
std::string token_of_size(std::size_t size) {
  for (int spaces = 0; spaces < 4; ++spaces) {
    const std::string header = R"({"alg":"HS256")" + std::string(spaces, ' ') + "}";
    for (std::size_t fill = 0; fill < kMaxPayloadSize; ++fill) {
      const std::string token =
          mint(header, R"({"exp":4708683205,"x":")" + std::string(fill, 'a') + "\"}");
      if (token.size() == size) return token;
      if (token.size() > size) break;
    }
  }
  ADD_FAILURE() << "no token of " << size << " bytes";
  return {};
}

TEST(Jws, TokenOfExactly8192BytesIsAccepted) {
  const std::string token = token_of_size(kMaxTokenSize);
  ASSERT_EQ(token.size(), 8192U);
  EXPECT_EQ(verify_reason(token), Reason::ok);
}

TEST(Jws, TokenOf8193BytesIsTooLong) {
  const std::string token = token_of_size(kMaxTokenSize + 1);
  ASSERT_EQ(token.size(), 8193U);
  EXPECT_EQ(verify_reason(token), Reason::token_too_long);
}

TEST(Jws, SizeIsCheckedBeforeAnyDecoding) {
  EXPECT_EQ(verify_reason(std::string(kMaxTokenSize + 1, '!')), Reason::token_too_long);
  EXPECT_EQ(verify_reason(std::string(100000, '.')), Reason::token_too_long);
}

TEST(Jws, ConfiguredSmallerLimitApplies) {
  VerifierConfig config = config_with();
  const std::string token = valid_token();
  config.max_token_size = token.size();
  auto at_limit = TokenVerifier::create(config);
  ASSERT_TRUE(at_limit) << at_limit.error();
  EXPECT_EQ(at_limit.value().verify(token, kNow).reason(), Reason::ok);
  config.max_token_size = token.size() - 1;
  auto below = TokenVerifier::create(config);
  ASSERT_TRUE(below) << below.error();
  EXPECT_EQ(below.value().verify(token, kNow).reason(), Reason::token_too_long);
}

TEST(Jws, SizeLimitAboveTheSpecMaximumIsAConfigurationError) {
  VerifierConfig config = config_with();
  config.max_token_size = kMaxTokenSize + 1;
  EXPECT_FALSE(TokenVerifier::create(config));
  config.max_token_size = 0;
  EXPECT_FALSE(TokenVerifier::create(config));
}

// ---- shape ---------------------------------------------------------------------------------

TEST(Jws, TwoSegmentsAreMalformed) {
  const std::string t = valid_token();
  EXPECT_EQ(verify_reason(t.substr(0, t.rfind('.'))), Reason::malformed);
}

TEST(Jws, FourOrFiveSegmentsAreMalformed) {
  const std::string t = valid_token();
  EXPECT_EQ(verify_reason(t + ".AAAA"), Reason::malformed);
  EXPECT_EQ(verify_reason(t + "."), Reason::malformed);
  EXPECT_EQ(verify_reason(t + ".AAAA.AAAA"), Reason::malformed);  // JWE shape
}

TEST(Jws, EmptySegmentsAreMalformed) {
  const std::string t = valid_token();
  const std::size_t d1 = t.find('.');
  const std::size_t d2 = t.rfind('.');
  const std::string h = t.substr(0, d1), p = t.substr(d1 + 1, d2 - d1 - 1), s = t.substr(d2 + 1);
  EXPECT_EQ(verify_reason("." + p + "." + s), Reason::malformed);
  EXPECT_EQ(verify_reason(h + ".." + s), Reason::malformed);
  EXPECT_EQ(verify_reason(h + "." + p + "."), Reason::malformed);
  EXPECT_EQ(verify_reason(".."), Reason::malformed);
  EXPECT_EQ(verify_reason(""), Reason::malformed);
  EXPECT_EQ(verify_reason("abc"), Reason::malformed);
}

TEST(Jws, VerifyTakesTheTokenExactlyAsGiven) {
  // Trimming is the request layer's job (docs/BEHAVIOUR.md §2); the verifier itself accepts no
  // extra byte.
  const std::string t = valid_token();
  EXPECT_EQ(verify_reason(" " + t), Reason::malformed);
  EXPECT_EQ(verify_reason(t + "\n"), Reason::malformed);
  EXPECT_EQ(verify_reason(t + '\0'), Reason::malformed);
  EXPECT_EQ(verify_reason("Bearer " + t), Reason::malformed);
  std::string with_nul = t;
  with_nul[3] = '\0';
  EXPECT_EQ(verify_reason(with_nul), Reason::malformed);
}

TEST(Jws, UnsecuredJwsWithEmptySignatureIsMalformed) {
  const std::string token =
      b64url(R"({"alg":"none"})") + "." + b64url(R"({"exp":4708683205})") + ".";
  EXPECT_EQ(verify_reason(token), Reason::malformed);
}

// ---- base64url -------------------------------------------------------------------------------

// Header and payload texts whose encodings end in a partial quantum (remainder 2 or 3).
std::string header_with_remainder(std::size_t rem) {
  std::string h(kHeader);
  while (b64url(h).size() % 4 != rem) h += ' ';
  return h;
}
std::string payload_with_remainder(std::size_t rem) {
  std::string p = R"({"exp":4708683205})";
  while (b64url(p).size() % 4 != rem) p += ' ';
  return p;
}

TEST(Jws, CanonicalSegmentsOfEveryRemainderAreAccepted) {
  for (std::size_t rh : {0U, 2U, 3U}) {
    for (std::size_t rp : {0U, 2U, 3U}) {
      const std::string t =
          sign_segments(b64url(header_with_remainder(rh)), b64url(payload_with_remainder(rp)));
      EXPECT_EQ(verify_reason(t), Reason::ok) << rh << " " << rp;
    }
  }
}

TEST(Jws, PaddingIsMalformedInEverySegment) {
  for (std::size_t rem : {2U, 3U}) {
    const std::string h = b64url(header_with_remainder(rem));
    const std::string p = b64url(payload_with_remainder(rem));
    const std::string padding(4 - rem, '=');
    EXPECT_EQ(verify_reason(sign_segments(h + padding, b64url(payload_with_remainder(0)))),
              Reason::malformed);
    EXPECT_EQ(verify_reason(sign_segments(b64url(header_with_remainder(0)), p + padding)),
              Reason::malformed);
  }
  // The signature (43 characters) padded to 44.
  EXPECT_EQ(verify_reason(valid_token() + "="), Reason::malformed);
  // Padding on a full quantum.
  EXPECT_EQ(verify_reason(sign_segments(b64url(header_with_remainder(0)) + "==",
                                        b64url(payload_with_remainder(0)))),
            Reason::malformed);
}

TEST(Jws, NonZeroTrailingBitsAreMalformedInEverySegment) {
  for (std::size_t rem : {2U, 3U}) {
    const std::string h = b64url(header_with_remainder(rem));
    const std::string p = b64url(payload_with_remainder(rem));
    const std::string full_h = b64url(header_with_remainder(0));
    const std::string full_p = b64url(payload_with_remainder(0));
    // Sanity: the canonical forms verify.
    ASSERT_EQ(verify_reason(sign_segments(h, full_p)), Reason::ok);
    ASSERT_EQ(verify_reason(sign_segments(full_h, p)), Reason::ok);
    EXPECT_EQ(verify_reason(sign_segments(noncanonical(h), full_p)), Reason::malformed) << rem;
    EXPECT_EQ(verify_reason(sign_segments(full_h, noncanonical(p))), Reason::malformed) << rem;
  }
  // Signature: 43 characters carry 2 unused bits. A lax decoder would get the same 32 bytes.
  const std::string t = valid_token();
  const std::size_t d2 = t.rfind('.');
  EXPECT_EQ(verify_reason(t.substr(0, d2 + 1) + noncanonical(t.substr(d2 + 1))), Reason::malformed);
}

TEST(Jws, CharactersOutsideTheAlphabetAreMalformed) {
  const std::string h = b64url(header_with_remainder(0));
  const std::string p = b64url(payload_with_remainder(0));
  for (char bad : {'+', '/', ' ', '\t', '=', '*', '\0', '\x80'}) {
    std::string bh = h;
    bh[4] = bad;
    EXPECT_EQ(verify_reason(sign_segments(bh, p)), Reason::malformed) << int(bad);
    std::string bp = p;
    bp[4] = bad;
    EXPECT_EQ(verify_reason(sign_segments(h, bp)), Reason::malformed) << int(bad);
  }
  // In the signature: '+' and '/' are the standard-alphabet twins of '-' and '_'.
  std::string t = valid_token();
  const std::size_t d2 = t.rfind('.');
  for (char bad : {'+', '/', ' '}) {
    std::string bt = t;
    bt[d2 + 5] = bad;
    EXPECT_EQ(verify_reason(bt), Reason::malformed) << bad;
  }
}

TEST(Jws, StandardAlphabetTwinOfAValidTokenIsMalformed) {
  // Find a token whose segments contain '-' or '_' and translate them to '+' and '/'.
  for (int i = 0; i < 200; ++i) {
    std::string t = valid_token(R"("n":)" + std::to_string(i));
    if (t.find_first_of("-_") == std::string::npos) continue;
    for (char& c : t) {
      if (c == '-') c = '+';
      if (c == '_') c = '/';
    }
    EXPECT_EQ(verify_reason(t), Reason::malformed);
    return;
  }
  FAIL() << "no token with '-' or '_' found";
}

TEST(Jws, LengthWithRemainderOneIsMalformed) {
  const std::string h = b64url(header_with_remainder(0));
  const std::string p = b64url(payload_with_remainder(0));
  EXPECT_EQ(verify_reason(sign_segments(h + "A", p)), Reason::malformed);
  EXPECT_EQ(verify_reason(sign_segments(h, p + "A")), Reason::malformed);
  // Signature of 45 characters (44 + 1).
  EXPECT_EQ(verify_reason(valid_token() + "AA"), Reason::malformed);
}

// ---- signature -------------------------------------------------------------------------------

TEST(Jws, SignatureDecodingTo31Or33BytesIsABadSignature) {
  const std::string t = valid_token();
  const std::string input = t.substr(0, t.rfind('.'));
  const Sha256Digest mac = hmac_sha256(test_key().data(), test_key().size(), input);
  const std::string mac31 = base64::encode(mac.data(), 31, base64::Alphabet::url, false);
  std::string bytes33(reinterpret_cast<const char*>(mac.data()), 32);
  bytes33 += '\0';
  const std::string mac33 = b64url(bytes33);
  ASSERT_EQ(mac31.size(), 42U);
  ASSERT_EQ(mac33.size(), 44U);
  EXPECT_EQ(verify_reason(input + "." + mac31), Reason::bad_signature);
  EXPECT_EQ(verify_reason(input + "." + mac33), Reason::bad_signature);
  EXPECT_EQ(verify_reason(input + ".AAAA"), Reason::bad_signature);  // 3 bytes
  // ... but a non-canonical encoding of a wrong length is malformed.
  EXPECT_EQ(verify_reason(input + "." + noncanonical(mac31)), Reason::malformed);
}

TEST(Jws, FlippedSignatureBitIsABadSignature) {
  const std::string t = valid_token();
  for (std::size_t pos : {t.rfind('.') + 1, t.size() - 2}) {
    std::string bad = t;
    bad[pos] = bad[pos] == 'A' ? 'B' : 'A';
    EXPECT_EQ(verify_reason(bad), Reason::bad_signature) << pos;
  }
}

TEST(Jws, ChangedPayloadIsABadSignature) {
  const std::string t = valid_token();
  const std::size_t d1 = t.find('.'), d2 = t.rfind('.');
  const std::string forged = t.substr(0, d1 + 1) + b64url(R"({"exp":9999999999})") + t.substr(d2);
  EXPECT_EQ(verify_reason(forged), Reason::bad_signature);
}

TEST(Jws, WrongSecretIsABadSignature) {
  EXPECT_EQ(verify_reason(mint(kHeader, R"({"exp":4708683205})", other_key())),
            Reason::bad_signature);
}

TEST(Jws, BadMacWinsOverExpiry) {
  const std::string expired = mint(kHeader, R"({"exp":1000})", other_key());
  EXPECT_EQ(verify_reason(expired), Reason::bad_signature);
  EXPECT_EQ(verify_reason(mint(kHeader, R"({"exp":1000})")), Reason::expired);
}

TEST(Jws, BadMacWinsOverInvalidJson) {
  // If the JSON were parsed first these would give bad_json / bad_header.
  EXPECT_EQ(verify_reason(mint(kHeader, "{not json", other_key())), Reason::bad_signature);
  EXPECT_EQ(verify_reason(mint("{not json", R"({"exp":4708683205})", other_key())),
            Reason::bad_signature);
  EXPECT_EQ(verify_reason(mint(R"({"alg":"none"})", R"({"exp":4708683205})", other_key())),
            Reason::bad_signature);
  // Same tokens with the right key: now the JSON is judged.
  EXPECT_EQ(verify_reason(mint(kHeader, "{not json")), Reason::bad_json);
  EXPECT_EQ(verify_reason(mint("{not json", R"({"exp":4708683205})")), Reason::bad_json);
}

// ---- algorithm and JOSE header -----------------------------------------------------------------

Reason verify_with_header(std::string_view header) {
  return verify_reason(mint(header, R"({"exp":4708683205})"));
}

TEST(JoseHeader, AlgMustBeExactlyHS256) {
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256"})"), Reason::ok);
  EXPECT_EQ(verify_with_header(R"({"alg":"none"})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"None"})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"hs256"})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"Hs256"})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS384"})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS512"})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"RS256"})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"ES256"})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256 "})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":" HS256"})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":""})"), Reason::bad_header);
}

TEST(JoseHeader, MissingOrNonStringAlgIsABadHeader) {
  EXPECT_EQ(verify_with_header(R"({"typ":"JWT"})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":256})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":null})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":true})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":["HS256"]})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":{"name":"HS256"}})"), Reason::bad_header);
  // A nested "alg" is not the header's alg.
  EXPECT_EQ(verify_with_header(R"({"x":{"alg":"HS256"}})"), Reason::bad_header);
}

TEST(JoseHeader, EscapedAlgIsTheSameString) {
  EXPECT_EQ(verify_with_header(R"({"\u0061lg":"HS256"})"), Reason::ok);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS\u0032\u0035\u0036"})"), Reason::ok);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS\u0032\u0035\u0035"})"), Reason::bad_header);
}

TEST(JoseHeader, CritB64EncZipAreRejected) {
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","crit":["exp"],"exp":1})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","crit":[]})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","b64":false,"crit":["b64"]})"),
            Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","b64":true})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","enc":"A128GCM"})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","zip":"DEF"})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","zip":null})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","\u0063rit":["x"]})"), Reason::bad_header);
}

TEST(JoseHeader, InformationalMembersAreIgnored) {
  // Never dereferenced: the URLs point nowhere, the key material is junk.
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","typ":"anything"})"), Reason::ok);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","typ":5})"), Reason::ok);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","cty":"JWT"})"), Reason::ok);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","jku":"http://127.0.0.1:1/jwks"})"), Reason::ok);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","x5u":"https://192.0.2.1/cert"})"), Reason::ok);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","jwk":{"kty":"oct","k":"AAAA"}})"), Reason::ok);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","x5c":["MIIB"]})"), Reason::ok);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","unknown":{"nested":[1,2,{"crit":1}]}})"),
            Reason::ok);
}

TEST(JoseHeader, KidMustBeAString) {
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","kid":"any"})"), Reason::ok);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","kid":""})"), Reason::ok);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","kid":1})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","kid":null})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","kid":["a"]})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","kid":{}})"), Reason::bad_header);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","kid":false})"), Reason::bad_header);
}

TEST(JoseHeader, HeaderMustBeAJsonObject) {
  EXPECT_EQ(verify_with_header(R"(["alg","HS256"])"), Reason::bad_json);
  EXPECT_EQ(verify_with_header(R"("HS256")"), Reason::bad_json);
  EXPECT_EQ(verify_with_header("256"), Reason::bad_json);
  EXPECT_EQ(verify_with_header("null"), Reason::bad_json);
  EXPECT_EQ(verify_with_header(" "), Reason::bad_json);
  EXPECT_EQ(verify_with_header("\xEF\xBB\xBF{\"alg\":\"HS256\"}"), Reason::bad_json);  // BOM
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256",})"), Reason::bad_json);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256"} x)"), Reason::bad_json);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","alg":"HS256"})"), Reason::bad_json);
  EXPECT_EQ(verify_with_header(R"({"alg":"HS256","\u0061lg":"none"})"), Reason::bad_json);
  EXPECT_EQ(verify_with_header(R"({'alg':'HS256'})"), Reason::bad_json);
}

TEST(JoseHeader, HeaderIsJudgedBeforeThePayload) {
  EXPECT_EQ(verify_reason(mint(R"({"alg":"none"})", "[]")), Reason::bad_header);
  EXPECT_EQ(verify_reason(mint("[]", "[]")), Reason::bad_json);
}

// ---- the JWS-level verifier --------------------------------------------------------------------

JwsVerifier jws_for(const std::vector<std::uint8_t>& key, std::size_t max_size = kMaxTokenSize) {
  auto v = JwsVerifier::create({Secret(key)}, max_size);
  EXPECT_TRUE(v) << v.error();
  return std::move(v).value();
}

TEST(JwsVerifier, ReturnsThePayloadBytesWithoutJudgingThem) {
  const JwsVerifier jws = jws_for(test_key());
  const std::string payload = "not JSON \x01\xFF at all";
  const std::string token = mint(kHeader, payload);
  char out[kMaxPayloadSize];
  std::size_t size = 99;
  std::size_t key = 99;
  ASSERT_EQ(jws.verify(token, out, size, &key), Reason::ok);
  EXPECT_EQ(std::string(out, size), payload);
  EXPECT_EQ(key, 0U);
}

TEST(JwsVerifier, AppliesTheStructuralAndHeaderRules) {
  const JwsVerifier jws = jws_for(test_key());
  char out[kMaxPayloadSize];
  std::size_t size = 0;
  EXPECT_EQ(jws.verify(mint(kHeader, "x", other_key()), out, size), Reason::bad_signature);
  EXPECT_EQ(jws.verify(mint(R"({"alg":"HS384"})", "x"), out, size), Reason::bad_header);
  EXPECT_EQ(jws.verify(mint(R"({"alg":"HS256","crit":[]})", "x"), out, size), Reason::bad_header);
  EXPECT_EQ(jws.verify(mint("{", "x"), out, size), Reason::bad_json);
  EXPECT_EQ(jws.verify("a.b", out, size), Reason::malformed);
  const std::string t = mint(kHeader, "x");
  EXPECT_EQ(jws_for(test_key(), t.size() - 1).verify(t, out, size), Reason::token_too_long);
  EXPECT_EQ(jws_for(test_key(), t.size()).verify(t, out, size), Reason::ok);
}

TEST(JwsVerifier, CopiesAndMovesKeepTheKey) {
  const JwsVerifier a = jws_for(test_key());
  JwsVerifier b(a);
  JwsVerifier c = jws_for(other_key());
  c = a;
  const JwsVerifier d(std::move(b));
  char out[kMaxPayloadSize];
  std::size_t size = 0;
  const std::string t = mint(kHeader, "x");
  EXPECT_EQ(a.verify(t, out, size), Reason::ok);
  EXPECT_EQ(c.verify(t, out, size), Reason::ok);
  EXPECT_EQ(d.verify(t, out, size), Reason::ok);
}

TEST(JwsVerifier, RefusesBadKeySets) {
  EXPECT_FALSE(JwsVerifier::create({}));
  EXPECT_FALSE(JwsVerifier::create({Secret(std::vector<std::uint8_t>(31, 1))}));
  EXPECT_FALSE(JwsVerifier::create({Secret(test_key(), std::string(kMaxKeyIdSize + 1, 'k'))}));
  EXPECT_TRUE(JwsVerifier::create({Secret(test_key(), std::string(kMaxKeyIdSize, 'k'))}));
  EXPECT_FALSE(JwsVerifier::create({Secret(test_key())}, 0));
  EXPECT_FALSE(JwsVerifier::create({Secret(test_key())}, kMaxTokenSize + 1));
}

TEST(Algorithms, NamesRoundTripCaseSensitively) {
  for (const char* name : {"HS256", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
                           "ES384", "ES512", "EdDSA"}) {
    const auto alg = algorithm_from_string(name);
    ASSERT_TRUE(alg) << name;
    EXPECT_EQ(to_string(*alg), name);
  }
  for (const char* bad : {"hs256", "none", "HS384", "EDDSA", "", "HS256 "}) {
    EXPECT_FALSE(algorithm_from_string(bad)) << bad;
  }
}

}  // namespace
}  // namespace approov::test
