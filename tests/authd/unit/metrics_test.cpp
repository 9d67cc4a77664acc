// The Prometheus text of the sidecar's counters (core/metrics.hpp): names, labels, sums over
// workers and the cumulative histogram.
#include "core/metrics.hpp"

#include <gtest/gtest.h>

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
    EXPECT_EQ(line.rfind("approov_authd_", 0), 0u) << line;
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

}  // namespace
}  // namespace approov::authd
