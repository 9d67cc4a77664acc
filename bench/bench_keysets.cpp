// Google Benchmark suite for keyset verification: ES256, RS256 (2048-bit) and EdDSA tokens
// through TokenVerifier, each beside its floor (the least OpenSSL work that verifies the same
// signature) and the usual OpenSSL EVP one-shot, in one run (bench/keyset_cases.hpp).
//
//   approov-bench-keysets --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// It counts heap allocations per operation in two columns: the C++ ones (operator new, i.e.
// this library's code: must be 0) and OpenSSL's (CRYPTO_set_mem_functions, inside the verify
// primitives). After the table: each case's median as a ratio to its floor and to the
// one-shot. Exits with status 1 if a token verify made a C++ allocation.
#include <benchmark/benchmark.h>
#include <openssl/crypto.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "counting_allocator.hpp"
#include "keyset_cases.hpp"
#include "openssl_allocations.hpp"

namespace {

std::uint64_t g_our_allocations_in_verify = 0;

template <class Op>
void measure(benchmark::State& state, const Op& op, bool is_verify) {
  const std::uint64_t ours = approov::testing::heap_allocations();
  const std::uint64_t theirs = approov::testing::openssl_allocations();
  for (auto _ : state) benchmark::DoNotOptimize(op());
  const auto n = static_cast<double>(state.iterations());
  const std::uint64_t our_count = approov::testing::heap_allocations() - ours;
  const std::uint64_t their_count = approov::testing::openssl_allocations() - theirs;
  if (is_verify) g_our_allocations_in_verify += our_count;
  state.counters["c++ allocs/op"] = static_cast<double>(our_count) / n;
  state.counters["openssl allocs/op"] = static_cast<double>(their_count) / n;
}

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      const std::string name = run.run_name.function_name;
      if (run.run_type == Run::RT_Aggregate) {
        if (run.aggregate_name == "median") medians_[name] = run.GetAdjustedCPUTime();
      } else if (!run.error_occurred) {
        auto& [sum, count] = singles_[name];
        sum += run.GetAdjustedCPUTime();
        ++count;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void print_ratios() const {
    std::printf("\nCPU time ratios (median of the case / median of the reference):\n");
    std::printf("  %-8s %12s %12s %12s %10s %12s\n", "case", "verify ns", "floor ns", "one-shot ns",
                "/floor", "/one-shot");
    for (const auto& c : approov::bench::kKeysetCases) {
      const double v = time_of(std::string("verify/") + c.name);
      const double f = time_of(std::string("floor/") + c.name);
      const double o = time_of(std::string("openssl/") + c.name);
      if (v > 0 && f > 0 && o > 0) {
        std::printf("  %-8s %12.0f %12.0f %12.0f %10.3f %12.3f\n", c.name, v, f, o, v / f, v / o);
      }
    }
  }

 private:
  double time_of(const std::string& name) const {
    if (auto it = medians_.find(name); it != medians_.end()) return it->second;
    if (auto it = singles_.find(name); it != singles_.end() && it->second.second > 0) {
      return it->second.first / it->second.second;
    }
    return 0;
  }
  std::map<std::string, double> medians_;
  std::map<std::string, std::pair<double, int>> singles_;
};

}  // namespace

int main(int argc, char** argv) {
  if (!approov::testing::count_openssl_allocations()) {
    std::fprintf(stderr, "note: OpenSSL allocations are not counted (allocator already in use)\n");
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  using namespace approov::bench;
  static const approov::TokenVerifier verifier = keyset_verifier();
  std::vector<std::unique_ptr<KeysetSubject>> subjects;
  std::vector<std::unique_ptr<KeysetFloor>> floors;
  std::vector<std::unique_ptr<KeysetOpenssl>> oneshots;
  for (const KeysetCase& c : kKeysetCases) {
    subjects.push_back(std::make_unique<KeysetSubject>(c, verifier));
    floors.push_back(std::make_unique<KeysetFloor>(c, subjects.back()->token()));
    oneshots.push_back(std::make_unique<KeysetOpenssl>(c, subjects.back()->token()));
    if (subjects.back()->run() != approov::Reason::ok || !floors.back()->run() ||
        !oneshots.back()->run()) {
      keyset_die(std::string("case ") + c.name + ": a reference disagrees with the verifier");
    }
    const KeysetSubject* s = subjects.back().get();
    const KeysetFloor* f = floors.back().get();
    const KeysetOpenssl* o = oneshots.back().get();
    benchmark::RegisterBenchmark((std::string("floor/") + c.name).c_str(),
                                 [f](benchmark::State& st) {
                                   measure(
                                       st, [f] { return f->run(); }, false);
                                 });
    benchmark::RegisterBenchmark((std::string("verify/") + c.name).c_str(),
                                 [s](benchmark::State& st) {
                                   measure(
                                       st, [s] { return s->run(); }, true);
                                 });
    benchmark::RegisterBenchmark((std::string("openssl/") + c.name).c_str(),
                                 [o](benchmark::State& st) {
                                   measure(
                                       st, [o] { return o->run(); }, false);
                                 });
  }
  // Message signing's path: a P-256 key that arrives in the request (`ipk`, DER SPKI) parsed and
  // used once, against OpenSSL's own SPKI decoder (d2i_PUBKEY) for the same bytes.
  static const std::vector<std::uint8_t> ipk = signing_key(kKeysetCases[0]).public_spki_der();
  static const TokenParts es256(subjects[0]->token());
  benchmark::RegisterBenchmark("ipk/parse", [](benchmark::State& st) {
    measure(
        st, [] { return approov::detail::PublicKey::from_spki_der(ipk.data(), ipk.size()).ok(); },
        false);
  });
  benchmark::RegisterBenchmark("ipk/parse+verify", [](benchmark::State& st) {
    measure(
        st,
        [] {
          auto key = approov::detail::PublicKey::from_spki_der(ipk.data(), ipk.size());
          return key && key->verify(approov::Algorithm::ES256, es256.signing_input,
                                    es256.signature.data(), es256.signature.size());
        },
        false);
  });
  benchmark::RegisterBenchmark("ipk/openssl-d2i_PUBKEY", [](benchmark::State& st) {
    measure(
        st,
        [] {
          const unsigned char* p = ipk.data();
          EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(ipk.size()));
          const bool ok = key != nullptr;
          EVP_PKEY_free(key);
          return ok;
        },
        false);
  });

  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  std::printf("C++ heap allocations in token verifies: %llu\n",
              static_cast<unsigned long long>(g_our_allocations_in_verify));
  benchmark::Shutdown();
  return g_our_allocations_in_verify == 0 ? 0 : 1;
}
