// The in-process replay store: fixed-size open-addressing tables, sharded by the key's first
// byte, each behind its own mutex. The one lock on a request path in the library, and only
// when replay protection is on: remembering what other threads accepted is shared state by
// nature. With 64 shards and a critical section of a few dozen instructions, threads rarely
// meet. Nothing is allocated after construction.
#include <array>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "approov/message_signing.hpp"

namespace approov {

namespace {

constexpr std::size_t kShards = 64;
// Probing stops after this many slots: a key lives within this window of its hash, so a
// lookup reads at most that many slots. With the load the capacity implies, a full window is
// vanishingly rare; when it happens the store says `unavailable` rather than forget a key.
constexpr std::size_t kWindow = 32;
constexpr std::size_t kKeySize = 32;

struct Slot {
  std::array<unsigned char, kKeySize> key{};
  std::int64_t expires_at = 0;  // 0: empty; otherwise free again once <= now
};

class Shard {
 public:
  void resize(std::size_t slots) { slots_.assign(slots, Slot{}); }

  ReplayVerdict check_and_insert(const unsigned char* key, std::size_t start,
                                 std::int64_t expires_at, std::int64_t now) noexcept {
    const std::lock_guard<std::mutex> lock(mutex_);
    Slot* free_slot = nullptr;
    for (std::size_t i = 0; i < kWindow; ++i) {
      Slot& s = slots_[(start + i) % slots_.size()];
      const bool live = s.expires_at > now;
      if (live && std::memcmp(s.key.data(), key, kKeySize) == 0) {
        bump(replayed_);
        return ReplayVerdict::replayed;
      }
      if (!live && free_slot == nullptr) free_slot = &s;
    }
    if (free_slot == nullptr) {
      bump(unavailable_);
      return ReplayVerdict::unavailable;
    }
    std::memcpy(free_slot->key.data(), key, kKeySize);
    free_slot->expires_at = expires_at > now ? expires_at : now + 1;
    bump(stored_);
    return ReplayVerdict::first_seen;
  }

  void add_to(ReplayStoreStats& s) const noexcept {
    s.stored += stored_.load(std::memory_order_relaxed);
    s.replayed += replayed_.load(std::memory_order_relaxed);
    s.unavailable += unavailable_.load(std::memory_order_relaxed);
  }

 private:
  // Written under the shard's lock (atomics only so that stats() may read them without it):
  // per-shard counters add no shared cache line to the request path.
  static void bump(std::atomic<std::uint64_t>& c) noexcept {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  std::mutex mutex_;
  std::vector<Slot> slots_;
  std::atomic<std::uint64_t> stored_{0};
  std::atomic<std::uint64_t> replayed_{0};
  std::atomic<std::uint64_t> unavailable_{0};
};

class MemoryReplayStore final : public ReplayStore {
 public:
  explicit MemoryReplayStore(std::size_t capacity) {
    const std::size_t per_shard = capacity / kShards < kWindow ? kWindow : capacity / kShards;
    for (Shard& s : shards_) s.resize(per_shard);
  }

  ReplayVerdict check_and_insert(std::string_view key, std::int64_t expires_at,
                                 std::int64_t now) noexcept override {
    // Keys are digests: uniformly spread, so their bytes pick the shard and the slot.
    std::array<unsigned char, kKeySize> k{};
    // (an empty key may have a null data(), which memcpy must not see even for 0 bytes)
    if (!key.empty())
      std::memcpy(k.data(), key.data(), key.size() < kKeySize ? key.size() : kKeySize);
    std::uint64_t h = 0;
    std::memcpy(&h, k.data() + 1, sizeof h);
    return shards_[k[0] % kShards].check_and_insert(k.data(), static_cast<std::size_t>(h),
                                                    expires_at, now);
  }

  ReplayStoreStats stats() const noexcept override {
    ReplayStoreStats s;
    for (const Shard& shard : shards_) shard.add_to(s);
    return s;
  }

  std::string description() const override { return "memory"; }

 private:
  std::array<Shard, kShards> shards_;
};

}  // namespace

std::shared_ptr<ReplayStore> make_memory_replay_store(std::size_t capacity) {
  return std::make_shared<MemoryReplayStore>(capacity);
}

}  // namespace approov
