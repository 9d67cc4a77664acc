#include "core/service.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/settings.hpp"

namespace approov::authd {

namespace {

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Service::Service(std::size_t threads, std::shared_ptr<const Policy> policy, EventLog log,
                 ClockReader clock)
    : last_success_ms_(unix_ms()), log_(std::move(log)), clock_(std::move(clock)) {
  for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) {
    workers_.push_back(std::make_unique<WorkerState>());
  }
  policy_.publish(std::move(policy));
}

void Service::reload(const std::vector<std::string>& args, DotenvReload& dotenv) {
  const std::uint64_t generation = this->generation();
  std::string error;
  auto fresh = load_settings(args, dotenv.original_environment());
  if (!fresh) {
    error = fresh.error();
  } else {
    const auto current = policy_snapshot();
    auto next = build_policy(fresh.value(), generation + 1, dotenv, current.get());
    if (!next) {
      error = next.error();
    } else {
      policy_.publish(std::move(next.value()));
      last_success_ms_.store(unix_ms());
      last_ok_.store(true);
      bump(reloads_ok_);
      log_.reload_ok(generation + 1);
      return;
    }
  }
  last_ok_.store(false);
  bump(reloads_rejected_);
  log_.reload_rejected(generation, error);
}

std::string Service::metrics_text(ListenerCounters listeners) const {
  std::vector<const WorkerMetrics*> workers;
  workers.reserve(workers_.size());
  for (const auto& w : workers_) workers.push_back(&w->metrics);
  ServiceGauges gauges;
  gauges.reloads_ok = reloads_ok_.load();
  gauges.reloads_rejected = reloads_rejected_.load();
  gauges.generation = generation();
  gauges.last_reload_success_seconds = static_cast<double>(last_success_ms_.load()) / 1000.0;
  gauges.last_reload_ok = last_ok_.load();
  gauges.connections = listeners.connections;
  gauges.connections_refused = listeners.refused;
  gauges.clock = clock_state();
  gauges.process = read_process_stats();
  const auto p = policy_snapshot();
  gauges.jwks = jwks_counts(*p);
  if (p->replay_store) {
    gauges.replay_store = true;
    gauges.replay = p->replay_store->stats();
  }
  return authd::metrics_text(workers, gauges);
}

}  // namespace approov::authd
