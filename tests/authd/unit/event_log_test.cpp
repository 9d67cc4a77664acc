// The event log (core/event_log.hpp): line format, quoting of client-supplied values, and
// the rate limit with its two budgets, driven by a test clock.
#include "core/event_log.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "approov/version.hpp"
#include "core/clock.hpp"
#include "internal/json.hpp"

namespace approov::authd {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// An EventLog whose lines are kept and whose clock the test moves.
struct Fixture {
  std::shared_ptr<std::vector<std::string>> lines = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<Clock::time_point> now =
      std::make_shared<Clock::time_point>(Clock::time_point() + std::chrono::hours(1000));
  EventLog log{[l = lines](std::string_view line) { l->emplace_back(line); },
               [n = now] { return *n; }};
  void advance(milliseconds by) { *now += by; }
};

bool valid_json_object(std::string_view line) {
  if (line.empty() || line.back() != '\n') return false;
  line.remove_suffix(1);
  json::Validate v;
  return json::parse(line, v).problem == json::Problem::none;
}

// The field `name` of a log line as written (the JSON text of its value), or "(absent)".
std::string field(const std::string& line, const std::string& name) {
  const auto at = line.find("\"" + name + "\":");
  if (at == std::string::npos) return "(absent)";
  const auto start = at + name.size() + 3;
  std::size_t end = start;
  if (line[start] == '"') {
    end = start + 1;
    while (line[end] != '"') end += line[end] == '\\' ? 2 : 1;
    ++end;
  } else if (line[start] == '[') {
    end = line.find(']', start) + 1;
  } else {
    end = line.find_first_of(",}", start);
  }
  return line.substr(start, end - start);
}

TEST(EventLog, StartUpLineNamesTheListenersAsBound) {
  Fixture f;
  f.log.started(1, 4, {"127.0.0.1:41234", "unix:/run/a.sock"}, "127.0.0.1:9901");
  f.log.started(1, 1, {"[::1]:8081"});
  ASSERT_EQ(f.lines->size(), 2u);
  EXPECT_TRUE(valid_json_object((*f.lines)[0]));
  EXPECT_EQ(field((*f.lines)[0], "listen"), R"(["127.0.0.1:41234","unix:/run/a.sock"])");
  EXPECT_EQ(field((*f.lines)[0], "admin_listen"), R"("127.0.0.1:9901")");
  EXPECT_EQ(field((*f.lines)[0], "threads"), "4");
  EXPECT_EQ(field((*f.lines)[1], "admin_listen"), "(absent)");
}

// The gateway's request id, trace id and client address: present only when given, sanitised
// and capped so that a client cannot forge a field, a line or a huge line.
TEST(EventLog, DenialsCarryTheGatewaysRequestIdsSanitised) {
  struct Case {
    std::string request_id, traceparent, forwarded_for, real_ip;  // the fields as sent
    std::string logged_request_id, logged_trace_id, logged_client;
  };
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string tp = "00-" + trace + "-00f067aa0ba902b7-01";
  const std::string absent = "(absent)";
  const std::vector<Case> cases = {
      {"", "", "", "", absent, absent, absent},
      {"abc-123", tp, "203.0.113.9, 10.0.0.1", "", R"("abc-123")", "\"" + trace + "\"",
       R"("203.0.113.9")"},
      {"", "", "", " 2001:db8::1 ", absent, absent, R"("2001:db8::1")"},
      {"", "", "[2001:db8::1]:443", "10.9.9.9", absent, absent, R"("[2001:db8::1]:443")"},
      {"", "", " , 10.0.0.1", "10.9.9.9", absent, absent, R"("10.9.9.9")"},
      {std::string(300, 'r'), "", "", "", "\"" + std::string(kMaxLoggedRequestId, 'r') + "\"",
       absent, absent},
      {"a\"b\\c d\x01\xC3\xA9", "", "1.2.3.4\"}{\n", "", R"("a\"b\\c?d???")", absent,
       R"("1.2.3.4????")"},
      {"", "", std::string(100, '1'), "", absent, absent,
       "\"" + std::string(kMaxLoggedClient, '1') + "\""},
      // traceparent: version ff, upper-case hex, all-zero ids, a short or long form: no trace id
      {"", "ff-" + trace + "-00f067aa0ba902b7-01", "", "", absent, absent, absent},
      {"", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "", "", absent, absent,
       absent},
      {"", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "", "", absent, absent,
       absent},
      {"", "00-" + trace + "-0000000000000000-01", "", "", absent, absent, absent},
      {"", "00-" + trace + "-00f067aa0ba902b7", "", "", absent, absent, absent},
      {"", tp + "-extra", "", "", absent, absent, absent},
      // a later version may append fields after a dash
      {"", "01-" + trace + "-00f067aa0ba902b7-01-later", "", "", absent, "\"" + trace + "\"",
       absent},
  };
  for (const Case& c : cases) {
    Fixture f;
    WorkerLog w;
    ASSERT_TRUE(f.log.admit(w, LogKind::deny, 20, 1));
    f.log.denial(w, LogKind::deny, "expired", "/", "GET", "",
                 RequestIds{c.request_id, c.traceparent, c.forwarded_for, c.real_ip});
    ASSERT_EQ(f.lines->size(), 1u);
    const std::string& line = f.lines->front();
    EXPECT_TRUE(valid_json_object(line)) << line;
    EXPECT_EQ(field(line, "request_id"), c.logged_request_id) << line;
    EXPECT_EQ(field(line, "trace_id"), c.logged_trace_id) << line;
    EXPECT_EQ(field(line, "client"), c.logged_client) << line;
  }
}

