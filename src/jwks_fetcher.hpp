// A JWKS URL kept current in a KeySet: fetched over HTTPS (libcurl) at start-up, refreshed on
// an interval and when a verification meets an unknown kid (rate-limited), the last good set
// kept when a fetch fails. Its own target (approov_jwks_fetch), so that libapproov itself does
// no HTTP: anything that can fetch a JWKS may feed a KeySet with KeySet::replace_from_jwks.
//
// Threads: one background thread per fetcher does every fetch after the first. Verifications
// never fetch and never wait: an unknown kid only raises the KeySet's refresh request.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "approov/configured.hpp"
#include "approov/keyset.hpp"

namespace approov {

/// One refresh, as reported to `JwksFetcherOptions::on_refresh` (for logs and metrics).
struct JwksRefresh {
  enum class Trigger : std::uint8_t {
    startup,      ///< the first fetch, before the fetcher starts
    interval,     ///< the refresh interval passed
    unknown_kid,  ///< a verification met a kid the set does not hold
    retry,        ///< the previous fetch failed
  };
  enum class Outcome : std::uint8_t {
    updated,    ///< a new set is in use
    unchanged,  ///< the same document as before: nothing replaced
    failed,     ///< fetch or JWKS refused: the last good set stays in use
  };
  Trigger trigger = Trigger::startup;
  Outcome outcome = Outcome::failed;
  /// For `failed`, what went wrong (an HTTP status, a TLS or network error, the JWKS problem);
  /// never key material. Empty otherwise.
  std::string message;
  std::size_t keys = 0;          ///< keys in use after the refresh
  std::uint64_t generation = 0;  ///< the KeySet's generation after the refresh
};

[[nodiscard]] const char* to_string(JwksRefresh::Trigger trigger) noexcept;
[[nodiscard]] const char* to_string(JwksRefresh::Outcome outcome) noexcept;

/// Running totals of the fetcher's refreshes (the start-up fetch included).
struct JwksRefreshCounters {
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t failed = 0;
  std::uint64_t unknown_kid_requests = 0;  ///< refresh requests raised by verifications
};

struct JwksFetcherOptions {
  /// The JWKS URL: https only (no redirects are followed).
  std::string url;
  /// Refresh this often.
  std::chrono::seconds refresh_interval{300};
  /// Rate limit: a refresh for an unknown kid, or a retry after a failure, comes no sooner
  /// than this after the previous fetch.
  std::chrono::seconds min_refresh_gap{30};
  /// Whole-transfer timeout of one fetch.
  std::chrono::seconds timeout{10};
  /// A CA bundle (PEM) to trust instead of the system's (e.g. a private CA); empty: the system's.
  std::string ca_file;
  /// Called after each refresh, on the fetcher's thread (the start-up fetch: on the caller's).
  /// Must not block for long; must not throw.
  std::function<void(const JwksRefresh&)> on_refresh;
};

class JwksFetcher {
 public:
  /// Checks the options, fetches the JWKS once (a failure is a start-up error, with a message
  /// naming the URL and the problem), puts its keys in `key_set`, and starts refreshing it.
  [[nodiscard]] static Configured<std::unique_ptr<JwksFetcher>> start(
      std::shared_ptr<KeySet> key_set, JwksFetcherOptions options);

  /// Stops the refresher (waits for a fetch in progress, at most `timeout`).
  ~JwksFetcher();
  JwksFetcher(const JwksFetcher&) = delete;
  JwksFetcher& operator=(const JwksFetcher&) = delete;

  [[nodiscard]] JwksRefreshCounters counters() const noexcept;
  [[nodiscard]] const std::shared_ptr<KeySet>& key_set() const noexcept;

  class Impl;

 private:
  explicit JwksFetcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace approov
