// Reading keys: JWK and JWKS (strict: any problem refuses the whole set, with a message naming
// the key and the problem), PEM with a kid and an algorithm beside it, key files, and the public
// JWK written back.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "keyset_support.hpp"

namespace approov::test {
namespace {

// A valid JWK of each kind, as JSON text, to be broken member by member.
std::string rsa_jwk() {
  return jwk_of(rsa_key(), "rsa-1", Algorithm::RS256);
}
std::string ec_jwk() {
  return jwk_of(p256_key(), "ec-1", Algorithm::ES256);
}
std::string ed_jwk() {
  return jwk_of(ed25519_key(), "ed-1", Algorithm::EdDSA);
}
// A 32-byte oct key (its bytes: "approov-cpp unit test secret 32B").
const std::string kOctK = "YXBwcm9vdi1jcHAgdW5pdCB0ZXN0IHNlY3JldCAzMkI";
std::string oct_jwk() {
  return R"({"kty":"oct","kid":"hs-1","alg":"HS256","k":")" + kOctK + "\"}";
}

// Replaces the first `"member":value` of a JWK text (the value up to the next ',' or '}').
std::string with_member(std::string jwk, const std::string& member, const std::string& value) {
  const std::string key = "\"" + member + "\":";
  const std::size_t at = jwk.find(key);
  if (at == std::string::npos) {
    jwk.insert(jwk.size() - 1, "," + key + value);
    return jwk;
  }
  const std::size_t start = at + key.size();
  std::size_t end = start;
  if (jwk[start] == '"') {
    end = jwk.find('"', start + 1) + 1;
  } else {
    end = jwk.find_first_of(",}", start);
  }
  return jwk.substr(0, start) + value + jwk.substr(end);
}

std::string without_member(std::string jwk, const std::string& member) {
  const std::string key = "\"" + member + "\":";
  std::size_t at = jwk.find(key);
  if (at == std::string::npos) return jwk;
  std::size_t end = at + key.size();
  end = jwk[end] == '"' ? jwk.find('"', end + 1) + 1 : jwk.find_first_of(",}", end);
  if (jwk[at - 1] == ',') {
    --at;  // drop the comma before it
  } else if (jwk[end] == ',') {
    ++end;  // the first member: drop the comma after it
  }
  return jwk.substr(0, at) + jwk.substr(end);
}

// The message refusing a JWKS made of `jwks` (or "" if it is accepted).
std::string jwks_error(const std::vector<std::string>& jwks) {
  auto keys = keys_from_jwks(jwks_of(jwks));
  return keys ? std::string() : keys.error();
}

std::string jwks_text_error(const std::string& text) {
  auto keys = keys_from_jwks(text);
  return keys ? std::string() : keys.error();
}

TEST(Jwk, ValidKeysOfEveryKindAreRead) {
  auto keys = keys_from_jwks(jwks_of({rsa_jwk(), ec_jwk(), ed_jwk(), oct_jwk(),
                                      jwk_of(p384_key(), "ec-384", Algorithm::ES384),
                                      jwk_of(p521_key(), "ec-521", Algorithm::ES512),
                                      jwk_of(rsa_key(), "pss", Algorithm::PS512)}));
  ASSERT_TRUE(keys) << keys.error();
  ASSERT_EQ(keys.value().size(), 7U);
  EXPECT_EQ(keys.value()[0].description(), "RSA 2048-bit");
  EXPECT_EQ(keys.value()[1].algorithm(), Algorithm::ES256);
  EXPECT_EQ(keys.value()[2].description(), "Ed25519");
  EXPECT_EQ(keys.value()[3].description(), "HS256 secret");
  EXPECT_EQ(keys.value()[3].public_jwk(), "");  // a secret is never written out
  EXPECT_EQ(keys.value()[5].key_id(), "ec-521");
  // The public JWK written back reads as the same key.
  EXPECT_EQ(keys.value()[1].public_jwk(), ec_jwk());
  // Members that do not matter are ignored (never dereferenced).
  EXPECT_EQ(jwks_error({with_member(ec_jwk(), "x5u", R"("https://evil.example/cert")")}), "");
  EXPECT_EQ(jwks_error({with_member(ec_jwk(), "use", R"("sig")")}), "");
  EXPECT_EQ(jwks_error({with_member(ec_jwk(), "key_ops", R"(["verify"])")}), "");
  // Members in escaped form are the same members.
  EXPECT_EQ(jwks_error({R"({"\u006bty":"oct","kid":"hs-1","alg":"HS256","k":")" + kOctK + "\"}"}),
            "");
}

TEST(Jwk, EveryProblemRefusesTheWholeSetNamingTheKey) {
  const std::string ec = ec_jwk();
  const std::string rsa = rsa_jwk();
  const std::string ed = ed_jwk();
  const std::string oct = oct_jwk();
  const auto x = p256_key().public_key().components().x;
  const std::string short_x = to_b64url(std::vector<std::uint8_t>(x.begin() + 1, x.end()));
  const std::string prefix = "the JWKS: key #2";
  const struct {
    std::string jwk;
    std::string message;  // after "the JWKS: key #2 (kid ...): "
  } cases[] = {
      // kty / crv / alg support and fit
      {with_member(ec, "kty", R"("foo")"),
       R"(unsupported kty "foo" (RSA, EC, OKP or oct expected))"},
      {without_member(ec, "kty"), R"(has no "kty")"},
      {with_member(ec, "crv", R"("secp256k1")"),
       R"(unsupported crv "secp256k1" (P-256, P-384 or P-521 expected))"},
      {with_member(ed, "crv", R"("X25519")"), R"(unsupported crv "X25519" (Ed25519 expected))"},
      {with_member(ed, "crv", R"("Ed448")"), R"(unsupported crv "Ed448" (Ed25519 expected))"},
      {with_member(ec, "alg", R"("none")"),
       R"(unsupported alg "none" (RS256/384/512, PS256/384/512, ES256/384/512, EdDSA or HS256 expected))"},
      {with_member(rsa, "alg", R"("RSA-OAEP")"),
       R"(unsupported alg "RSA-OAEP" (RS256/384/512, PS256/384/512, ES256/384/512, EdDSA or HS256 expected))"},
      {with_member(oct, "alg", R"("HS512")"),
       R"(unsupported alg "HS512" (RS256/384/512, PS256/384/512, ES256/384/512, EdDSA or HS256 expected))"},
      {with_member(ec, "alg", R"("ES384")"), "alg ES384 does not fit an EC P-256 key"},
      {with_member(ec, "alg", R"("RS256")"), "alg RS256 does not fit an EC P-256 key"},
      {with_member(rsa, "alg", R"("EdDSA")"), "alg EdDSA does not fit an RSA 2048-bit key"},
      {with_member(rsa, "alg", R"("HS256")"), "alg HS256 does not fit an RSA 2048-bit key"},
      {with_member(oct, "alg", R"("RS256")"), "alg RS256 does not fit an oct key"},
      {without_member(ec, "alg"),
       R"(has no "alg" (give the algorithm beside the key, e.g. --alg))"},
      {with_member(ec, "alg", "256"), R"("alg" is not a string)"},
      // use, key_ops, kid
      {with_member(ec, "use", R"("enc")"), R"("use" is "enc", not "sig")"},
      {with_member(ec, "use", "null"), R"("use" is not a string)"},
      {with_member(ec, "key_ops", R"(["encrypt"])"),
       R"("key_ops" is not an array that contains "verify")"},
      {with_member(ec, "key_ops", R"("verify")"),
       R"("key_ops" is not an array that contains "verify")"},
      {without_member(ec, "kid"), R"(has no "kid")"},
      {with_member(ec, "kid", R"("")"), "the key id is empty"},
      {with_member(ec, "kid", "\"" + std::string(129, 'k') + "\""),
       "the key id is longer than 128 bytes"},
      // private members, k in an asymmetric key
      {with_member(ec, "d", R"("AAAA")"),
       R"(has the private member "d": a verifier takes public keys only (publish the public JWK))"},
      {with_member(rsa, "p", R"("AAAA")"),
       R"(has the private member "p": a verifier takes public keys only (publish the public JWK))"},
      {with_member(rsa, "qi", R"("AAAA")"),
       R"(has the private member "qi": a verifier takes public keys only (publish the public JWK))"},
      {with_member(ed, "d", R"("AAAA")"),
       R"(has the private member "d": a verifier takes public keys only (publish the public JWK))"},
      {with_member(ec, "k", R"("AAAA")"), R"(has a "k" member, which only oct keys have)"},
      // base64url members
      {with_member(ec, "x", "\"" + noncanonical(to_b64url(x)) + "\""),
       R"("x" is not canonical unpadded base64url)"},
      {with_member(ec, "x", "\"" + to_b64url(x) + "=\""),
       R"("x" is not canonical unpadded base64url)"},
      {with_member(ec, "x", "\"+" + to_b64url(x).substr(1) + "\""),
       R"("x" is not canonical unpadded base64url)"},
      {with_member(ec, "x", R"("")"), R"("x" is not canonical unpadded base64url)"},
      {with_member(ec, "x", "\"" + short_x + "\""),
       "EC coordinates are not of the curve's full size"},
      {without_member(ec, "y"), R"(has no "y")"},
      {with_member(rsa, "n", R"("AQAB")"), "RSA modulus shorter than 2048 bits"},
      {with_member(rsa, "e", R"("AAEAAQ")"), "RSA exponent has leading zero octets"},
      {with_member(ed, "x", R"("AAAA")"), "Ed25519 key is not 32 bytes"},
      // oct keys
      {with_member(oct, "k", R"("YXBwcm9vdi1jcHAgdW5pdCB0ZXN0IHNlY3JldCAz")"),
       R"(the oct key "k" is 30 bytes long; at least 32 are required)"},
      {without_member(oct, "k"), R"(has no "k")"},
  };
  for (const auto& c : cases) {
    const std::string error = jwks_error({ed, c.jwk, rsa});
    ASSERT_EQ(error.rfind(prefix, 0), 0U) << "[" << error << "] for " << c.jwk;
    const std::size_t colon = error.find("): ");
    const std::string problem =
        colon == std::string::npos ? error.substr(prefix.size() + 2) : error.substr(colon + 3);
    EXPECT_EQ(problem, c.message) << c.jwk;
    // The secret is never part of a message.
    EXPECT_EQ(error.find(kOctK.substr(0, 12)), std::string::npos) << error;
  }
}

TEST(Jwk, KidThatIsNotAStringIsRefused) {
  EXPECT_EQ(jwks_error({ec_jwk(), with_member(ed_jwk(), "kid", "7")}),
            R"(the JWKS: key #2: "kid" is not a string)");
  EXPECT_EQ(jwks_error({ec_jwk(), with_member(ed_jwk(), "kid", R"(["ed-1"])")}),
            R"(the JWKS: key #2: "kid" is not a string)");
}

TEST(Jwk, DocumentProblems) {
  EXPECT_EQ(jwks_text_error(R"({"keys":[]})"), R"(the JWKS: "keys" is empty)");
  EXPECT_EQ(jwks_text_error(R"({"keys":{}})"), R"(the JWKS: "keys" is not an array)");
  EXPECT_EQ(jwks_text_error(R"({"key":[]})"), R"(the JWKS: has no "keys" member)");
  EXPECT_EQ(jwks_text_error(R"({"keys":[1]})"), "the JWKS: key #1 is not a JSON object");
  EXPECT_EQ(jwks_text_error("[" + ec_jwk() + "]"),
            "the JWKS: is not a strict JSON object (not a JSON object at byte 0)");
  EXPECT_EQ(jwks_text_error(R"({"keys":[],"keys":[]})"),
            "the JWKS: is not a strict JSON object (duplicate member name at byte 11)");
  EXPECT_EQ(jwks_text_error(jwks_of({ec_jwk()}) + ","),
            "the JWKS: is not a strict JSON object (not JSON (RFC 8259 grammar) at byte " +
                std::to_string(jwks_of({ec_jwk()}).size()) + ")");
  // A duplicate member inside one key.
  std::string twice = ec_jwk();
  twice.insert(1, R"("kid":"a",)");
  EXPECT_NE(jwks_text_error(jwks_of({twice})).find("duplicate member name"), std::string::npos);
  EXPECT_NE(jwks_text_error("\xEF\xBB\xBF" + jwks_of({ec_jwk()})), "");  // BOM
  // Big documents are read (beyond the 8 KiB of the token reader) up to the limit.
  std::vector<std::string> many;
  for (int i = 0; i < 40; ++i)
    many.push_back(jwk_of(rsa_key(), "rsa-" + std::to_string(i), Algorithm::RS256));
  EXPECT_GT(jwks_of(many).size(), 8192U);
  EXPECT_EQ(jwks_error(many), "");
  EXPECT_NE(jwks_text_error(std::string(kMaxJwksSize + 1, ' ')).find("larger than"),
            std::string::npos);
}

TEST(Jwk, SingleJwkTakesTheAlgorithmFromBesideIt) {
  const std::string no_alg = without_member(ec_jwk(), "alg");
  auto given = key_from_jwk(no_alg, Algorithm::ES256);
  ASSERT_TRUE(given) << given.error();
  EXPECT_EQ(given.value().algorithm(), Algorithm::ES256);
  auto none = key_from_jwk(no_alg);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error(),
            R"(the JWK: has no "alg" (give the algorithm beside the key, e.g. --alg))");
  auto disagree = key_from_jwk(ec_jwk(), Algorithm::ES384);
  ASSERT_FALSE(disagree);
  EXPECT_EQ(disagree.error(), "the JWK: has alg ES256 but ES384 was configured for it");
}

TEST(Jwk, PemKeysNeedAKidThatFits) {
  auto ok = key_from_pem(p256_key().public_pem(), "ec-1", Algorithm::ES256, "APPROOV_PEM");
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok.value().public_jwk(), ec_jwk());
  auto no_kid = key_from_pem(p256_key().public_pem(), "", Algorithm::ES256, "APPROOV_PEM");
  ASSERT_FALSE(no_kid);
  EXPECT_EQ(no_kid.error(), "APPROOV_PEM: the key id is empty");
  auto wrong = key_from_pem(rsa_key().public_pem(), "r", Algorithm::ES256, "APPROOV_PEM");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error(), "APPROOV_PEM: alg ES256 does not fit an RSA 2048-bit key");
  auto priv = key_from_pem(rsa_key().private_pem(), "r", Algorithm::RS256, "APPROOV_PEM");
  ASSERT_FALSE(priv);
  EXPECT_EQ(priv.error().rfind("APPROOV_PEM: a private key", 0), 0U) << priv.error();
}

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/approov-keyset-XXXXXX";
    const int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    path_ = name;
    std::ofstream(path_, std::ios::binary) << text;
    close(fd);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Jwk, KeyFilesOfEveryForm) {
  const TempFile jwks(jwks_of({ec_jwk(), rsa_jwk()}));
  auto from_jwks = keys_from_file(jwks.path());
  ASSERT_TRUE(from_jwks) << from_jwks.error();
  EXPECT_EQ(from_jwks.value().size(), 2U);
  EXPECT_FALSE(keys_from_file(jwks.path(), std::nullopt, Algorithm::ES256));
  EXPECT_FALSE(keys_from_file(jwks.path(), std::string("k"), std::nullopt));

  const TempFile jwk(without_member(ec_jwk(), "alg"));
  auto from_jwk = keys_from_file(jwk.path(), std::nullopt, Algorithm::ES256);
  ASSERT_TRUE(from_jwk) << from_jwk.error();
  EXPECT_EQ(from_jwk.value()[0].key_id(), "ec-1");

  // A JWK whose kid is "keys" is still a JWK.
  const TempFile named_keys(with_member(ec_jwk(), "kid", R"("keys")"));
  auto from_named = keys_from_file(named_keys.path());
  ASSERT_TRUE(from_named) << from_named.error();
  EXPECT_EQ(from_named.value()[0].key_id(), "keys");

  const TempFile pem(rsa_key().public_pem());
  auto from_pem = keys_from_file(pem.path(), std::string("rsa-1"), Algorithm::PS256);
  ASSERT_TRUE(from_pem) << from_pem.error();
  EXPECT_EQ(from_pem.value()[0].algorithm(), Algorithm::PS256);
  auto bare = keys_from_file(pem.path());
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error(), "key file " + pem.path() +
                              ": a PEM key needs a key id and an algorithm given beside it");
  auto missing = keys_from_file("/nonexistent/keys.json");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), "key file /nonexistent/keys.json: cannot open the file");
  const TempFile bad(
      jwks_of({oct_jwk(), with_member(oct_jwk(), "kid", R"("hs-2")").substr(0, 20)}));
  auto broken = keys_from_file(bad.path());
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().find(kOctK.substr(0, 12)), std::string::npos) << broken.error();
}

}  // namespace
}  // namespace approov::test
