// Runs one benchmark case N times in a fresh process, for instruction counting:
//
//   approov-verify-loop verify|floor small|large|badsig|bind|es256|rs256|eddsa N
//
// `verify` runs the library (TokenVerifier::verify, or for `bind` the RequestCheck with token
// binding), `floor` the pre-keyed HMAC-SHA256 of the same signing input (bench_cases.hpp).
// bench/callgrind.sh runs this under callgrind with two values of N and divides the
// difference by the difference in N, which cancels the start-up cost. Exits 1 if any
// iteration gave an unexpected result.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "bench_cases.hpp"
#include "keyset_cases.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: approov-verify-loop verify|floor small|large|badsig|bind|es256|rs256|eddsa "
               "N\n");
  return 2;
}

// Not inlined so that the loop is easy to find in a profile.
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
  if (argc != 4) return usage();
  const std::string_view what = argv[1];
  const std::string_view name = argv[2];
  char* end = nullptr;
  const long n = std::strtol(argv[3], &end, 10);
  if (*end != '\0' || n < 0) return usage();
  if (what != "verify" && what != "floor") return usage();
  for (const auto& k : approov::bench::kKeysetCases) {
    if (name != k.name) continue;
    // A keyset case: the library's verify, or the floor of the same signature.
    static const approov::TokenVerifier verifier = approov::bench::keyset_verifier();
    const approov::bench::KeysetSubject subject(k, verifier);
    long unexpected = 0;
    if (what == "verify") {
      unexpected = run_loop([&] { return subject.run() == approov::Reason::ok; }, n);
    } else {
      const approov::bench::KeysetFloor floor(k, subject.token());
      unexpected = run_loop([&] { return floor.run(); }, n);
    }
    if (unexpected != 0) {
      std::fprintf(stderr, "%ld of %ld iterations gave an unexpected result\n", unexpected, n);
      return 1;
    }
    return 0;
  }
  const approov::bench::Case* found = nullptr;
  for (const auto& c : approov::bench::kCases) {
    if (name == c.name) found = &c;
  }
  if (found == nullptr) return usage();
  const approov::bench::Case& c = *found;

  long unexpected = 0;
  if (what == "verify") {
    const approov::bench::Subject subject(c);
    unexpected = run_loop([&] { return subject.run() == c.expected; }, n);
  } else {
    const approov::bench::Floor floor(c);
    const bool expected = c.expected == approov::Reason::ok;
    unexpected = run_loop([&] { return floor.run() == expected; }, n);
  }
  if (unexpected != 0) {
    std::fprintf(stderr, "%ld of %ld iterations gave an unexpected result\n", unexpected, n);
    return 1;
  }
  return 0;
}
