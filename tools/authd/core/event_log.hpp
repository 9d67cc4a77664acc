// approov-authd's event log: one JSON object per line on stderr, and the rate limit that keeps
// a flood of denials from flooding the log (docs/SIDECAR.md, "Logs"). Never a token, a secret
// or a signature: a denial names the token by its fingerprint only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace approov::authd {

/// A token bucket for log lines (one per kind of line per worker; owner thread only).
struct LogBudget {
  double tokens = 0;
  std::chrono::steady_clock::time_point refill{};  // the epoch: the first take finds it full
  std::uint64_t suppressed = 0;                    // lines refused since the last one written

  /// Whether a line may be written at `now`, at `rate` lines per second with a burst of
  /// max(rate, 1) lines; counts a refusal in `suppressed`. `rate` must be above 0.
  [[nodiscard]] bool take(double rate, std::chrono::steady_clock::time_point now) noexcept;
};

/// The kinds of rate-limited line.
enum class LogKind { deny, report_only };

/// One worker's budgets: denials and report-only failures each have their own, so a flood of
/// denials never hides the report-only lines a rollout watches.
struct WorkerLog {
  LogBudget deny;
  LogBudget report_only;
  [[nodiscard]] LogBudget& budget(LogKind kind) noexcept {
    return kind == LogKind::deny ? deny : report_only;
  }
};

/// What a denial line says about the request, from the gateway's fields (raw values, empty
/// when absent; the log sanitises and caps them): its request id, its W3C trace context and
/// the client address it forwards. For logs only: nothing here ever decides.
struct RequestIds {
  std::string_view request_id;     // X-Request-Id
  std::string_view traceparent;    // traceparent
  std::string_view forwarded_for;  // X-Forwarded-For (the first entry is the client)
  std::string_view real_ip;        // X-Real-IP (when there is no X-Forwarded-For)
};

/// The longest request id logged (longer ones are cut): above a UUID (36), nginx's
/// $request_id (32) and AWS's X-Amzn-Trace-Id (about 40).
inline constexpr std::size_t kMaxLoggedRequestId = 128;
/// The longest client address logged: an IPv6 address with brackets and a port is 47 bytes.
inline constexpr std::size_t kMaxLoggedClient = 64;

/// Log levels, written as "info", "warning", "error".
enum class LogLevel { info, warning, error };

/// The kernel's view of the clock, as a `clock` line reports it (see core/clock.hpp).
struct ClockReport {
  bool known = true;  // false: the state could not be read (`error` says why)
  bool synchronized = false;
  double estimated_error_seconds = 0;
  double maximum_error_seconds = 0;
  std::string error;
};

/// Writes the service's events. Lines are
/// `{"ts":"2024-01-02T03:04:05.678Z","level":"info","version":"X.Y.Z",...}\n`, each
/// handed whole to the sink (the default writes it with one write(2) to stderr, which keeps
/// lines from different threads whole). Client-supplied values are quoted so that a line is
/// always valid JSON in valid UTF-8 (control bytes escaped, bytes of 0x80 and above as `?`).
/// Thread-safe as far as the sink is (the default is); the WorkerLog passed in is the
/// caller's worker's.
class EventLog {
 public:
  using Sink = std::function<void(std::string_view line)>;
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  /// `sink` receives each line (default: stderr); `clock` drives the rate limit (default:
  /// std::chrono::steady_clock::now).
  explicit EventLog(Sink sink = {}, Clock clock = {});

  /// Whether a line of `kind` may be written now from `log`: the process-wide `rate` (lines
  /// per second, for each kind; 0: none) split evenly between `workers`.
  [[nodiscard]] bool admit(WorkerLog& log, LogKind kind, double rate, std::size_t workers) const;

  /// A line admitted by `admit`: event "deny" or "report_only", the reason, the route prefix
  /// ("" for none), the method, the token's fingerprint (omitted when empty) and, when lines
  /// were refused since the last one of this kind, `suppressed_before` (then reset).
  /// With `ids`: `request_id` (X-Request-Id: at most kMaxLoggedRequestId bytes, each byte
  /// outside visible ASCII as `?`), `trace_id` (the trace id of a well-formed traceparent)
  /// and `client` (the first X-Forwarded-For entry, else X-Real-IP: at most kMaxLoggedClient
  /// bytes, anything but letters, digits and `.:[]_-` as `?`), each only when present.
  void denial(WorkerLog& log, LogKind kind, std::string_view reason, std::string_view route,
              std::string_view method, std::string_view token_fingerprint,
              const RequestIds& ids = {}) const;
  /// A request the HTTP parser refused (admitted as a denial): reason bad_request and the
  /// status the engine would have sent.
  void bad_request(WorkerLog& log, unsigned http_status) const;

  /// The start-up banner: generation, threads, the check listeners and the admin listener as
  /// bound (`HOST:PORT` with the port chosen for port 0, or `unix:PATH`; admin empty: none).
  void started(std::uint64_t generation, std::size_t threads,
               const std::vector<std::string>& listen = {},
               const std::string& admin_listen = {}) const;
  /// What the start-up policy checks besides tokens, one line after the banner: the keyset's
  /// source (empty: none), the routes that check message signatures, and the replay store
  /// (its description, never a password; empty: none) with its failure policy.
  void features(std::string_view keyset, std::size_t signing_routes, std::string_view replay_store,
                bool replay_fail_open) const;
  void warning(std::string_view message) const;
  /// The clock's state: a warning when it is not synchronised (or cannot be read), else info.
  void clock(const ClockReport& state) const;
  /// A shared replay store stopped answering (warning) or answers again (info): `message`
  /// says where and what (never a password), `unavailable_answers` how many checks met it.
  void replay_store(bool recovered, std::string_view message,
                    std::uint64_t unavailable_answers) const;
  /// A refresh of the JWKS URL: what started it, its outcome (updated, unchanged: info;
  /// failed: warning, with `message`, never key material), the keys in use after it.
  void jwks_refresh(std::string_view trigger, std::string_view outcome, std::string_view message,
                    std::size_t keys) const;
  void reload_ok(std::uint64_t generation) const;
  /// `error` names the setting, file and line, never a secret (configuration messages never do).
  void reload_rejected(std::uint64_t generation, std::string_view error) const;
  void stopping(int signal) const;
  void stopped() const;

  /// Writes `{"ts":"...","level":"...","version":"...",` + `fields` + `}\n`. `fields` must be
  /// JSON members, already quoted.
  void write(LogLevel level, std::string_view fields) const;

 private:
  Sink sink_;
  Clock clock_;
};

}  // namespace approov::authd
