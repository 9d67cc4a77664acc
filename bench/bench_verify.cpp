// Google Benchmark suite for the verify hot path: each case next to its floor (pre-keyed
// HMAC-SHA256 over the same signing input), in one run, with heap allocations counted.
//
//   approov-bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// After the table it prints each case's median time as a ratio to its floor's median, and the
// allocations per operation. It exits with status 1 if any measured operation allocated.
// Allocations are counted by replacing the global operator new/delete of this binary and by
// registering counting allocators with OpenSSL (CRYPTO_set_mem_functions) before anything else
// runs, so both C++ and OpenSSL heap use are seen.
#include <benchmark/benchmark.h>
#include <openssl/crypto.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <new>
#include <string>

#include "bench_cases.hpp"
#include "counting_allocator.hpp"
#include "openssl_allocations.hpp"

namespace {

using approov::bench::Case;
using approov::bench::Floor;
using approov::bench::kCases;
using approov::bench::Subject;
using approov::bench::Work;

std::uint64_t g_max_allocations_per_op = 0;  // over every measured case, floors included

// Runs `op` in the timed loop and reports its heap allocations per call as a counter.
template <class Op>
void measure(benchmark::State& state, const Op& op) {
  const std::uint64_t before = approov::testing::heap_allocations();
  for (auto _ : state) benchmark::DoNotOptimize(op());
  const std::uint64_t allocations = approov::testing::heap_allocations() - before;
  const auto iterations = static_cast<std::uint64_t>(state.iterations());
  const std::uint64_t per_op = iterations == 0 ? 0 : (allocations + iterations - 1) / iterations;
  if (per_op > g_max_allocations_per_op) g_max_allocations_per_op = per_op;
  state.counters["allocs/op"] =
      benchmark::Counter(static_cast<double>(allocations), benchmark::Counter::kAvgIterations);
}

// Console output plus, at the end, each case's median as a ratio to its floor's median.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      const std::string name = run.run_name.function_name;
      const Times times{run.GetAdjustedRealTime(), run.GetAdjustedCPUTime()};
      if (run.run_type == Run::RT_Aggregate) {
        if (run.aggregate_name == "median") medians_[name] = times;
      } else if (!run.error_occurred) {
        auto& [sum, count] = singles_[name];
        sum.real += times.real;
        sum.cpu += times.cpu;
        ++count;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // Wall-clock and CPU time: on a shared machine the CPU time is the steadier of the two.
  void print_ratios() const {
    std::printf("\nratio to the floor (median of the case / median of its floor):\n");
    std::printf("  %-14s %10s %10s %6s %10s %10s %6s\n", "case", "real ns", "floor", "ratio",
                "cpu ns", "floor", "ratio");
    for (const Case& c : kCases) {
      const std::string work = c.work == Work::check ? "check/" : "verify/";
      const Times subject = time_of(work + c.name);
      const Times floor = time_of(std::string("floor/") + c.name);
      if (subject.real > 0 && floor.real > 0 && subject.cpu > 0 && floor.cpu > 0) {
        std::printf("  %-14s %10.1f %10.1f %6.2f %10.1f %10.1f %6.2f\n", (work + c.name).c_str(),
                    subject.real, floor.real, subject.real / floor.real, subject.cpu, floor.cpu,
                    subject.cpu / floor.cpu);
      }
    }
  }

 private:
  struct Times {
    double real = 0;
    double cpu = 0;
  };
  Times time_of(const std::string& name) const {
    if (auto it = medians_.find(name); it != medians_.end()) return it->second;
    if (auto it = singles_.find(name); it != singles_.end() && it->second.second > 0) {
      const double n = it->second.second;
      return {it->second.first.real / n, it->second.first.cpu / n};
    }
    return {};
  }
  std::map<std::string, Times> medians_;
  std::map<std::string, std::pair<Times, int>> singles_;
};

}  // namespace

int main(int argc, char** argv) {
  // Must precede any OpenSSL allocation so that OpenSSL's heap use is counted too.
  if (!approov::testing::count_openssl_allocations(/*also_as_ours=*/true)) {
    std::fprintf(stderr, "note: OpenSSL allocations are not counted (allocator already in use)\n");
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  // Built once, outside the timed loops, as a server would at start-up.
  std::vector<std::unique_ptr<Subject>> subjects;
  std::vector<std::unique_ptr<Floor>> floors;
  for (const Case& c : kCases) {
    subjects.push_back(std::make_unique<Subject>(c));
    floors.push_back(std::make_unique<Floor>(c));
    const approov::Reason got = subjects.back()->run();
    if (got != c.expected) {
      std::fprintf(stderr, "case %s: expected %s, got %s\n", c.name,
                   std::string(approov::to_string(c.expected)).c_str(),
                   std::string(approov::to_string(got)).c_str());
      return 2;
    }
    if (floors.back()->run() != (c.expected == approov::Reason::ok)) {
      std::fprintf(stderr, "case %s: floor disagrees with the verifier\n", c.name);
      return 2;
    }
    const Subject* subject = subjects.back().get();
    const Floor* floor = floors.back().get();
    const std::string work = c.work == Work::check ? "check/" : "verify/";
    // Floor first, then the case: side by side in the output and in time.
    benchmark::RegisterBenchmark(
        (std::string("floor/") + c.name).c_str(),
        [floor](benchmark::State& s) { measure(s, [floor] { return floor->run(); }); });
    benchmark::RegisterBenchmark((work + c.name).c_str(), [subject](benchmark::State& s) {
      measure(s, [subject] { return subject->run(); });
    });
  }

  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  std::printf("heap allocations per operation (max over all cases): %llu\n",
              static_cast<unsigned long long>(g_max_allocations_per_op));
  benchmark::Shutdown();
  return g_max_allocations_per_op == 0 ? 0 : 1;
}
