// Google Benchmark suite for message signing: a signed GET and a signed POST (1 KiB body)
// through RequestCheck (token + signature), each beside its floor, one bare OpenSSL ECDSA
// P-256 verification of the same signature base (signing_cases.hpp), in the same run.
//
//   approov-signing-bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Heap allocations are counted per operation in two columns: `allocs/op`, the project's own
// (every operator new of this binary), which must be 0 once the device's ipk is cached; and
// `openssl/op`, OpenSSL's (CRYPTO_set_mem_functions), which ECDSA_do_verify makes in the
// floor as much as in the check. Exits with status 1 if a check allocated through operator new.
#include <benchmark/benchmark.h>
#include <openssl/crypto.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "counting_allocator.hpp"
#include "openssl_allocations.hpp"
#include "signing_cases.hpp"

namespace {

std::uint64_t g_max_own_allocations = 0;         // over the checks (floors are OpenSSL alone)
std::map<std::string, double> g_openssl_per_op;  // by benchmark name

template <class Op>
void measure(benchmark::State& state, const std::string& name, bool is_check, const Op& op) {
  const std::uint64_t own_before = approov::testing::heap_allocations();
  const std::uint64_t ssl_before = approov::testing::openssl_allocations();
  for (auto _ : state) benchmark::DoNotOptimize(op());
  const std::uint64_t own = approov::testing::heap_allocations() - own_before;
  const std::uint64_t ssl = approov::testing::openssl_allocations() - ssl_before;
  const auto n = static_cast<std::uint64_t>(state.iterations());
  if (is_check && n != 0 && (own + n - 1) / n > g_max_own_allocations) {
    g_max_own_allocations = (own + n - 1) / n;
  }
  state.counters["allocs/op"] =
      benchmark::Counter(static_cast<double>(own), benchmark::Counter::kAvgIterations);
  state.counters["openssl/op"] =
      benchmark::Counter(static_cast<double>(ssl), benchmark::Counter::kAvgIterations);
  if (n != 0) g_openssl_per_op[name] = static_cast<double>(ssl) / static_cast<double>(n);
}

// Remembers each benchmark's median (or mean of its runs) CPU time for the ratio table.
class Reporter : public benchmark::ConsoleReporter {
 public:
  // Tabular, without colour codes (the output goes to files and logs).
  Reporter() : ConsoleReporter(OO_Tabular) {}
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
  double cpu(const std::string& name) const {
    if (auto it = medians_.find(name); it != medians_.end()) return it->second;
    if (auto it = singles_.find(name); it != singles_.end() && it->second.second > 0) {
      return it->second.first / it->second.second;
    }
    return 0;
  }

 private:
  std::map<std::string, double> medians_;
  std::map<std::string, std::pair<double, int>> singles_;
};

}  // namespace

int main(int argc, char** argv) {
  // Before any OpenSSL allocation, so that all of OpenSSL's heap use is seen.
  if (!approov::testing::count_openssl_allocations()) {
    std::fprintf(stderr, "note: OpenSSL allocations are not counted (allocator already in use)\n");
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  std::vector<std::unique_ptr<approov::bench::SignedRequest>> requests;
  std::vector<std::unique_ptr<approov::bench::EcdsaFloor>> floors;
  for (std::string_view name : approov::bench::kSigningCases) {
    requests.push_back(std::make_unique<approov::bench::SignedRequest>(name));
    floors.push_back(std::make_unique<approov::bench::EcdsaFloor>(*requests.back()));
    const auto* request = requests.back().get();
    const auto* floor = floors.back().get();
    const std::string floor_name = "floor/" + std::string(name);
    const std::string check_name = "check/" + std::string(name);
    benchmark::RegisterBenchmark(floor_name.c_str(), [floor, floor_name](benchmark::State& s) {
      measure(s, floor_name, false, [floor] { return floor->run(); });
    });
    benchmark::RegisterBenchmark(check_name.c_str(), [request, check_name](benchmark::State& s) {
      measure(s, check_name, true, [request] { return request->run(); });
    });
  }
  Reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nratio to the floor (CPU time of the check / of one bare ECDSA P-256 verify):\n");
  for (std::string_view name : approov::bench::kSigningCases) {
    const double check = reporter.cpu("check/" + std::string(name));
    const double floor = reporter.cpu("floor/" + std::string(name));
    if (check > 0 && floor > 0) {
      std::printf("  %-6s %10.0f ns %10.0f ns %6.3f\n", std::string(name).c_str(), check, floor,
                  check / floor);
    }
  }
  std::printf("own heap allocations per check (max): %llu\n",
              static_cast<unsigned long long>(g_max_own_allocations));
  // OpenSSL's allocations are ECDSA_do_verify's: the check must add none of its own to the
  // floor's (a digest through EVP would add a context per call).
  bool openssl_extra = false;
  for (std::string_view name : approov::bench::kSigningCases) {
    const double check = g_openssl_per_op["check/" + std::string(name)];
    const double floor = g_openssl_per_op["floor/" + std::string(name)];
    std::printf("OpenSSL allocations per op, %s: check %.1f, floor %.1f\n",
                std::string(name).c_str(), check, floor);
    if (check > floor + 0.5) openssl_extra = true;
  }
  if (openssl_extra) std::printf("FAIL: a check allocates more through OpenSSL than its floor\n");
  benchmark::Shutdown();
  return g_max_own_allocations == 0 && !openssl_extra ? 0 : 1;
}
