// approov-authd metrics: per-worker counters (written by their worker only, with a relaxed
// load and store: no locked instruction on the request path) summed on scrape into the
// Prometheus text exposition format (docs/SIDECAR.md, "Metrics").
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "approov/approov.hpp"
#include "core/event_log.hpp"
#include "core/policy.hpp"
#include "core/process_stats.hpp"

namespace approov::authd {

/// The decision of a check that read a token (with its Reason).
enum Decision : std::size_t { kAllow, kDeny, kReportOnly, kDecisions };
/// Outcomes that are not token reasons: allowed (unprotected, preflight) or denied.
// kBadForwarded: on a message-signing route, a forwarded field (X-Forwarded-Proto, -Host,
// X-Original-Content-Length, Host) given twice.
enum Bypass : std::size_t {
  kUnprotected,
  kPreflight,
  kNoRoute,
  kBadUri,
  kBadRequest,
  kBadForwarded,
  kBypasses
};

/// Upper bounds of the check-duration histogram, in seconds.
inline constexpr std::array<double, 12> kLatencyBuckets{
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25};

using Counter = std::atomic<std::uint64_t>;

/// Adds to a counter that only one thread writes (others read it relaxed): a plain add, no
/// locked instruction.
inline void bump(Counter& c, std::uint64_t by = 1) noexcept {
  c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

/// One worker's counters. Written by that worker only.
struct WorkerMetrics {
  std::array<std::array<Counter, kReasonCount>, kDecisions> requests{};
  std::array<Counter, kBypasses> bypass{};  // allow for unprotected/preflight, deny otherwise
  std::array<Counter, kLatencyBuckets.size() + 1> latency{};
  Counter latency_ns{};

  void count(Decision d, Reason r) noexcept { bump(requests[d][static_cast<std::size_t>(r)]); }
  void count(Bypass b) noexcept { bump(bypass[b]); }
  /// Adds one check that took `took` to the histogram.
  void observe(std::chrono::nanoseconds took) noexcept;
};

/// Process-wide values for the exposition, read at scrape time.
struct ServiceGauges {
  std::uint64_t reloads_ok = 0;
  std::uint64_t reloads_rejected = 0;
  std::uint64_t generation = 0;            // of the configuration in force
  double last_reload_success_seconds = 0;  // Unix time of the last successful (re)load
  bool last_reload_ok = true;              // whether the last (re)load succeeded
  std::size_t connections = 0;             // open on the check listeners
  std::uint64_t connections_refused = 0;   // closed at accept: max-connections were open
  ClockReport clock;
  ProcessStats process;
  JwksCounts jwks;
  bool replay_store = false;  // a replay store is configured: its series are written
  ReplayStoreStats replay;
};

/// The Prometheus text exposition (format 0.0.4) of the summed worker counters and `gauges`:
/// approov_authd_requests_total{decision,reason} (every pair, zeros included: allow with
/// reason ok, deny and report_only with every other reason, then the bypass outcomes),
/// approov_authd_check_duration_seconds (histogram), approov_authd_config_reloads_total
/// {result=ok|rejected}, approov_authd_config_generation,
/// approov_authd_config_last_reload_success_timestamp_seconds,
/// approov_authd_config_last_reload_successful, approov_authd_connections,
/// approov_authd_connections_refused_total, approov_authd_clock_synchronized,
/// approov_authd_clock_estimated_error_seconds, approov_authd_clock_maximum_error_seconds,
/// approov_authd_build_info{version}, and process_cpu_seconds_total,
/// process_resident_memory_bytes, process_virtual_memory_bytes, process_open_fds,
/// process_max_fds, process_start_time_seconds; with a replay store,
/// approov_authd_replay_store_answers_total{answer=stored|replayed|unavailable} and
/// approov_authd_replay_store_failures_total{kind=connect|timeout|error}. docs/SIDECAR.md
/// lists them all.
[[nodiscard]] std::string metrics_text(const std::vector<const WorkerMetrics*>& workers,
                                       const ServiceGauges& gauges);

}  // namespace approov::authd
