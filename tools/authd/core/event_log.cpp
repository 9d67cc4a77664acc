#include "core/event_log.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <utility>

#include "approov/version.hpp"
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

// At most `cap` bytes of `value`, each byte `keep` refuses as '?': log lines stay short and
// hold nothing a log reader could take for a field or line of its own.
template <class Keep>
std::string sanitized(std::string_view value, std::size_t cap, Keep keep) {
  std::string out(value.substr(0, cap));
  for (char& c : out) {
    if (!keep(c)) c = '?';
  }
  return out;
}

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The trace id of a W3C traceparent (`VV-TRACEID32-PARENTID16-FF`, lower-case hex; version ff
// and all-zero ids are invalid), or empty.
std::string_view trace_id_of(std::string_view tp) {
  while (!tp.empty() && (tp.front() == ' ' || tp.front() == '\t')) tp.remove_prefix(1);
  if (tp.size() < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-') return {};
  if (tp.size() > 55 && (tp.substr(0, 2) == "00" || tp[55] != '-')) return {};
  const std::string_view version = tp.substr(0, 2);
  const std::string_view trace = tp.substr(3, 32);
  const std::string_view parent = tp.substr(36, 16);
  if (!is_lower_hex(version) || version == "ff" || !is_lower_hex(trace) || !is_lower_hex(parent) ||
      !is_lower_hex(tp.substr(53, 2))) {
    return {};
  }
  if (trace.find_first_not_of('0') == std::string_view::npos) return {};
  if (parent.find_first_not_of('0') == std::string_view::npos) return {};
  return trace;
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void add_request_ids(std::string& fields, const RequestIds& ids) {
  if (!ids.request_id.empty()) {
    fields += ",\"request_id\":" + quote(sanitized(ids.request_id, kMaxLoggedRequestId,
                                                   [](char c) { return c > 0x20 && c < 0x7f; }));
  }
  if (const std::string_view trace = trace_id_of(ids.traceparent); !trace.empty()) {
    fields += ",\"trace_id\":\"" + std::string(trace) + "\"";
  }
  std::string_view client = ids.forwarded_for.substr(0, ids.forwarded_for.find(','));
  client = trim_blanks(client);
  if (client.empty()) client = trim_blanks(ids.real_ip);
  if (!client.empty()) {
    fields += ",\"client\":" + quote(sanitized(client, kMaxLoggedClient, [](char c) {
                return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       c == '.' || c == ':' || c == '[' || c == ']' || c == '_' || c == '-';
              }));
  }
}

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
    case LogLevel::info:
      break;
  }
  return "info";
}

std::string seconds_text(double s) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.6f", s);
  return buf;
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
                      std::string_view method, std::string_view token_fingerprint,
                      const RequestIds& ids) const {
  std::string fields = kind == LogKind::deny ? "\"event\":\"deny\"" : "\"event\":\"report_only\"";
  fields += ",\"reason\":\"" + std::string(reason) + "\",\"route\":" + quote(route) +
            ",\"method\":" + quote(method);
  if (!token_fingerprint.empty()) {
    fields += ",\"token_fp\":\"" + std::string(token_fingerprint) + "\"";
  }
  add_request_ids(fields, ids);
  add_suppressed(fields, log.budget(kind));
  write(LogLevel::info, fields);
}

void EventLog::bad_request(WorkerLog& log, unsigned http_status) const {
  std::string fields = "\"event\":\"deny\",\"reason\":\"bad_request\",\"http_status\":" +
                       std::to_string(http_status);
  add_suppressed(fields, log.deny);
  write(LogLevel::info, fields);
}

void EventLog::started(std::uint64_t generation, std::size_t threads,
                       const std::vector<std::string>& listen,
                       const std::string& admin_listen) const {
  std::string fields = "\"event\":\"started\",\"generation\":" + std::to_string(generation) +
                       ",\"threads\":" + std::to_string(threads) + ",\"listen\":[";
  for (std::size_t i = 0; i < listen.size(); ++i) fields += (i ? "," : "") + quote(listen[i]);
  fields += "]";
  if (!admin_listen.empty()) fields += ",\"admin_listen\":" + quote(admin_listen);
  write(LogLevel::info, fields);
}

