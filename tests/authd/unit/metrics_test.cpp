// The Prometheus text of the sidecar's counters (core/metrics.hpp): names, labels, sums over
// workers and the cumulative histogram.
#include "core/metrics.hpp"

#include "approov/version.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace approov::authd {
namespace {

// Samples by "name{labels}", and every line checked against the text format.
std::map<std::string, std::string> samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_FALSE(line.empty());
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
    const auto space = line.rfind(' ');
    EXPECT_NE(space, std::string::npos) << line;
    EXPECT_TRUE(line.rfind("approov_authd_", 0) == 0 || line.rfind("process_", 0) == 0) << line;
    EXPECT_TRUE(out.emplace(line.substr(0, space), line.substr(space + 1)).second) << line;
  }
  EXPECT_EQ(text.back(), '\n');
  return out;
}

TEST(Metrics, EveryDecisionAndReasonIsListedZerosIncluded) {
  WorkerMetrics w;
  const auto m = samples(metrics_text({&w}, ServiceGauges{}));
  EXPECT_EQ(m.at("approov_authd_requests_total{decision=\"allow\",reason=\"ok\"}"), "0");
  EXPECT_EQ(m.count("approov_authd_requests_total{decision=\"deny\",reason=\"ok\"}"), 0u);
  EXPECT_EQ(m.count("approov_authd_requests_total{decision=\"allow\",reason=\"expired\"}"), 0u);
  for (std::size_t r = 1; r < kReasonCount; ++r) {
    const std::string reason(to_string(static_cast<Reason>(r)));
    EXPECT_EQ(m.at("approov_authd_requests_total{decision=\"deny\",reason=\"" + reason + "\"}"),
              "0");
    EXPECT_EQ(
        m.at("approov_authd_requests_total{decision=\"report_only\",reason=\"" + reason + "\"}"),
        "0");
  }
  for (const char* allowed : {"unprotected", "preflight"}) {
    EXPECT_EQ(m.at(std::string("approov_authd_requests_total{decision=\"allow\",reason=\"") +
                   allowed + "\"}"),
              "0");
  }
  for (const char* denied : {"no_route", "bad_uri", "bad_request"}) {
    EXPECT_EQ(m.at(std::string("approov_authd_requests_total{decision=\"deny\",reason=\"") +
                   denied + "\"}"),
              "0");
  }
}

TEST(Metrics, CountersAreSummedOverWorkers) {
  WorkerMetrics a;
  WorkerMetrics b;
  a.count(kAllow, Reason::ok);
  b.count(kAllow, Reason::ok);
  b.count(kAllow, Reason::ok);
  a.count(kDeny, Reason::expired);
  b.count(kReportOnly, Reason::bad_signature);
  a.count(kBadUri);
  b.count(kBadUri);
  b.count(kPreflight);
  ServiceGauges g;
  g.reloads_ok = 3;
  g.reloads_rejected = 1;
  g.generation = 4;
  g.connections = 7;
  const auto m = samples(metrics_text({&a, &b}, g));
  EXPECT_EQ(m.at("approov_authd_requests_total{decision=\"allow\",reason=\"ok\"}"), "3");
  EXPECT_EQ(m.at("approov_authd_requests_total{decision=\"deny\",reason=\"expired\"}"), "1");
  EXPECT_EQ(m.at("approov_authd_requests_total{decision=\"report_only\",reason=\"bad_signature\"}"),
            "1");
  EXPECT_EQ(m.at("approov_authd_requests_total{decision=\"deny\",reason=\"bad_uri\"}"), "2");
  EXPECT_EQ(m.at("approov_authd_requests_total{decision=\"allow\",reason=\"preflight\"}"), "1");
  EXPECT_EQ(m.at("approov_authd_config_reloads_total{result=\"ok\"}"), "3");
  EXPECT_EQ(m.at("approov_authd_config_reloads_total{result=\"rejected\"}"), "1");
  EXPECT_EQ(m.at("approov_authd_config_generation"), "4");
  EXPECT_EQ(m.at("approov_authd_connections"), "7");
}

