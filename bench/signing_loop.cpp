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
#include "signing_cases.hpp"

namespace {

std::atomic<unsigned long long> g_openssl_allocations{0};

void* openssl_malloc(std::size_t size, const char*, int) {
  g_openssl_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size);
}
void* openssl_realloc(void* p, std::size_t size, const char*, int) {
  g_openssl_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::realloc(p, size);
}
void openssl_free(void* p, const char*, int) {
  std::free(p);
}

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
  CRYPTO_set_mem_functions(openssl_malloc, openssl_realloc, openssl_free);
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
  const unsigned long long ssl_before = g_openssl_allocations.load();
  const long unexpected = what == "check"
                              ? run_loop([&] { return request.run() == approov::Reason::ok; }, n)
                              : run_loop([&] { return floor.run(); }, n);
  std::fprintf(stderr, "allocations: own %llu openssl %llu\n",
               static_cast<unsigned long long>(approov::testing::heap_allocations() - own_before),
               g_openssl_allocations.load() - ssl_before);
  if (unexpected != 0) {
    std::fprintf(stderr, "%ld of %ld iterations gave an unexpected result\n", unexpected, n);
    return 1;
  }
  return 0;
}
