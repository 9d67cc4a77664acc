// Helpers for the keyset tests: generated keys (made once per process, RSA generation being
// slow), the RFC test vectors, and byte/base64url conversions.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "approov/approov.hpp"
#include "jwk.hpp"
#include "pkey/public_key.hpp"
#include "pkey/signing_key.hpp"
#include "test_support.hpp"

namespace approov::test {

using detail::Curve;
using detail::PublicKey;
using detail::SigningKey;

inline std::vector<std::uint8_t> bytes_of(std::string_view s) {
  return std::vector<std::uint8_t>(s.begin(), s.end());
}

inline std::vector<std::uint8_t> from_b64url(std::string_view text) {
  std::vector<std::uint8_t> out(base64::max_decoded_size(text.size()));
  const std::ptrdiff_t n = base64::decode(text, base64::Alphabet::url, base64::Padding::forbidden,
                                          out.data(), out.size());
  if (n < 0) ADD_FAILURE() << "not base64url: " << text;
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

inline std::string to_b64url(const std::vector<std::uint8_t>& bytes) {
  return base64::encode(bytes.data(), bytes.size(), base64::Alphabet::url, false);
}

/// One generated key per kind, shared by every test of the process.
inline const SigningKey& rsa_key() {
  static const SigningKey key = SigningKey::generate_rsa(2048);
  return key;
}
inline const SigningKey& rsa_key_2() {
  static const SigningKey key = SigningKey::generate_rsa(2048);
  return key;
}
inline const SigningKey& rsa_1024_key() {
  static const SigningKey key = SigningKey::generate_rsa(1024);
  return key;
}
inline const SigningKey& p256_key() {
  static const SigningKey key = SigningKey::generate_ec(Curve::p256);
  return key;
}
inline const SigningKey& p256_key_2() {
  static const SigningKey key = SigningKey::generate_ec(Curve::p256);
  return key;
}
inline const SigningKey& p384_key() {
  static const SigningKey key = SigningKey::generate_ec(Curve::p384);
  return key;
}
inline const SigningKey& p521_key() {
  static const SigningKey key = SigningKey::generate_ec(Curve::p521);
  return key;
}
inline const SigningKey& ed25519_key() {
  static const SigningKey key = SigningKey::generate_ed25519();
  return key;
}

/// The key that signs `algorithm` among the generated ones.
inline const SigningKey& key_for(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::ES256:
      return p256_key();
    case Algorithm::ES384:
      return p384_key();
    case Algorithm::ES512:
      return p521_key();
    case Algorithm::EdDSA:
      return ed25519_key();
    default:
      return rsa_key();
  }
}

inline constexpr Algorithm kAsymmetric[] = {
    Algorithm::RS256, Algorithm::RS384, Algorithm::RS512, Algorithm::PS256, Algorithm::PS384,
    Algorithm::PS512, Algorithm::ES256, Algorithm::ES384, Algorithm::ES512, Algorithm::EdDSA};

// ---- RFC test vectors ------------------------------------------------------------------------

/// RFC 7515 A.2 (RS256) and A.3 (ES256): public keys (RFC 7517 A.1 for the RSA one) and tokens.
inline constexpr std::string_view kRfc7515RsaN =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-"
    "4qPCJrcS2mJPMEzP1Pt0Bm4d4Q"
    "lL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-"
    "bSf63kpaSHSXndS5z5rexMdbBYU"
    "sLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-"
    "DWNmou"
    "dF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
inline constexpr std::string_view kRfc7515RsaE = "AQAB";
inline constexpr std::string_view kRfc7515Payload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q";
inline constexpr std::string_view kRfc7515A2Token =
    "eyJhbGciOiJSUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_"
    "O8W2Fp5jujG"
    "bds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_"
    "nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K"
    "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-"
    "eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6"
    "LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
inline constexpr std::string_view kRfc7515EcX = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
inline constexpr std::string_view kRfc7515EcY = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
inline constexpr std::string_view kRfc7515A3Token =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
/// RFC 7515 A.4 (ES512 on P-521).
inline constexpr std::string_view kRfc7515P521X =
    "AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk";
inline constexpr std::string_view kRfc7515P521Y =
    "ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2";
inline constexpr std::string_view kRfc7515A4Token =
    "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA."
    "AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_"
    "7XdtAG8GaSwF"
    "KdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn";
/// The RFC 7515 tokens' exp is 1300819380: verify them just before it.
inline constexpr std::int64_t kRfc7515Now = 1300819000;

/// RFC 8037 A.2 (public key) and A.4/A.5 (EdDSA over "Example of Ed25519 signing").
inline constexpr std::string_view kRfc8037X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
inline constexpr std::string_view kRfc8037D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
inline constexpr std::string_view kRfc8037Token =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

/// The public JWK of a generated key, with a kid and an algorithm.
inline std::string jwk_of(const SigningKey& key, std::string_view kid, Algorithm algorithm) {
  return detail::public_jwk_json(key.public_key(), kid, algorithm);
}

/// A keyset key for a generated key.
inline VerificationKey verification_key(const SigningKey& key, std::string_view kid,
                                        Algorithm algorithm) {
  auto k = key_from_jwk(jwk_of(key, kid, algorithm));
  if (!k) ADD_FAILURE() << k.error();
  return std::move(k).value();
}

/// A JWKS text from JWK texts.
inline std::string jwks_of(const std::vector<std::string>& jwks) {
  std::string out = R"({"keys":[)";
  for (std::size_t i = 0; i < jwks.size(); ++i) out += (i ? "," : "") + jwks[i];
  return out + "]}";
}

/// The signing input and decoded signature of a compact token.
struct SplitToken {
  std::string signing_input;
  std::vector<std::uint8_t> signature;
};
inline SplitToken split(std::string_view token) {
  const std::size_t dot = token.rfind('.');
  return {std::string(token.substr(0, dot)), from_b64url(token.substr(dot + 1))};
}

}  // namespace approov::test