TEST(Metrics, DurationHistogramIsCumulative) {
  WorkerMetrics a;
  WorkerMetrics b;
  a.observe(std::chrono::nanoseconds(5'000));          // 5 us: first bucket (10 us)
  b.observe(std::chrono::nanoseconds(9'000));          // 9 us: the first too
  a.observe(std::chrono::nanoseconds(300'000));        // 0.3 ms: 0.0005
  b.observe(std::chrono::nanoseconds(2'000'000'000));  // 2 s: +Inf only
  const std::string text = metrics_text({&a, &b}, ServiceGauges{});
  const auto m = samples(text);
  std::string buckets;  // le=count for each bucket
  for (const char* le : {"1e-05", "2.5e-05", "0.00025", "0.0005", "0.25", "+Inf"}) {
    buckets += std::string(le) + "=" +
               m.at(std::string("approov_authd_check_duration_seconds_bucket{le=\"") + le + "\"}") +
               " ";
  }
  EXPECT_EQ(buckets, "1e-05=2 2.5e-05=2 0.00025=2 0.0005=3 0.25=3 +Inf=4 ");
  EXPECT_EQ(m.at("approov_authd_check_duration_seconds_count"), "4");
  EXPECT_EQ(m.at("approov_authd_check_duration_seconds_sum"), "2.000314000");
  // The buckets in increasing order of le, as Prometheus requires.
  EXPECT_LT(text.find("le=\"1e-05\""), text.find("le=\"2.5e-05\""));
  EXPECT_LT(text.find("le=\"0.25\""), text.find("le=\"+Inf\""));
  EXPECT_NE(text.find("# TYPE approov_authd_check_duration_seconds histogram\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE approov_authd_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE approov_authd_config_generation gauge\n"), std::string::npos);
}

TEST(Metrics, ProcessBuildReloadRefusalAndClockSeries) {
  WorkerMetrics w;
  ServiceGauges g;
  g.last_reload_success_seconds = 1764500000.25;
  g.last_reload_ok = false;
  g.connections_refused = 12;
  g.clock.synchronized = true;
  g.clock.estimated_error_seconds = 0.000016;
  g.clock.maximum_error_seconds = 0.5;
  g.process.cpu_seconds = 1.5;
  g.process.resident_bytes = 12345678;
  g.process.virtual_bytes = 99999999;
  g.process.open_fds = 9;
  g.process.max_fds = 65536;
  g.process.start_time_seconds = 1764400000.5;
  const std::string text = metrics_text({&w}, g);
  const auto m = samples(text);
  EXPECT_EQ(m.at("approov_authd_config_last_reload_success_timestamp_seconds"), "1764500000.25");
  EXPECT_EQ(m.at("approov_authd_config_last_reload_successful"), "0");
  EXPECT_EQ(m.at("approov_authd_connections_refused_total"), "12");
  EXPECT_EQ(m.at("approov_authd_clock_synchronized"), "1");
  EXPECT_EQ(m.at("approov_authd_clock_estimated_error_seconds"), "1.6e-05");
  EXPECT_EQ(m.at("approov_authd_clock_maximum_error_seconds"), "0.5");
  EXPECT_EQ(m.at("approov_authd_build_info{version=\"" APPROOV_VERSION_STRING "\"}"), "1");
  EXPECT_EQ(m.at("process_cpu_seconds_total"), "1.5");
  EXPECT_EQ(m.at("process_resident_memory_bytes"), "12345678");
  EXPECT_EQ(m.at("process_virtual_memory_bytes"), "99999999");
  EXPECT_EQ(m.at("process_open_fds"), "9");
  EXPECT_EQ(m.at("process_max_fds"), "65536");
  EXPECT_EQ(m.at("process_start_time_seconds"), "1764400000.5");
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE approov_authd_connections_refused_total counter\n"),
            std::string::npos);
  // A clock whose state cannot be read is not reported synchronised.
  g.clock.known = false;
  EXPECT_EQ(samples(metrics_text({&w}, g)).at("approov_authd_clock_synchronized"), "0");
}

// Read from this process: plausible values (the units are the Prometheus clients').
TEST(Metrics, ProcessStatsOfThisProcess) {
  const ProcessStats p = read_process_stats();
  EXPECT_GT(p.resident_bytes, 1 << 20);
  EXPECT_GE(p.virtual_bytes, p.resident_bytes);
  EXPECT_GE(p.open_fds, 3);  // stdin, stdout, stderr
  EXPECT_GE(p.max_fds, p.open_fds);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(p.start_time_seconds, now + 1);
  EXPECT_GT(p.start_time_seconds, now - 3600);
  EXPECT_GE(p.cpu_seconds, 0);
}

}  // namespace
}  // namespace approov::authd
