#include "core/metrics.hpp"

#include <cstdio>
#include <string_view>

#include "approov/version.hpp"

namespace approov::authd {

namespace {

constexpr std::array<const char*, kDecisions> kDecisionNames{"allow", "deny", "report_only"};
constexpr std::array<const char*, kBypasses> kBypassNames{
    "unprotected", "preflight", "no_route", "bad_uri", "bad_request", "bad_forwarded"};

}  // namespace

void WorkerMetrics::observe(std::chrono::nanoseconds took) noexcept {
  const double seconds = static_cast<double>(took.count()) * 1e-9;
  std::size_t b = 0;
  while (b < kLatencyBuckets.size() && seconds > kLatencyBuckets[b]) ++b;
  bump(latency[b]);
  bump(latency_ns, static_cast<std::uint64_t>(took.count()));
}

std::string metrics_text(const std::vector<const WorkerMetrics*>& workers,
                         const ServiceGauges& gauges) {
  std::string out;
  out.reserve(8192);
  out +=
      "# HELP approov_authd_requests_total Checks answered, by decision and reason.\n"
      "# TYPE approov_authd_requests_total counter\n";
  auto line = [&out](const char* decision, std::string_view reason, std::uint64_t v) {
    out += "approov_authd_requests_total{decision=\"";
    out += decision;
    out += "\",reason=\"";
    out += reason;
    out += "\"} " + std::to_string(v) + "\n";
  };
  for (std::size_t d = 0; d < kDecisions; ++d) {
    for (std::size_t r = 0; r < kReasonCount; ++r) {
      if ((d == kAllow) != (r == 0)) continue;
      std::uint64_t sum = 0;
      for (const auto* w : workers) sum += w->requests[d][r].load(std::memory_order_relaxed);
      line(kDecisionNames[d], to_string(static_cast<Reason>(r)), sum);
    }
  }
  for (std::size_t b = 0; b < kBypasses; ++b) {
    std::uint64_t sum = 0;
    for (const auto* w : workers) sum += w->bypass[b].load(std::memory_order_relaxed);
    line(b == kUnprotected || b == kPreflight ? "allow" : "deny", kBypassNames[b], sum);
  }
  out +=
      "# HELP approov_authd_check_duration_seconds Time to answer a check, in the service.\n"
      "# TYPE approov_authd_check_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b <= kLatencyBuckets.size(); ++b) {
    for (const auto* w : workers) cumulative += w->latency[b].load(std::memory_order_relaxed);
    char le[32];
    if (b < kLatencyBuckets.size()) {
      std::snprintf(le, sizeof le, "%g", kLatencyBuckets[b]);
    } else {
      std::snprintf(le, sizeof le, "+Inf");
    }
    out += "approov_authd_check_duration_seconds_bucket{le=\"" + std::string(le) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  std::uint64_t ns = 0;
  for (const auto* w : workers) ns += w->latency_ns.load(std::memory_order_relaxed);
  char sum[64];
  std::snprintf(sum, sizeof sum, "%.9f", static_cast<double>(ns) * 1e-9);
  out += "approov_authd_check_duration_seconds_sum " + std::string(sum) + "\n";
  out += "approov_authd_check_duration_seconds_count " + std::to_string(cumulative) + "\n";
  out +=
      "# HELP approov_authd_config_reloads_total SIGHUP reloads, by result.\n"
      "# TYPE approov_authd_config_reloads_total counter\n"
      "approov_authd_config_reloads_total{result=\"ok\"} " +
      std::to_string(gauges.reloads_ok) +
      "\n"
      "approov_authd_config_reloads_total{result=\"rejected\"} " +
      std::to_string(gauges.reloads_rejected) + "\n";
  out +=
      "# HELP approov_authd_config_generation Generation of the configuration in force.\n"
      "# TYPE approov_authd_config_generation gauge\n"
      "approov_authd_config_generation " +
      std::to_string(gauges.generation) + "\n";
  out +=
      "# HELP approov_authd_connections Open connections on the check listeners.\n"
      "# TYPE approov_authd_connections gauge\n"
      "approov_authd_connections " +
      std::to_string(gauges.connections) + "\n";
  auto gauge = [&out](const char* name, const char* type, const char* help, double value) {
    char number[64];
    std::snprintf(number, sizeof number, "%.15g", value);
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + number + "\n";
  };
  gauge("approov_authd_connections_refused_total", "counter",
        "Connections closed at once because max-connections were open.",
        static_cast<double>(gauges.connections_refused));
  gauge("approov_authd_config_last_reload_success_timestamp_seconds", "gauge",
        "Unix time of the last successful configuration load (start-up or SIGHUP).",
        gauges.last_reload_success_seconds);
  gauge("approov_authd_config_last_reload_successful", "gauge",
        "Whether the last configuration load succeeded (1) or was rejected (0).",
        gauges.last_reload_ok ? 1 : 0);
  gauge("approov_authd_clock_synchronized", "gauge",
        "Whether the kernel says an NTP daemon keeps the system clock synchronised (adjtimex).",
        gauges.clock.known && gauges.clock.synchronized ? 1 : 0);
  gauge("approov_authd_clock_estimated_error_seconds", "gauge",
        "The kernel's estimated error of the system clock (adjtimex esterror).",
        gauges.clock.estimated_error_seconds);
  gauge("approov_authd_clock_maximum_error_seconds", "gauge",
        "The kernel's maximum error of the system clock (adjtimex maxerror).",
        gauges.clock.maximum_error_seconds);
  out +=
      "# HELP approov_authd_build_info The sidecar's version, as a label.\n"
      "# TYPE approov_authd_build_info gauge\n"
      "approov_authd_build_info{version=\"" APPROOV_VERSION_STRING "\"} 1\n";
  const ProcessStats& p = gauges.process;
  gauge("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
        p.cpu_seconds);
  gauge("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
        p.resident_bytes);
  gauge("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", p.virtual_bytes);
  gauge("process_open_fds", "gauge", "Number of open file descriptors.", p.open_fds);
  gauge("process_max_fds", "gauge", "Maximum number of open file descriptors.", p.max_fds);
  gauge("process_start_time_seconds", "gauge",
        "Start time of the process since unix epoch in seconds.", p.start_time_seconds);
  if (gauges.jwks.configured) {
    out +=
        "# HELP approov_authd_jwks_refreshes_total Refreshes of the JWKS URL (start-up "
        "included), by outcome.\n"
        "# TYPE approov_authd_jwks_refreshes_total counter\n";
    for (const auto& [outcome, n] :
         {std::pair<const char*, std::uint64_t>{"updated", gauges.jwks.updated},
          {"unchanged", gauges.jwks.unchanged},
          {"failed", gauges.jwks.failed}}) {
      out += "approov_authd_jwks_refreshes_total{outcome=\"" + std::string(outcome) + "\"} " +
             std::to_string(n) + "\n";
    }
  }
  if (gauges.replay_store) {
    const ReplayStoreStats& r = gauges.replay;
    out +=
        "# HELP approov_authd_replay_store_answers_total The replay store's answers: signatures "
        "stored (first seen), replayed, or unavailable (refused, or let through when "
        "fail-open).\n"
        "# TYPE approov_authd_replay_store_answers_total counter\n";
    for (const auto& [answer, n] : {std::pair<const char*, std::uint64_t>{"stored", r.stored},
                                    {"replayed", r.replayed},
                                    {"unavailable", r.unavailable}}) {
      out += "approov_authd_replay_store_answers_total{answer=\"" + std::string(answer) + "\"} " +
             std::to_string(n) + "\n";
    }
    out +=
        "# HELP approov_authd_replay_store_failures_total A shared replay store's failed "
        "connects, timeouts and other errors.\n"
        "# TYPE approov_authd_replay_store_failures_total counter\n";
    for (const auto& [kind, n] :
         {std::pair<const char*, std::uint64_t>{"connect", r.connect_failures},
          {"timeout", r.timeouts},
          {"error", r.errors}}) {
      out += "approov_authd_replay_store_failures_total{kind=\"" + std::string(kind) + "\"} " +
             std::to_string(n) + "\n";
    }
  }
  return out;
}

}  // namespace approov::authd