// The clock is logged at the first check when it is not synchronised, then on every change.
TEST(EventLog, ClockWarningsAtStartAndOnChange) {
  Fixture f;
  auto state = std::make_shared<ClockReport>();
  ClockWatch watch([state] { return *state; });
  state->synchronized = true;
  watch.check(f.log);
  watch.check(f.log);
  EXPECT_EQ(f.lines->size(), 0u);  // synchronised at start: nothing to say
  state->synchronized = false;
  state->estimated_error_seconds = 16;
  watch.check(f.log);
  watch.check(f.log);
  ASSERT_EQ(f.lines->size(), 1u);
  EXPECT_EQ(field(f.lines->back(), "level"), R"("warning")");
  EXPECT_EQ(field(f.lines->back(), "event"), R"("clock")");
  EXPECT_EQ(field(f.lines->back(), "synchronized"), "false");
  EXPECT_EQ(field(f.lines->back(), "estimated_error_seconds"), "16.000000");
  state->synchronized = true;
  watch.check(f.log);
  ASSERT_EQ(f.lines->size(), 2u);
  EXPECT_EQ(field(f.lines->back(), "level"), R"("info")");
  EXPECT_EQ(field(f.lines->back(), "synchronized"), "true");
  state->known = false;
  state->error = "adjtimex: Operation not permitted";
  watch.check(f.log);
  ASSERT_EQ(f.lines->size(), 3u);
  EXPECT_EQ(field(f.lines->back(), "level"), R"("warning")");
  EXPECT_NE(f.lines->back().find("Operation not permitted"), std::string::npos);
  for (const auto& line : *f.lines) EXPECT_TRUE(valid_json_object(line)) << line;

  Fixture unsynced_at_start;
  ClockWatch cold([] { return ClockReport{}; });  // known, not synchronised
  cold.check(unsynced_at_start.log);
  EXPECT_EQ(unsynced_at_start.lines->size(), 1u);
  EXPECT_EQ(describe_clock(ClockReport{}),
            "clock synchronized: no (estimated error 0.000000 s, maximum error 0.000000 s)");
}

