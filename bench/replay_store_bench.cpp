// approov-replay-bench STORE [THREADS] [CALLS]: CALLS check_and_insert calls (default 200000,
// below the in-process store's capacity), shared by THREADS threads (default 1), each with a
// new key: calls per second and per-call latency percentiles, for the in-process store
// ("memory") and a Redis URL alike. Keys are fresh on every run (a random seed), so that a
// second run against the same Redis within the keys' 75 s does not count replays.
// What one signed request pays for replay protection, without HTTP around it.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "approov/message_signing.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s STORE [THREADS] [CALLS]\n", argv[0]);
    return 2;
  }
  auto made = approov::make_replay_store(argv[1]);
  if (!made || !made.value()) {
    std::fprintf(stderr, "%s: %s\n", argv[0], made ? "no store" : made.error().c_str());
    return 2;
  }
  const auto store = made.value();
  const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  const long calls = argc > 3 ? std::atol(argv[3]) : 200000;
  if (threads < 1 || calls < threads) {
    std::fprintf(stderr, "%s: THREADS >= 1 and CALLS >= THREADS\n", argv[0]);
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  const auto begin = Clock::now();
  std::vector<std::vector<std::uint32_t>> latencies(static_cast<std::size_t>(threads));
  // Neither should happen: a replay means two keys collided, an unavailable answer that a
  // call took longer than the store's timeout (and the calls in the back-off after it were
  // answered at once, so the latencies of such a run are not the store's).
  std::atomic<long> replayed{0};
  std::atomic<long> unavailable{0};
  const std::uint64_t seed = (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^
                             static_cast<std::uint64_t>(std::random_device{}());
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto& lat = latencies[static_cast<std::size_t>(t)];
      const long mine = calls / threads;
      lat.reserve(static_cast<std::size_t>(mine));
      std::uint64_t counter = 0;
      char key[32] = {};
      const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
      for (long i = 0; i < mine; ++i) {
        // Keys as uniform as the checker's SHA-256 digests (the in-process store's tables
        // rely on that): splitmix64 of a per-thread counter, offset by this run's seed.
        for (int part = 0; part < 4; ++part) {
          std::uint64_t z =
              (++counter) * 0x9e3779b97f4a7c15ULL + static_cast<std::uint64_t>(t) + seed;
          z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
          z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
          z ^= z >> 31;
          std::memcpy(key + 8 * part, &z, sizeof z);
        }
        const auto start = Clock::now();
        const auto v = store->check_and_insert(std::string_view(key, sizeof key), now + 75, now);
        lat.push_back(static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count()));
        if (v == approov::ReplayVerdict::replayed) ++replayed;
        if (v == approov::ReplayVerdict::unavailable) ++unavailable;
      }
    });
  }
  for (auto& th : pool) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  std::vector<std::uint32_t> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  const auto pct = [&](double p) {
    if (all.empty()) return 0.0;
    return all[static_cast<std::size_t>(p * static_cast<double>(all.size() - 1))] / 1000.0;
  };
  std::printf(
      "%s, %d thread(s), %zu calls: %.0f calls/s, latency p50 %.1f us, p99 %.1f us, "
      "max %.1f us, replayed: %ld, unavailable: %ld\n",
      store->description().c_str(), threads, all.size(), static_cast<double>(all.size()) / elapsed,
      pct(0.5), pct(0.99), pct(1.0), replayed.load(), unavailable.load());
  return replayed.load() == 0 && unavailable.load() == 0 ? 0 : 1;
}
