// `approov-token bench`: single-thread verify throughput, like `openssl speed`, so a user can
// size a deployment on their own hardware. Performance targets live in bench/, not here.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "approov/crypto.hpp"
#include "approov/reason.hpp"
#include "approov/token_verifier.hpp"
#include "commands.hpp"

namespace approov_cli {

namespace {

// A token shaped like a real Approov one: exp, ip, did, arc, ipk (a P-256 SPKI, 124 base64
// characters) and pay, about 450 bytes.
std::string realistic_token(const approov::Secret& secret, std::int64_t now) {
  const std::string payload =
      "{\"exp\":" + std::to_string(now + 3600) +
      ".123456,\"ip\":\"203.0.113.42\",\"did\":\"hBjW4otKXIKqVya0outEFQ==\",\"arc\":"
      "\"RVRT8L6RVG\",\"ipk\":\"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEIxLZYh6EmjPnf6XW8pmLSgbQ5tLf"
      "fXwl0dIwpdmIetSe/HwXxopCMulalNo+OLVdQp34+HPtwrEvVhmsWxboCA==\",\"pay\":\"" +
      approov::pay_claim_for("Bearer example-user-session") + "\"}";
  const auto& key = secret.bytes();
  return approov::mint_hs256("{\"typ\":\"JWT\",\"alg\":\"HS256\"}", payload, key.data(),
                             key.size());
}

}  // namespace

int run_bench(const BenchOptions& options) {
  if (options.iterations == 0) {
    std::cerr << "approov-token bench: -n must be at least 1\n";
    return kExitUsage;
  }
  auto secret = resolve_secret(options.secret, /*public_fallback=*/true);
  if (!secret) {
    std::cerr << "approov-token bench: " << secret.error() << '\n';
    return kExitUsage;
  }
  if (secret.value().origin == SecretOrigin::public_test) {
    std::cerr << "approov-token bench: no secret configured; using the public Approov test "
                 "secret\n";
  }
  approov::VerifierConfig config;
  config.secrets.push_back(secret.value().secret);
  auto created = approov::TokenVerifier::create(std::move(config));
  if (!created) {
    std::cerr << "approov-token bench: " << created.error() << '\n';
    return kExitUsage;
  }
  const approov::TokenVerifier& verifier = created.value();
  const std::int64_t now = approov::unix_now();

  std::string token;
  if (options.token.empty()) {
    token = realistic_token(secret.value().secret, now);
  } else if (!read_token_argument(options.token, token)) {
    return kExitUsage;
  }

  approov::Claims claims;
  const approov::Reason first = verifier.verify(token, now, claims);
  if (first != approov::Reason::ok) {
    // Rejections cost time too (attack traffic), so time them rather than refuse.
    std::cerr << "approov-token bench: the token is invalid (" << approov::to_string(first)
              << "); timing the rejection path\n";
  }

  // A short warm-up brings the code and the claims buffer into cache.
  const std::uint64_t warmup = options.iterations / 100 + 1;
  unsigned sink = 0;
  for (std::uint64_t i = 0; i < warmup; ++i) {
    sink += static_cast<unsigned>(verifier.verify(token, now, claims));
  }
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < options.iterations; ++i) {
    sink += static_cast<unsigned>(verifier.verify(token, now, claims));
  }
  const auto stop = std::chrono::steady_clock::now();
  // Every result is folded into `sink` and checked, so the loop cannot be optimised away.
  if (sink != static_cast<unsigned>(first) * static_cast<unsigned>(warmup + options.iterations)) {
    std::cerr << "approov-token bench: verification gave different results across runs\n";
    return kExitInvalid;
  }

  const double seconds = std::chrono::duration<double>(stop - start).count();
  const double n = static_cast<double>(options.iterations);
  char line[256];
  std::snprintf(line, sizeof line,
                "HS256 verify (%zu-byte token, %s): %llu verifies in %.3f s\n"
                "%14.0f verifies/s %10.1f ns/verify  (1 thread)\n",
                token.size(), approov::to_string(first).data(),
                static_cast<unsigned long long>(options.iterations), seconds,
                seconds > 0 ? n / seconds : 0.0, seconds * 1e9 / n);
  std::cout << line;
  return kExitOk;
}

}  // namespace approov_cli