TEST(EventLog, LinesAreJsonObjectsWithATimestamp) {
  Fixture f;
  f.log.started(1, 2);
  f.log.reload_ok(2);
  f.log.reload_rejected(2, "authd.conf:3: route /x: \"bad\"\n");
  f.log.warning("failure-status 500 is not 401 or 403");
  f.log.stopping(15);
  f.log.stopped();
  ASSERT_EQ(f.lines->size(), 6u);
  for (const std::string& line : *f.lines) {
    EXPECT_TRUE(valid_json_object(line)) << line;
    EXPECT_EQ(line.rfind("{\"ts\":\"", 0), 0u) << line;
    // 2024-01-02T03:04:05.678Z
    EXPECT_EQ(line.substr(7 + 23, 2), "Z\"") << line;
    EXPECT_NE(line.find("\",\"version\":\"" APPROOV_VERSION_STRING "\",\"event\":"),
              std::string::npos)
        << line;
  }
  EXPECT_NE((*f.lines)[0].find("\"level\":\"info\""), std::string::npos);
  EXPECT_NE((*f.lines)[0].find(",\"event\":\"started\",\"generation\":1,\"threads\":2,"
                               "\"listen\":[]}\n"),
            std::string::npos);
  EXPECT_NE((*f.lines)[1].find("\"level\":\"info\""), std::string::npos);
  EXPECT_NE((*f.lines)[2].find("\"level\":\"error\""), std::string::npos);
  EXPECT_NE((*f.lines)[3].find("\"level\":\"warning\""), std::string::npos);
  EXPECT_NE((*f.lines)[2].find("\"result\":\"rejected\",\"generation\":2,\"error\":"
                               "\"authd.conf:3: route /x: \\\"bad\\\"\\n\"}"),
            std::string::npos)
      << (*f.lines)[2];
  EXPECT_NE((*f.lines)[4].find("\"event\":\"stopping\",\"signal\":15}"), std::string::npos);
}

TEST(EventLog, DenialLineNamesReasonRouteMethodAndFingerprint) {
  Fixture f;
  WorkerLog w;
  ASSERT_TRUE(f.log.admit(w, LogKind::deny, 20, 1));
  f.log.denial(w, LogKind::deny, "bad_signature", "/api", "GET", "0123456789abcdef");
  ASSERT_TRUE(f.log.admit(w, LogKind::report_only, 20, 1));
  f.log.denial(w, LogKind::report_only, "expired", "", "POST", "");
  ASSERT_EQ(f.lines->size(), 2u);
  EXPECT_NE((*f.lines)[0].find("\"event\":\"deny\",\"reason\":\"bad_signature\",\"route\":\"/api\","
                               "\"method\":\"GET\",\"token_fp\":\"0123456789abcdef\"}\n"),
            std::string::npos)
      << (*f.lines)[0];
  EXPECT_NE((*f.lines)[1].find("\"event\":\"report_only\",\"reason\":\"expired\",\"route\":\"\","
                               "\"method\":\"POST\"}\n"),
            std::string::npos)
      << (*f.lines)[1];
}

