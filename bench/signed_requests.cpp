// approov-signed-requests: writes N complete HTTP requests, each with its own RFC 9421
// installation signature (a device key made here, its ipk in a token minted with
// APPROOV_BASE64_SECRET), for wrk to send each exactly once (bench/replay.lua). A benchmark
// of replay protection needs that: wrk repeating one signed request measures nothing but
// `replayed_signature` refusals.
//
//   approov-signed-requests N HOST:PORT OUTPUT
//
// Requests are `GET /` with Host HOST:PORT, signed over the SDK's components, created now and
// expiring in 300 s, separated in OUTPUT by a NUL byte. Benchmark tool: holds a private key.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "approov/base64.hpp"
#include "approov/config.hpp"
#include "approov/crypto.hpp"
#include "approov/token_verifier.hpp"
#include "pkey/signing_key.hpp"
#include "signing/request_signer.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s N HOST:PORT OUTPUT\n", argv[0]);
    return 2;
  }
  const long n = std::strtol(argv[1], nullptr, 10);
  const std::string authority = argv[2];
  auto secret = approov::secret_from_environment();
  if (n <= 0 || !secret) {
    std::fprintf(stderr, "%s: need N > 0 and APPROOV_BASE64_SECRET\n", argv[0]);
    return 2;
  }
  const auto key = approov::detail::SigningKey::generate_ec(approov::detail::Curve::p256);
  const auto der = key.public_spki_der();
  const std::string ipk =
      approov::base64::encode(der.data(), der.size(), approov::base64::Alphabet::standard, true);
  const std::int64_t now = approov::unix_now();
  const std::string token =
      approov::mint_hs256(R"({"typ":"JWT","alg":"HS256"})",
                          "{\"exp\":" + std::to_string(now + 3600) + ",\"ipk\":\"" + ipk + "\"}",
                          secret.value().bytes().data(), secret.value().bytes().size());

  approov::BasicRequest request;
  request.set_method("GET").set_scheme("http").set_authority(authority).set_target("/");
  request.add("Host", authority).add("Approov-Token", token);
  approov::signing::SignOptions options;
  options.components = approov::signing::sdk_components(request, "Approov-Token");
  options.created = now;
  options.expires = now + 300;

  std::FILE* out = std::fopen(argv[3], "wb");
  if (out == nullptr) {
    std::perror(argv[3]);
    return 1;
  }
  const std::string head = "GET / HTTP/1.1\r\nHost: " + authority + "\r\nApproov-Token: " + token;
  for (long i = 0; i < n; ++i) {
    // ECDSA signatures are randomised: every one differs, over the same request.
    auto h = approov::signing::sign_request(request, {}, options, &key, nullptr);
    if (!h) {
      std::fprintf(stderr, "%s: %s\n", argv[0], h.error().c_str());
      return 1;
    }
    std::fprintf(out, "%s\r\nSignature-Input: %s\r\nSignature: %s\r\n\r\n%c", head.c_str(),
                 h.value().signature_input.c_str(), h.value().signature.c_str(), '\0');
  }
  return std::fclose(out) == 0 ? 0 : 1;
}
