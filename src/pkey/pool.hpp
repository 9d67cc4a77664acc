// A small lock-free cache of OpenSSL verification contexts for one key.
//
// OpenSSL contexts (EVP_PKEY_CTX, EVP_MD_CTX, ECDSA_SIG) are not safe to use from two threads at
// once, and creating one costs allocations and, for provider keys, an export of the key. A key
// therefore keeps up to `kSlots` ready contexts: a verify takes one (an atomic exchange on a
// slot), uses it and puts it back (a compare-and-swap into an empty slot). When every slot is
// empty (more threads than slots verifying with the key at that instant, or the first use of
// the key), the caller makes a fresh context, and putting it back keeps it if there is room,
// else frees it. No lock, no waiting; steady state is allocation-free.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>

namespace approov::detail {

/// `Destroy` frees one context (e.g. a function calling EVP_PKEY_CTX_free).
template <class T, void (*Destroy)(T*)>
class ContextPool {
 public:
  static constexpr std::size_t kSlots = 16;

  ContextPool() noexcept {
    for (auto& slot : slots_) slot.store(nullptr, std::memory_order_relaxed);
  }
  ~ContextPool() {
    for (auto& slot : slots_) {
      if (T* context = slot.load(std::memory_order_acquire)) Destroy(context);
    }
  }
  ContextPool(const ContextPool&) = delete;
  ContextPool& operator=(const ContextPool&) = delete;

  /// A context for the caller's exclusive use, or nullptr when none is cached.
  [[nodiscard]] T* take() noexcept {
    const std::size_t start = start_slot();
    for (std::size_t i = 0; i < kSlots; ++i) {
      auto& slot = slots_[(start + i) % kSlots];
      if (slot.load(std::memory_order_relaxed) == nullptr) continue;
      if (T* context = slot.exchange(nullptr, std::memory_order_acquire)) return context;
    }
    return nullptr;
  }

  /// Gives a context back (or to the pool for the first time); frees it when the pool is full.
  void put(T* context) noexcept {
    const std::size_t start = start_slot();
    for (std::size_t i = 0; i < kSlots; ++i) {
      auto& slot = slots_[(start + i) % kSlots];
      T* empty = nullptr;
      if (slot.compare_exchange_strong(empty, context, std::memory_order_release,
                                       std::memory_order_relaxed)) {
        return;
      }
    }
    Destroy(context);
  }

  /// Makes contexts with `make` until `contexts` (at most kSlots) are cached; false when
  /// `make` fails. Start-up only.
  template <class Make>
  bool fill(std::size_t contexts, Make make) noexcept {
    for (std::size_t i = cached(); i < contexts && i < kSlots; ++i) {
      T* context = make();
      if (context == nullptr) return false;
      put(context);
    }
    return true;
  }

  /// Number of cached contexts (start-up and tests only: a snapshot, not synchronised).
  [[nodiscard]] std::size_t cached() const noexcept {
    std::size_t n = 0;
    for (const auto& slot : slots_) n += slot.load(std::memory_order_relaxed) != nullptr;
    return n;
  }

 private:
  // Threads start their search at different slots, so that concurrent verifies with one key
  // seldom contend for the same slot.
  static std::size_t start_slot() noexcept {
    static std::atomic<std::size_t> next{0};
    thread_local std::size_t mine = next.fetch_add(1, std::memory_order_relaxed);
    return mine % kSlots;
  }

  std::array<std::atomic<T*>, kSlots> slots_;
};

}  // namespace approov::detail