TEST(EventLog, ClientValuesCannotBreakTheLine) {
  Fixture f;
  WorkerLog w;
  ASSERT_TRUE(f.log.admit(w, LogKind::deny, 20, 1));
  f.log.denial(w, LogKind::deny, "bad_uri", "", "G\"E\\T\n\x01\x7f\xC3\xA9\xFF", "");
  ASSERT_EQ(f.lines->size(), 1u);
  const std::string& line = f.lines->front();
  EXPECT_TRUE(valid_json_object(line)) << line;
  EXPECT_NE(line.find("\"method\":\"G\\\"E\\\\T\\n\\u0001\\u007f???\""), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line
}

TEST(EventLog, BadRequestLine) {
  Fixture f;
  WorkerLog w;
  ASSERT_TRUE(f.log.admit(w, LogKind::deny, 20, 1));
  f.log.bad_request(w, 431);
  ASSERT_EQ(f.lines->size(), 1u);
  EXPECT_NE(f.lines->front().find("\"event\":\"deny\",\"reason\":\"bad_request\","
                                  "\"http_status\":431}\n"),
            std::string::npos);
}

// Lines admitted from `w` out of `tries` attempts, each followed by a line written.
int admitted(Fixture& f, WorkerLog& w, LogKind kind, double rate, std::size_t workers, int tries) {
  int n = 0;
  for (int i = 0; i < tries; ++i) {
    if (f.log.admit(w, kind, rate, workers)) {
      ++n;
      f.log.denial(w, kind, "expired", "/", "GET", "");
    }
  }
  return n;
}

TEST(EventLog, RateLimitAllowsABurstOfTheRateThenRefills) {
  Fixture f;
  WorkerLog w;
  EXPECT_EQ(admitted(f, w, LogKind::deny, 20, 1, 100), 20);  // the burst: one second's worth
  EXPECT_EQ(w.deny.suppressed, 80u);
  f.advance(milliseconds(100));  // 2 lines' worth
  EXPECT_EQ(admitted(f, w, LogKind::deny, 20, 1, 100), 2);
  f.advance(std::chrono::seconds(60));  // refills to the burst, never beyond
  EXPECT_EQ(admitted(f, w, LogKind::deny, 20, 1, 100), 20);
}

TEST(EventLog, SuppressedLinesAreCountedOnTheNextLine) {
  Fixture f;
  WorkerLog w;
  EXPECT_EQ(admitted(f, w, LogKind::deny, 2, 1, 7), 2);
  f.lines->clear();
  f.advance(milliseconds(500));  // one line's worth
  EXPECT_EQ(admitted(f, w, LogKind::deny, 2, 1, 1), 1);
  ASSERT_EQ(f.lines->size(), 1u);
  EXPECT_NE(f.lines->front().find(",\"suppressed_before\":5}"), std::string::npos)
      << f.lines->front();
  EXPECT_EQ(w.deny.suppressed, 0u);  // reset once reported
  f.advance(milliseconds(500));
  EXPECT_EQ(admitted(f, w, LogKind::deny, 2, 1, 1), 1);
  EXPECT_EQ(f.lines->back().find("suppressed_before"), std::string::npos);
}

TEST(EventLog, DenialsAndReportOnlyHaveTheirOwnBudgets) {
  Fixture f;
  WorkerLog w;
  EXPECT_EQ(admitted(f, w, LogKind::deny, 5, 1, 1000), 5);      // a flood of denials...
  EXPECT_EQ(admitted(f, w, LogKind::report_only, 5, 1, 3), 3);  // ...hides no report-only line
  EXPECT_EQ(w.report_only.suppressed, 0u);
  EXPECT_EQ(w.deny.suppressed, 995u);
}

TEST(EventLog, TheRateIsPerProcessSplitBetweenWorkers) {
  Fixture f;
  WorkerLog a;
  WorkerLog b;
  // 20 per second over 4 workers: 5 each, so the process writes at most 20.
  EXPECT_EQ(admitted(f, a, LogKind::deny, 20, 4, 100), 5);
  EXPECT_EQ(admitted(f, b, LogKind::deny, 20, 4, 100), 5);
  f.advance(milliseconds(400));  // 2 lines' worth at 5 per second
  EXPECT_EQ(admitted(f, a, LogKind::deny, 20, 4, 100), 2);
  // Below one line per second per worker, each still gets a line when its bucket refills.
  WorkerLog c;
  EXPECT_EQ(admitted(f, c, LogKind::deny, 1, 4, 10), 1);
  f.advance(milliseconds(1000));
  EXPECT_EQ(admitted(f, c, LogKind::deny, 1, 4, 10), 0);
  f.advance(milliseconds(3000));
  EXPECT_EQ(admitted(f, c, LogKind::deny, 1, 4, 10), 1);
}

TEST(EventLog, RateZeroLogsNothing) {
  Fixture f;
  WorkerLog w;
  EXPECT_EQ(admitted(f, w, LogKind::deny, 0, 1, 10), 0);
  EXPECT_EQ(admitted(f, w, LogKind::report_only, 0, 1, 10), 0);
  EXPECT_TRUE(f.lines->empty());
}

}  // namespace
}  // namespace approov::authd
