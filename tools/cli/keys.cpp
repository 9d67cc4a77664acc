// The CLI's asymmetric keys: `gen --key` (mint a token with a private key) and `jwks --key`
// (print the public JWKS of a key), so that a keyset flow can be tried end to end locally.
// Private keys are read here only; the library's verifier never holds one.
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>

#include "approov/keyset.hpp"
#include "approov/request_check.hpp"
#include "approov/token_verifier.hpp"
#include "commands.hpp"
#include "jwk.hpp"
#include "pkey/signing_key.hpp"

namespace approov_cli {

namespace {

using approov::detail::SigningKey;

struct LoadedKey {
  std::optional<SigningKey> key;  // absent when the file holds a public key (jwks only)
  approov::Algorithm algorithm;
  approov::VerificationKey public_key;
};

// The usual algorithm of a public key: RS256 for RSA, ES256/384/512 by curve, EdDSA.
approov::Algorithm default_algorithm(const approov::detail::PublicKey& key) {
  using approov::detail::Curve;
  using approov::detail::KeyType;
  if (key.type() == KeyType::ed25519) return approov::Algorithm::EdDSA;
  if (key.type() == KeyType::rsa) return approov::Algorithm::RS256;
  if (key.curve() == Curve::p384) return approov::Algorithm::ES384;
  if (key.curve() == Curve::p521) return approov::Algorithm::ES512;
  return approov::Algorithm::ES256;
}

// Reads the private key of `path`, picks the algorithm (--alg or the key's usual one) and makes
// the public key the verifier would configure for it, applying the verifier's rules (RSA of at
// least 2048 bits, the algorithm fitting the key): what they refuse is refused here.
approov::Configured<LoadedKey> load_key(const std::string& command, const std::string& path,
                                        const std::string& kid,
                                        const std::optional<std::string>& alg, bool public_ok) {
  using Result = approov::Configured<LoadedKey>;
  using approov::detail::PublicKey;
  const std::string where = "--key " + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Result::failure(where + ": cannot open the file");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > approov::kMaxJwksSize)
    return Result::failure(where + ": the file is too large");
  if (const std::string why = approov::detail::check_key_id(kid); !why.empty()) {
    return Result::failure("--kid: " + why);
  }
  std::optional<approov::Algorithm> named;
  if (alg) {
    named = approov::algorithm_from_string(*alg);
    if (!named) {
      return Result::failure("--alg " + *alg +
                             ": not one of RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 "
                             "EdDSA");
    }
    if (*named == approov::Algorithm::HS256) {
      return Result::failure("--alg HS256 signs with a secret, not a key: use " + command +
                             " without --key");
    }
  }
  // The public half through the verifier's own readers: their refusals are ours.
  std::optional<SigningKey> key;
  approov::detail::KeyResult parsed = approov::detail::KeyResult::failure("no key");
  auto private_key = SigningKey::from_text(text);
  if (private_key) {
    key = std::move(private_key).value();
    const std::vector<std::uint8_t> der = key->public_spki_der();
    parsed = PublicKey::from_spki_der(der.data(), der.size());
  } else if (public_ok && text.find("PUBLIC KEY") != std::string::npos) {
    parsed = PublicKey::from_pem(text);
  } else if (public_ok && text.find('{') != std::string::npos) {
    auto jwk = approov::key_from_jwk(text, named, where);
    if (!jwk) return Result::failure(jwk.error());
    if (jwk.value().public_jwk().empty())
      return Result::failure(where + ": an oct key is a secret");
    return LoadedKey{std::nullopt, jwk.value().algorithm(), std::move(jwk).value()};
  } else {
    return Result::failure(where + ": " + private_key.error());
  }
  if (!parsed) {
    return Result::failure(where + ": " + parsed.problem() + " (a verifier would refuse the key)");
  }
  const approov::Algorithm algorithm = named ? *named : default_algorithm(parsed.value());
  if (!parsed->fits(algorithm)) {
    return Result::failure("--alg " + std::string(approov::to_string(algorithm)) +
                           " does not fit the " + std::string(parsed->description()) + " key");
  }
  auto verification = approov::key_from_jwk(
      approov::detail::public_jwk_json(parsed.value(), kid, algorithm), std::nullopt, where);
  if (!verification) return Result::failure(verification.error());
  return LoadedKey{std::move(key), algorithm, std::move(verification).value()};
}

}  // namespace

int mint_with_key(const GenOptions& options, const std::string& payload,
                  const std::optional<std::string>& bind) {
  const auto usage = [](const std::string& message) {
    std::cerr << "approov-token gen: " << message << '\n';
    return kExitUsage;
  };
  if (!options.kid) return usage("--key needs --kid KID (keyset tokens name their key)");
  auto loaded = load_key("gen", options.key, *options.kid, options.alg, /*public_ok=*/false);
  if (!loaded) return usage(loaded.error());
  const LoadedKey& k = loaded.value();
  const std::string header = "{\"typ\":\"JWT\",\"alg\":\"" +
                             std::string(approov::to_string(k.algorithm)) +
                             "\",\"kid\":" + approov::detail::json_quote(*options.kid) + "}";
  std::string token;
  try {
    token = k.key->mint(k.algorithm, header, payload);
  } catch (const std::exception& e) {
    return usage(std::string("cannot sign: ") + e.what());
  }
  // As for HS256: only what verify accepts, apart from the time rules.
  approov::VerifierConfig config;
  config.keys.push_back(k.public_key);
  auto verifier = approov::TokenVerifier::create(std::move(config));
  if (!verifier) return usage(verifier.error());
  approov::Claims claims;
  approov::Reason reason = verifier.value().verify(token, approov::kMaxExp, claims);
  if (reason == approov::Reason::ok && bind) reason = approov::check_binding_value(claims, *bind);
  if (reason != approov::Reason::ok && reason != approov::Reason::expired &&
      reason != approov::Reason::not_yet_valid && reason != approov::Reason::iat_future) {
    return usage("the token would be rejected by verify as " +
                 std::string(approov::to_string(reason)) + " (" +
                 std::string(approov::describe(reason)) + ")");
  }
  std::cout << token << '\n';
  return kExitOk;
}

int run_jwks(const JwksOptions& options) {
  auto loaded = load_key("jwks", options.key, options.kid, options.alg, /*public_ok=*/true);
  if (!loaded) {
    std::cerr << "approov-token jwks: " << loaded.error() << '\n';
    return kExitUsage;
  }
  std::cout << "{\"keys\":[" << loaded.value().public_key.public_jwk() << "]}\n";
  return kExitOk;
}

}  // namespace approov_cli
