// Private keys that sign JWS tokens: for the CLI (`approov-token gen --key`, `jwks --key`),
// the tests and the benchmarks. NOT part of the library: a verifier never holds a private key,
// so this lives in its own target (approov_signing) that libapproov does not link.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "approov/config.hpp"
#include "approov/jws.hpp"
#include "pkey/public_key.hpp"

struct evp_pkey_st;

namespace approov::detail {

class SigningKey {
 public:
  /// A fresh key (tests, examples): RSA of `bits` bits (any size, even ones a verifier refuses),
  /// EC on `curve`, or Ed25519. Throws std::runtime_error if OpenSSL fails.
  [[nodiscard]] static SigningKey generate_rsa(std::size_t bits);
  [[nodiscard]] static SigningKey generate_ec(Curve curve);
  [[nodiscard]] static SigningKey generate_ed25519();

  /// A private key in PEM (PKCS#8 `PRIVATE KEY`, or the traditional `RSA PRIVATE KEY` /
  /// `EC PRIVATE KEY`; not encrypted). RSA, EC P-256/P-384/P-521 or Ed25519.
  [[nodiscard]] static Configured<SigningKey> from_pem(std::string_view text);
  /// A private JWK (RFC 7517/7518/8037): RSA with n, e, d, p, q, dp, dq, qi; EC with crv, x, y,
  /// d; OKP Ed25519 with x, d. Read with the library's strict JSON rules.
  [[nodiscard]] static Configured<SigningKey> from_jwk(std::string_view json);
  /// PEM or JWK, told apart by the first non-space character ('{' is JWK).
  [[nodiscard]] static Configured<SigningKey> from_text(std::string_view text);

  /// The public half, as the verifier would parse it (through its SPKI reader).
  [[nodiscard]] PublicKey public_key() const;
  /// The public half as OpenSSL encodes it (SubjectPublicKeyInfo DER), even for keys the
  /// verifier would refuse (tests of those refusals).
  [[nodiscard]] std::vector<std::uint8_t> public_spki_der() const;
  [[nodiscard]] bool fits(Algorithm algorithm) const noexcept;
  /// The algorithm a key of this type is used with when none is given: RS256, ES256/384/512
  /// by curve, EdDSA.
  [[nodiscard]] Algorithm default_algorithm() const noexcept;

  /// The JWS signature of `message` (the JOSE form: r||s for ECDSA). PS*: salt as long as the
  /// hash. Throws std::runtime_error if the key does not fit `algorithm`.
  [[nodiscard]] std::vector<std::uint8_t> sign(Algorithm algorithm, std::string_view message) const;
  /// PS* with another salt length (tests of the salt rule).
  [[nodiscard]] std::vector<std::uint8_t> sign_pss_with_salt(Algorithm algorithm,
                                                             std::string_view message,
                                                             int salt_length) const;
  /// A compact JWS over the given header and payload JSON (used byte for byte).
  [[nodiscard]] std::string mint(Algorithm algorithm, std::string_view header_json,
                                 std::string_view payload_json) const;

  /// PKCS#8 private key PEM, and SubjectPublicKeyInfo public key PEM.
  [[nodiscard]] std::string private_pem() const;
  [[nodiscard]] std::string public_pem() const;

 private:
  explicit SigningKey(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)) {}
  std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace approov::detail
