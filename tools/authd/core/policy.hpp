// approov-authd's policy: what the request path reads, built whole from the settings (and the
// secret), never modified, and swapped atomically on reload.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "approov/approov.hpp"
#include "core/dotenv_reload.hpp"
#include "core/routes.hpp"
#include "core/settings.hpp"

namespace approov {
class JwksFetcher;  // src/jwks_fetcher.hpp (the JWKS URL refresher)
}

namespace approov::authd {

/// What the request path reads: built whole, never modified, swapped atomically on reload.
struct Policy {
  RequestCheck check;
  RouteTable routes;  // simple mode: `/` alone
  FailureResponse failure;
  bool claim_headers = true;
  bool cors_preflight = false;
  std::vector<std::string> uri_headers;
  std::uint64_t generation = 0;
  double log_rate = 20;  // per second, whole process, for each of denials and report-only
  // Some route checks message signatures: the check then reads the request's method, scheme,
  // authority and target from what the gateway forwards (see check.cpp, ForwardedRequest).
  bool signing = false;
  bool forwarded_body = false;  // the check request carries the client's body
  // Kept from one policy to the next while its setting is unchanged (see build_policy), so
  // that a reload forgets no signature and reopens no connection.
  std::string replay_spec{};
  std::shared_ptr<ReplayStore> replay_store{};  // null: none
  bool replay_fail_open = false;
  // The JWKS URL's fetcher, kept like the replay store while its settings are unchanged
  // (`jwks_spec`: URL, CA file and interval). Null: no JWKS URL.
  std::string jwks_spec{};
  std::shared_ptr<JwksFetcher> jwks_fetcher{};
  // `check` without the replay store, for every signing route of a path but the one that
  // records the signature (see answer_check): a request's signature is one signature however
  // many routes its path reads as. Null without a replay store (then `check` serves all).
  std::shared_ptr<const RequestCheck> check_without_replay{};
};

/// The JWKS URL's refresh counts (zeros without one), for metrics.
struct JwksCounts {
  bool configured = false;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t failed = 0;
};
[[nodiscard]] JwksCounts jwks_counts(const Policy& policy);

/// Reloads the .env file (through `dotenv`, so that a rotated secret there takes effect),
/// loads the secret (the secret file, or the environment) and builds the policy. Start-up and
/// reload only. Messages name the setting, never the secret (nor a replay store's password).
/// `previous`, the policy in force on a reload, lends its replay store when `replay-store` is
/// unchanged (the signatures it remembers stay remembered).
[[nodiscard]] Configured<std::shared_ptr<const Policy>> build_policy(
    const Settings& settings, std::uint64_t generation, DotenvReload& dotenv,
    const Policy* previous = nullptr);

/// One worker's cached copy of the policy in force (only its owner thread touches it).
struct PolicyCache {
  std::shared_ptr<const Policy> policy;
  std::uint64_t generation = ~std::uint64_t{0};
};

/// The policy in force. `publish` (start-up, reload) and `get` (every request, on any worker)
/// may run concurrently.
class PolicyHolder {
 public:
  /// Makes `p` the policy in force. Generations must differ from one publish to the next.
  void publish(std::shared_ptr<const Policy> p);

  /// The hot path: one acquire load of a read-mostly word; the shared_ptr is copied into the
  /// worker's `cache` only after a reload. Requires a policy published before. The reference
  /// stays valid until the next `get` with the same cache.
  [[nodiscard]] const Policy& get(PolicyCache& cache) const noexcept {
    if (generation_.load(std::memory_order_acquire) != cache.generation) {
      cache.policy = std::atomic_load(&current_);
      cache.generation = cache.policy->generation;
    }
    return *cache.policy;
  }

  /// The policy in force now (a shared_ptr copy: for the admin server and reloads).
  [[nodiscard]] std::shared_ptr<const Policy> snapshot() const {
    return std::atomic_load(&current_);
  }

 private:
  std::shared_ptr<const Policy> current_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace approov::authd