void EventLog::features(std::string_view keyset, std::size_t signing_routes,
                        std::string_view replay_store, bool replay_fail_open) const {
  std::string fields =
      "\"event\":\"features\",\"message_signing_routes\":" + std::to_string(signing_routes);
  if (!keyset.empty()) fields += ",\"keyset\":" + quote(keyset);
  if (!replay_store.empty()) {
    fields += ",\"replay_store\":" + quote(replay_store) +
              ",\"replay_fail\":" + (replay_fail_open ? "\"open\"" : "\"closed\"");
  }
  write(LogLevel::info, fields);
}

void EventLog::warning(std::string_view message) const {
  write(LogLevel::warning, "\"event\":\"warning\",\"message\":" + quote(message));
}

void EventLog::clock(const ClockReport& state) const {
  if (!state.known) {
    write(LogLevel::warning,
          "\"event\":\"clock\",\"synchronized\":false,\"message\":" +
              quote("cannot read the clock's synchronisation state (" + state.error +
                    "): token expiry is only as right as the clock; keep it synchronised (NTP)"));
    return;
  }
  std::string fields = std::string("\"event\":\"clock\",\"synchronized\":") +
                       (state.synchronized ? "true" : "false") + ",\"estimated_error_seconds\":" +
                       seconds_text(state.estimated_error_seconds) +
                       ",\"maximum_error_seconds\":" + seconds_text(state.maximum_error_seconds);
  if (state.synchronized) {
    write(LogLevel::info, fields + ",\"message\":\"the system clock is synchronised\"");
  } else {
    write(LogLevel::warning,
          fields +
              ",\"message\":\"the system clock is not synchronised (the kernel says so: no NTP "
              "daemon keeps it): token expiry is only as right as the clock; keep it "
              "synchronised (chrony, ntpd or systemd-timesyncd)\"");
  }
}

void EventLog::reload_ok(std::uint64_t generation) const {
  write(LogLevel::info,
        "\"event\":\"reload\",\"result\":\"ok\",\"generation\":" + std::to_string(generation));
}

void EventLog::replay_store(bool recovered, std::string_view message,
                            std::uint64_t unavailable_answers) const {
  write(recovered ? LogLevel::info : LogLevel::warning,
        std::string("\"event\":\"replay_store\",\"state\":") +
            (recovered ? "\"recovered\"" : "\"unavailable\"") + ",\"message\":" + quote(message) +
            ",\"unavailable_answers\":" + std::to_string(unavailable_answers));
}

void EventLog::jwks_refresh(std::string_view trigger, std::string_view outcome,
                            std::string_view message, std::size_t keys) const {
  std::string fields = "\"event\":\"jwks_refresh\",\"trigger\":" + quote(trigger) +
                       ",\"outcome\":" + quote(outcome) + ",\"keys\":" + std::to_string(keys);
  if (!message.empty()) fields += ",\"message\":" + quote(message);
  write(outcome == "failed" ? LogLevel::warning : LogLevel::info, fields);
}

void EventLog::reload_rejected(std::uint64_t generation, std::string_view error) const {
  write(LogLevel::error, "\"event\":\"reload\",\"result\":\"rejected\",\"generation\":" +
                             std::to_string(generation) + ",\"error\":" + quote(error));
}

void EventLog::stopping(int signal) const {
  write(LogLevel::info, "\"event\":\"stopping\",\"signal\":" + std::to_string(signal));
}

void EventLog::stopped() const {
  write(LogLevel::info, "\"event\":\"stopped\"");
}

void EventLog::write(LogLevel level, std::string_view fields) const {
  std::string line = "{\"ts\":\"" + timestamp() + "\",\"level\":\"" + level_name(level) +
                     "\",\"version\":\"" APPROOV_VERSION_STRING "\",";
  line += fields;
  line += "}\n";
  sink_(line);
}

}  // namespace approov::authd
