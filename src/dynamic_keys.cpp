#include "dynamic_keys.hpp"

#include <algorithm>
#include <array>

namespace approov::detail {

namespace {

std::atomic<std::uint64_t> g_next_id{1};

// A thread's cached lists: a few key sets per thread (a process seldom has more verifiers with
// a KeySet than this; beyond it, the least recently filled entry is reused).
struct CacheEntry {
  std::uint64_t owner = 0;  // DynamicKeys::id_, 0 for an empty entry
  std::uint64_t generation = 0;
  std::shared_ptr<const KeyList> list;
};
constexpr std::size_t kCacheEntries = 4;

struct ThreadCache {
  std::array<CacheEntry, kCacheEntries> entries;
  std::size_t next = 0;
};

const KeyList& empty_list() noexcept {
  static const KeyList empty;
  return empty;
}

}  // namespace

DynamicKeys::DynamicKeys()
    : id_(g_next_id.fetch_add(1, std::memory_order_relaxed)),
      current_(std::make_shared<const KeyList>()) {}

const KeyList& DynamicKeys::acquire() const noexcept {
  thread_local ThreadCache cache;
  const std::uint64_t generation = generation_.load(std::memory_order_acquire);
  CacheEntry* mine = nullptr;
  for (CacheEntry& e : cache.entries) {
    if (e.owner == id_) {
      if (e.generation == generation && e.list) return *e.list;
      mine = &e;
      break;
    }
  }
  if (mine == nullptr) {
    mine = &cache.entries[cache.next];
    cache.next = (cache.next + 1) % kCacheEntries;
  }
  // The set changed (or this thread never used it): copy the current list under the lock, with
  // the generation it belongs to. Copying a shared_ptr does not allocate; releasing this
  // thread's previous list may free it (its last user was this thread).
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    mine->owner = id_;
    mine->generation = generation_.load(std::memory_order_relaxed);
    mine->list = current_;
  } catch (...) {  // std::mutex::lock reports a broken mutex by throwing: treat as "no keys"
    return empty_list();
  }
  return *mine->list;
}

void DynamicKeys::publish(std::shared_ptr<const KeyList> list) {
  std::shared_ptr<const KeyList> old;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    old = std::move(current_);
    current_ = std::move(list);
    generation_.fetch_add(1, std::memory_order_release);
  }
  // `old` is released here, outside the lock (threads that still use it keep their copies).
}

std::shared_ptr<const KeyList> DynamicKeys::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

void DynamicKeys::request_refresh() noexcept {
  if (refresh_requested_.load(std::memory_order_relaxed)) return;  // already pending
  if (refresh_requested_.exchange(true, std::memory_order_acq_rel)) return;
  requests_.fetch_add(1, std::memory_order_relaxed);
  // Wake the refresher if that costs no waiting; if its mutex is busy, the refresher is awake
  // or about to wait, and its wait slices (at most 200 ms) see the flag.
  if (wait_mutex_.try_lock()) {
    wait_cv_.notify_one();
    wait_mutex_.unlock();
  }
}

bool DynamicKeys::wait_for_refresh_request(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lock(wait_mutex_);
  for (;;) {
    if (refresh_requested_.exchange(false, std::memory_order_acq_rel)) return true;
    if (woken_) {
      woken_ = false;
      return false;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    wait_cv_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(
                                deadline - now, std::chrono::milliseconds(200)));
  }
}

void DynamicKeys::wake() noexcept {
  try {
    std::lock_guard<std::mutex> lock(wait_mutex_);
    woken_ = true;
  } catch (...) {
  }
  wait_cv_.notify_all();
}

}  // namespace approov::detail
