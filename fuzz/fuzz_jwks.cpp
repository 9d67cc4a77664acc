// Fuzz target for the keyset readers and the header-first verify path: the input is read as a
// JWKS (approov::keys_from_jwks), as one JWK (key_from_jwk, with and without an algorithm given
// beside it) and as a PEM public key; and verified as a token by a verifier with a keyset
// (the RFC 7515 A.3 P-256 key and an HS256 secret beside it), which reads the header before
// the signature. Checks, besides the absence of crashes and sanitizer reports:
//  - a JWKS that is accepted has at least one key, distinct kids, and its keys written back as
//    public JWKs (`public_jwk`) read again to keys with the same kids and algorithms;
//  - a refusal always comes with a message; the same input gives the same outcome twice.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "approov/approov.hpp"

namespace {

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz_jwks: invariant broken: %s\n", what);
  std::abort();
}

const approov::TokenVerifier& keyset_verifier() {
  static const approov::TokenVerifier verifier = [] {
    approov::VerifierConfig config;
    auto key = approov::key_from_jwk(
        R"({"kty":"EC","crv":"P-256","kid":"ec-1","alg":"ES256",)"
        R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})");
    require(key.ok(), "the fixed key reads");
    config.keys.push_back(key.value());
    config.secrets.emplace_back(std::vector<std::uint8_t>(32, 0x42), "hs-1");
    auto v = approov::TokenVerifier::create(config);
    require(v.ok(), "the fixed verifier builds");
    return std::move(v).value();
  }();
  return verifier;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto jwks = approov::keys_from_jwks(text);
  auto again = approov::keys_from_jwks(text);
  require(jwks.ok() == again.ok(), "a JWKS reads the same way twice");
  if (jwks) {
    const auto& keys = jwks.value();
    require(!keys.empty(), "an accepted JWKS has keys");
    std::string reprinted = "{\"keys\":[";
    bool secrets = false;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        require(keys[i].key_id() != keys[j].key_id(), "kids are distinct");
      }
      const std::string jwk = keys[i].public_jwk();
      if (jwk.empty()) {
        secrets = true;  // an oct key is never written out
        continue;
      }
      reprinted += (reprinted.back() == '[' ? "" : ",") + jwk;
    }
    reprinted += "]}";
    if (!secrets) {
      auto reread = approov::keys_from_jwks(reprinted);
      require(reread.ok(), "written-back keys read again");
      require(reread.value().size() == keys.size(), "same number of keys");
      for (std::size_t i = 0; i < keys.size(); ++i) {
        require(reread.value()[i].key_id() == keys[i].key_id(), "same kid");
        require(reread.value()[i].algorithm() == keys[i].algorithm(), "same algorithm");
        require(reread.value()[i].public_jwk() == keys[i].public_jwk(), "same key");
      }
    }
  } else {
    require(!jwks.error().empty(), "a refusal has a message");
  }

  auto jwk = approov::key_from_jwk(text);
  require(jwk.ok() || !jwk.error().empty(), "a refusal has a message");
  auto jwk_es256 = approov::key_from_jwk(text, approov::Algorithm::ES256);
  require(jwk_es256.ok() || !jwk_es256.error().empty(), "a refusal has a message");
  auto pem = approov::key_from_pem(text, "k", approov::Algorithm::RS256);
  require(pem.ok() || !pem.error().empty(), "a refusal has a message");

  approov::Claims claims;
  const approov::Reason first = keyset_verifier().verify(text, 1300819000, claims);
  require(keyset_verifier().verify(text, 1300819000, claims) == first, "verify is deterministic");
  return 0;
}
