#include "core/event_log.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <utility>

#include "internal/text.hpp"

namespace approov::authd {

namespace {

void write_stderr(std::string_view line) {
  // One write(2) per line keeps lines from different threads whole.
  const ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count()));
  return buf;
}

// Values may come from the client (X-Original-Method): see the class comment.
std::string quote(std::string_view s) {
  return text::json_quote(s, text::NonAscii::question);
}

// `suppressed_before` for the line about to be written from `b`.
void add_suppressed(std::string& fields, LogBudget& b) {
  if (b.suppressed == 0) return;
  fields += ",\"suppressed_before\":" + std::to_string(b.suppressed);
  b.suppressed = 0;
}

}  // namespace

bool LogBudget::take(double rate, std::chrono::steady_clock::time_point now) noexcept {
  const double elapsed = std::chrono::duration<double>(now - refill).count();
  refill = now;
  tokens = std::min(std::max(rate, 1.0), tokens + elapsed * rate);
  if (tokens < 1) {
    ++suppressed;
    return false;
  }
  tokens -= 1;
  return true;
}

EventLog::EventLog(Sink sink, Clock clock) : sink_(std::move(sink)), clock_(std::move(clock)) {
  if (!sink_) sink_ = write_stderr;
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
}

bool EventLog::admit(WorkerLog& log, LogKind kind, double rate, std::size_t workers) const {
  if (rate <= 0) return false;
  return log.budget(kind).take(rate / static_cast<double>(std::max<std::size_t>(workers, 1)),
                               clock_());
}

void EventLog::denial(WorkerLog& log, LogKind kind, std::string_view reason, std::string_view route,
                      std::string_view method, std::string_view token_fingerprint) const {
  std::string fields = kind == LogKind::deny ? "\"event\":\"deny\"" : "\"event\":\"report_only\"";
  fields += ",\"reason\":\"" + std::string(reason) + "\",\"route\":" + quote(route) +
            ",\"method\":" + quote(method);
  if (!token_fingerprint.empty()) {
    fields += ",\"token_fp\":\"" + std::string(token_fingerprint) + "\"";
  }
  add_suppressed(fields, log.budget(kind));
  write(fields);
}

void EventLog::bad_request(WorkerLog& log, unsigned http_status) const {
  std::string fields = "\"event\":\"deny\",\"reason\":\"bad_request\",\"http_status\":" +
                       std::to_string(http_status);
  add_suppressed(fields, log.deny);
  write(fields);
}

void EventLog::started(std::uint64_t generation, std::size_t threads) const {
  write("\"event\":\"started\",\"generation\":" + std::to_string(generation) +
        ",\"threads\":" + std::to_string(threads));
}

void EventLog::warning(std::string_view message) const {
  write("\"event\":\"warning\",\"message\":" + quote(message));
}

void EventLog::reload_ok(std::uint64_t generation) const {
  write("\"event\":\"reload\",\"result\":\"ok\",\"generation\":" + std::to_string(generation));
}

void EventLog::reload_rejected(std::uint64_t generation, std::string_view error) const {
  write("\"event\":\"reload\",\"result\":\"rejected\",\"generation\":" +
        std::to_string(generation) + ",\"error\":" + quote(error));
}

void EventLog::stopping(int signal) const {
  write("\"event\":\"stopping\",\"signal\":" + std::to_string(signal));
}

void EventLog::stopped() const {
  write("\"event\":\"stopped\"");
}

void EventLog::write(std::string_view fields) const {
  std::string line = "{\"ts\":\"" + timestamp() + "\",";
  line += fields;
  line += "}\n";
  sink_(line);
}

}  // namespace approov::authd
