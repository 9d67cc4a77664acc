// The part of every framework adapter that knows no framework: run the request check for a
// route, log a rejection in one line, and say whether the request may go on. Each adapter
// (beast.hpp, httplib.hpp, microhttpd.hpp) only turns its framework's request into a
// RequestView and a Decision into its framework's response.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string_view>
#include <utility>

#include "approov/reason.hpp"
#include "approov/request_check.hpp"
#include "approov/token_verifier.hpp"

namespace approov::adapters {

/// What is known about one rejected request, for a log line or a metric. Never holds the
/// token: `fingerprint` is `approov::token_fingerprint` (16 hex characters), or empty when
/// no token could be read. The views live only for the duration of the logger call.
struct Rejection {
  Reason reason = Reason::ok;
  std::string_view fingerprint;
  std::string_view method;
  std::string_view path;     ///< request target without its query string (it may carry secrets)
  bool report_only = false;  ///< the request was let through (RoutePolicy::report_only)
};

/// Receives every rejection. Called on the serving thread, possibly from several threads at
/// once: it must be thread-safe and should be quick. Exceptions it throws are swallowed.
using RejectionLogger = std::function<void(const Rejection&)>;

/// A process-wide log budget: a token bucket of `burst` lines refilled at `per_second` lines a
/// second, kept in one atomic (the generic cell rate algorithm: the time at which the bucket
/// would be full again), so `admit` takes no lock and never blocks, whatever the number of
/// threads. A line refused is counted; the next line admitted gets that count (and the count
/// restarts), so every line is either written or counted on a later one.
class LogRateLimit {
 public:
  /// `per_second` 0 refuses every line (and counts none).
  constexpr LogRateLimit(std::uint32_t per_second, std::uint32_t burst) noexcept
      : interval_ns_(per_second == 0 ? 0 : 1'000'000'000 / static_cast<std::int64_t>(per_second)),
        tolerance_ns_(interval_ns_ * static_cast<std::int64_t>(burst == 0 ? 0 : burst - 1)) {}

  /// May a line be written at `now_ns` (a monotonic clock, in nanoseconds)? When it may,
  /// `suppressed` is set to the number of lines refused since the last admitted one.
  [[nodiscard]] bool admit(std::int64_t now_ns, std::uint64_t& suppressed) noexcept {
    if (interval_ns_ == 0) return false;
    std::int64_t full_at = full_at_.load(std::memory_order_relaxed);
    for (;;) {
      const std::int64_t start = full_at > now_ns ? full_at : now_ns;
      if (start - now_ns > tolerance_ns_) {  // bucket empty
        suppressed_.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
      if (full_at_.compare_exchange_weak(full_at, start + interval_ns_,
                                         std::memory_order_relaxed)) {
        suppressed = suppressed_.exchange(0, std::memory_order_relaxed);
        return true;
      }
    }
  }

  /// `admit` at the current time of std::chrono::steady_clock.
  [[nodiscard]] bool admit(std::uint64_t& suppressed) noexcept {
    return admit(std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::steady_clock::now().time_since_epoch())
                     .count(),
                 suppressed);
  }

 private:
  static_assert(std::atomic<std::int64_t>::is_always_lock_free);
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
  std::int64_t interval_ns_;
  std::int64_t tolerance_ns_;
  std::atomic<std::int64_t> full_at_{0};
  std::atomic<std::uint64_t> suppressed_{0};
};

/// The default logger's limits: per process, 20 lines a second with bursts of 100 lines, for
/// denials and for report-only lines each (two separate budgets, so that a flood of denied
/// requests never hides the report-only lines of a route being trialled, nor the reverse).
inline constexpr std::uint32_t kRejectionLogPerSecond = 20;
inline constexpr std::uint32_t kRejectionLogBurst = 100;

/// The default logger's process-wide budget for denial lines (`report_only` false) or for
/// report-only lines (`report_only` true).
inline LogRateLimit& rejection_log_budget(bool report_only) noexcept {
  static LogRateLimit denials(kRejectionLogPerSecond, kRejectionLogBurst);
  static LogRateLimit reports(kRejectionLogPerSecond, kRejectionLogBurst);
  return report_only ? reports : denials;
}

/// Writes the line of `log_rejection_to_stderr` for `r` with no rate limit; `suppressed`
/// (when not 0) is written as ` suppressed=N`, the lines of the same kind left out before it.
inline void write_rejection_line(const Rejection& r, std::uint64_t suppressed) noexcept {
  std::array<char, 384> line{};
  std::size_t n = 0;
  auto put = [&](std::string_view s, std::size_t limit) {
    for (std::size_t i = 0; i < s.size() && i < limit && n + 1 < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      line[n++] = (c < 0x20 || c >= 0x7f) ? '?' : static_cast<char>(c);
    }
  };
  put(r.report_only ? "approov: report-only reason=" : "approov: rejected reason=", 64);
  put(to_string(r.reason), 64);
  put(" token=", 16);
  put(r.fingerprint.empty() ? std::string_view("-") : r.fingerprint, 16);
  if (suppressed != 0) {
    // Before the client's method and path, so that no request can forge it.
    char digits[20];
    std::size_t d = 0;
    do {
      digits[d++] = static_cast<char>('0' + suppressed % 10);
      suppressed /= 10;
    } while (suppressed != 0);
    put(" suppressed=", 16);
    while (d > 0) put(std::string_view(&digits[--d], 1), 1);
  }
  if (!r.method.empty()) {
    put(" ", 1);
    put(r.method, 16);
    put(" ", 1);
    put(r.path, 160);
  }
  line[n++] = '\n';
  // One fwrite of the whole line: concurrent lines never interleave.
  std::fwrite(line.data(), 1, n, stderr);
}

/// Default logger: one line on stderr, e.g.
/// `approov: rejected reason=bad_signature token=1f2e3d4c5b6a7980 GET /`
/// (`approov: report-only reason=...` for a report-only route). Control bytes in the method
/// or path are replaced so that a client cannot forge log lines. Rate limited per process
/// (`kRejectionLogPerSecond`, `kRejectionLogBurst`, one budget for denials and another for
/// report-only lines): a line left out is counted, and the next line written carries the
/// count as `suppressed=N` after the token field, e.g.
/// `approov: rejected reason=expired token=1f2e3d4c5b6a7980 suppressed=312 GET /`.
/// A flood of bad requests therefore writes at most 100 + 20 lines a second of each kind.
inline void log_rejection_to_stderr(const Rejection& r) noexcept {
  std::uint64_t suppressed = 0;
  if (!rejection_log_budget(r.report_only).admit(suppressed)) return;
  write_rejection_line(r, suppressed);
}

/// Outcome of `Guard::decide` for one request.
struct Decision {
  Reason reason = Reason::ok;
  /// True when the protected handler may run: the check passed, the route is unprotected, or
  /// the route is report-only (then `reason` still says what failed and the claims are not
  /// meaningful).
  bool allow = true;
  [[nodiscard]] bool verified() const noexcept { return reason == Reason::ok; }
};

/// A request check plus what to do on failure: the response to send (byte-identical for every
/// reason) and where to log. Immutable after construction and safe to share between
/// serving threads; `decide` is noexcept and does not allocate (the logger may).
class Guard {
 public:
  explicit Guard(RequestCheck check, FailureResponse failure = {},
                 RejectionLogger logger = log_rejection_to_stderr)
      : check_(std::move(check)), failure_(std::move(failure)), logger_(std::move(logger)) {}

