// The implementation behind approov::KeySet: an atomically replaceable KeyList with lock-free
// readers, and the refresh-request flag a verification raises on an unknown kid.
//
// Readers: each thread keeps, per key set it recently used, the list it last took and that
// list's generation. A verify compares the set's generation (one atomic load) with its own; only
// when they differ does it take the mutex, once, to copy the new list's shared_ptr. Writers
// publish a new list under the mutex and then bump the generation. A thread's copy keeps an old
// list alive until that thread verifies again (or exits), so a list is never freed under a
// reader.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "jws.hpp"

namespace approov::detail {

class DynamicKeys {
 public:
  DynamicKeys();
  DynamicKeys(const DynamicKeys&) = delete;
  DynamicKeys& operator=(const DynamicKeys&) = delete;

  /// The current list, for this thread's verification in progress: valid until the calling
  /// thread's next `acquire` of any DynamicKeys. Never null. noexcept and allocation-free but
  /// for a thread's first use of a set (its per-thread cache is then set up).
  [[nodiscard]] const KeyList& acquire() const noexcept;

  /// Publishes a new list (start-up and refresher paths).
  void publish(std::shared_ptr<const KeyList> list);
  [[nodiscard]] std::shared_ptr<const KeyList> current() const;
  [[nodiscard]] std::uint64_t generation() const noexcept {
    return generation_.load(std::memory_order_acquire);
  }

  void request_refresh() noexcept;
  [[nodiscard]] bool wait_for_refresh_request(std::chrono::milliseconds timeout);
  void wake() noexcept;
  [[nodiscard]] std::uint64_t refresh_requests() const noexcept {
    return requests_.load(std::memory_order_relaxed);
  }

 private:
  const std::uint64_t id_;  // unique for the process's lifetime: keys the per-thread caches
  std::atomic<std::uint64_t> generation_{0};
  mutable std::mutex mutex_;
  std::shared_ptr<const KeyList> current_;  // guarded by mutex_

  std::atomic<bool> refresh_requested_{false};
  std::atomic<std::uint64_t> requests_{0};
  std::mutex wait_mutex_;
  std::condition_variable wait_cv_;
  bool woken_ = false;  // guarded by wait_mutex_
};

}  // namespace approov::detail
