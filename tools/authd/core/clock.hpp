// approov-authd and the system clock: token expiry (`exp`, `nbf`, `iat`) is compared with this
// machine's clock, so a check is only as right as the clock. The kernel knows whether an NTP
// daemon keeps the clock synchronised (adjtimex / ntp_adjtime, read-only): the sidecar exports
// that state as gauges, puts it in /readyz's body, and logs a warning at start and whenever it
// changes (docs/SIDECAR.md, "Clock").
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/event_log.hpp"

namespace approov::authd {

/// Reads the kernel's clock state: ntp_adjtime with no change requested (allowed without
/// privileges). Not synchronised when the kernel reports TIME_ERROR or the STA_UNSYNC status
/// bit (no NTP daemon has set the clock lately); `known` is false when the call fails.
[[nodiscard]] ClockReport read_clock_state();

/// A clock source: the kernel's (read_clock_state) or a test's.
using ClockReader = std::function<ClockReport()>;

/// "clock synchronized: yes (estimated error 0.000100 s, maximum error 0.016000 s)", or
/// ": no (...)", or ": unknown (why)": the line /readyz and --check-config show.
[[nodiscard]] std::string describe_clock(const ClockReport& state);

/// Logs the clock's state when it matters: at the first check if it is not synchronised, and
/// at every later check where synchronised-or-not differs from the previous one. One thread
/// at a time (the start-up/signal thread).
class ClockWatch {
 public:
  explicit ClockWatch(ClockReader reader = read_clock_state) : reader_(std::move(reader)) {}

  /// Reads the state, logs it to `log` when it changed (see the class comment), returns it.
  ClockReport check(const EventLog& log);

  [[nodiscard]] const ClockReader& reader() const noexcept { return reader_; }

 private:
  ClockReader reader_;
  std::optional<bool> last_synchronized_;
};

}  // namespace approov::authd