  /// Runs the check that `route` asks for at the current time, writing the claims on success,
  /// and logs a rejection (the request's method and path, never its query, feed the line).
  [[nodiscard]] Decision decide(const RequestView& request, const RoutePolicy& route,
                                Claims& claims) const noexcept {
    return decide_at(request, route, claims, unix_now());
  }

  /// Same with a fixed clock (tests).
  [[nodiscard]] Decision decide_at(const RequestView& request, const RoutePolicy& route,
                                   Claims& claims, std::int64_t now) const noexcept {
    const Reason reason = check_.check(request, now, route, claims);
    if (reason == Reason::ok) return {};
    if (logger_) {
      std::string_view token;
      std::array<char, 17> fp{};
      std::string_view fingerprint;
      if (check_.extract_token(request, token) == Reason::ok && !token.empty()) {
        fp = token_fingerprint(token);
        fingerprint = std::string_view(fp.data(), 16);
      }
      const std::string_view method = request.method();
      std::string_view path = request.target();
      const auto query = path.find('?');
      if (query != std::string_view::npos) path = path.substr(0, query);
      try {
        logger_(Rejection{reason, fingerprint, method, path, route.report_only});
      } catch (...) {  // a failing logger must not turn a rejection into a crash
      }
    }
    return {reason, route.report_only};
  }

  [[nodiscard]] const RequestCheck& check() const noexcept { return check_; }
  [[nodiscard]] const FailureResponse& failure() const noexcept { return failure_; }

 private:
  RequestCheck check_;
  FailureResponse failure_;
  RejectionLogger logger_;
};

}  // namespace approov::adapters
