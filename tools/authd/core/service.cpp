#include "core/service.hpp"

#include <algorithm>
#include <utility>

#include "core/settings.hpp"

namespace approov::authd {

Service::Service(std::size_t threads, std::shared_ptr<const Policy> policy, EventLog log)
    : log_(std::move(log)) {
  for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) {
    workers_.push_back(std::make_unique<WorkerState>());
  }
  policy_.publish(std::move(policy));
}

void Service::reload(const std::vector<std::string>& args, DotenvReload& dotenv) {
  const std::uint64_t generation = this->generation();
  std::string error;
  auto fresh = load_settings(args);
  if (!fresh) {
    error = fresh.error();
  } else {
    auto next = build_policy(fresh.value(), generation + 1, dotenv);
    if (!next) {
      error = next.error();
    } else {
      policy_.publish(std::move(next.value()));
      bump(reloads_ok_);
      log_.reload_ok(generation + 1);
      return;
    }
  }
  bump(reloads_rejected_);
  log_.reload_rejected(generation, error);
}

std::string Service::metrics_text(std::size_t connections) const {
  std::vector<const WorkerMetrics*> workers;
  workers.reserve(workers_.size());
  for (const auto& w : workers_) workers.push_back(&w->metrics);
  ServiceGauges gauges;
  gauges.reloads_ok = reloads_ok_.load();
  gauges.reloads_rejected = reloads_rejected_.load();
  gauges.generation = generation();
  gauges.connections = connections;
  return authd::metrics_text(workers, gauges);
}

}  // namespace approov::authd
