// approov-authd's running state: the policy in force, one WorkerState per worker thread, the
// process-wide counters and the event log. One Service per process, created after the first
// policy is built; the check and admin handlers get it through their captures.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "approov/approov.hpp"
#include "core/clock.hpp"
#include "core/dotenv_reload.hpp"
#include "core/event_log.hpp"
#include "core/metrics.hpp"
#include "core/policy.hpp"

namespace approov::authd {

/// What one worker thread owns. Only that worker touches it on the request path (the admin
/// server reads `metrics`, relaxed), so the request path takes no lock and shares no cache
/// line with another worker. The buffers keep their capacity from request to request.
struct alignas(64) WorkerState {
  WorkerMetrics metrics;
  WorkerLog log;
  PolicyCache policy;
  Claims claims;       // ~12 KiB: kept off the stack and reused
  std::string path;    // the normalized request path
  std::string folded;  // the case-folded reading of the path
};

/// The check listeners' counters (from the server engine), read at scrape time.
struct ListenerCounters {
  std::size_t connections = 0;  // open now
  std::uint64_t refused = 0;    // closed at accept: max-connections were open
};

class Service {
 public:
  /// `threads` workers (at least 1), `policy` in force (generation 1 at start-up: the time of
  /// this first load is the first "last successful reload"), `clock` the clock's state.
  Service(std::size_t threads, std::shared_ptr<const Policy> policy, EventLog log = EventLog(),
          ClockReader clock = read_clock_state);
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  [[nodiscard]] std::size_t threads() const noexcept { return workers_.size(); }
  /// The state of worker `index` (< threads()). Called from that worker's thread.
  [[nodiscard]] WorkerState& worker(std::size_t index) noexcept { return *workers_[index]; }
  /// The policy in force, as `w`'s cache holds it (refreshed after a reload). Called from `w`'s
  /// thread; valid until its next call.
  [[nodiscard]] const Policy& policy(WorkerState& w) const noexcept {
    return policy_.get(w.policy);
  }
  /// The policy in force now (a shared copy, for the admin server and reloads).
  [[nodiscard]] std::shared_ptr<const Policy> policy_snapshot() const { return policy_.snapshot(); }
  /// The generation of the policy in force.
  [[nodiscard]] std::uint64_t generation() const { return policy_snapshot()->generation; }
  [[nodiscard]] const EventLog& log() const noexcept { return log_; }

  /// SIGHUP: reads the settings from `args` again (config file included) and builds the next
  /// policy (generation + 1, the .env file reloaded through `dotenv`). On success it takes
  /// effect for the next request on every worker; on any error the policy in force stays.
  /// Either way it is counted and logged. Start-up/signal thread only, one at a time.
  void reload(const std::vector<std::string>& args, DotenvReload& dotenv);

  [[nodiscard]] bool ready() const noexcept { return ready_.load(); }
  void set_ready(bool ready) noexcept { ready_.store(ready); }

  /// The Prometheus exposition of the counters and gauges, with the check listeners'.
  [[nodiscard]] std::string metrics_text(ListenerCounters listeners) const;

  /// The clock's state now (any thread: the admin server's).
  [[nodiscard]] ClockReport clock_state() const { return clock_.reader()(); }
  /// Reads the clock's state and logs it when that is due (see ClockWatch): at start-up and
  /// then periodically, from the start-up/signal thread only.
  ClockReport check_clock() { return clock_.check(log_); }

 private:
  PolicyHolder policy_;
  std::vector<std::unique_ptr<WorkerState>> workers_;
  Counter reloads_ok_{0};
  Counter reloads_rejected_{0};
  std::atomic<std::int64_t> last_success_ms_{0};  // Unix time, ms
  std::atomic<bool> last_ok_{true};
  std::atomic<bool> ready_{false};
  EventLog log_;
  ClockWatch clock_;
};

}  // namespace approov::authd
