// Runs one message-signing case N times in a fresh process, for instruction counting:
//
//   approov-signing-loop check|floor get|post N
//
// `check` runs RequestCheck (token + signature) on the signed request, `floor` one bare
// OpenSSL ECDSA P-256 verification of the same signature base (signing_cases.hpp).
// bench/callgrind-signing.sh runs it under callgrind with two values of N and divides the
// difference by the difference in N, which cancels the start-up cost (key generation,
// signing, the first parse of the ipk). On stderr it prints the heap allocations of the N
// iterations, the project's own (operator new) and OpenSSL's apart. Exits 1 if an iteration
// gave an unexpected result.
#include <openssl/crypto.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "counting_allocator.hpp"
#include "openssl_allocations.hpp"
#include "signing_cases.hpp"

namespace {

int usage() {
  std::fprintf(stderr, "usage: approov-signing-loop check|floor get|post N\n");
  return 2;
}

template <class Op>
[[gnu::noinline]] long run_loop(const Op& op, long n) {
  long unexpected = 0;
  for (long i = 0; i < n; ++i) {
    if (!op()) ++unexpected;
  }
  return unexpected;
}

}  // namespace

int main(int argc, char** argv) {
  (void)approov::testing::count_openssl_allocations();
  if (argc != 4) return usage();
  const std::string_view what = argv[1];
  const std::string_view name = argv[2];
  char* end = nullptr;
  const long n = std::strtol(argv[3], &end, 10);
  if (*end != '\0' || n < 0 || (what != "check" && what != "floor") ||
      (name != "get" && name != "post")) {
    return usage();
  }
  const approov::bench::SignedRequest request(name);
  const approov::bench::EcdsaFloor floor(request);
  const unsigned long long own_before = approov::testing::heap_allocations();
  const unsigned long long ssl_before = approov::testing::openssl_allocations();
  const long unexpected = what == "check"
                              ? run_loop([&] { return request.run() == approov::Reason::ok; }, n)
                              : run_loop([&] { return floor.run(); }, n);
  std::fprintf(stderr, "allocations: own %llu openssl %llu\n",
               static_cast<unsigned long long>(approov::testing::heap_allocations() - own_before),
               approov::testing::openssl_allocations() - ssl_before);
  if (unexpected != 0) {
    std::fprintf(stderr, "%ld of %ld iterations gave an unexpected result\n", unexpected, n);
    return 1;
  }
  return 0;
}
