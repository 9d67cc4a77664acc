#include "openssl_allocations.hpp"

#include <openssl/crypto.h>

#include <atomic>
#include <cstdlib>

#include "counting_allocator.hpp"

namespace approov::testing {
namespace {

std::atomic<std::uint64_t> g_count{0};
std::atomic<bool> g_also_as_ours{false};

void count() noexcept {
  g_count.fetch_add(1, std::memory_order_relaxed);
  if (g_also_as_ours.load(std::memory_order_relaxed)) record_allocation();
}

void* counting_malloc(std::size_t size, const char*, int) {
  count();
  return std::malloc(size);
}
void* counting_realloc(void* p, std::size_t size, const char*, int) {
  count();
  return std::realloc(p, size);
}
void plain_free(void* p, const char*, int) {
  std::free(p);
}

}  // namespace

bool count_openssl_allocations(bool also_as_ours) noexcept {
  g_also_as_ours.store(also_as_ours, std::memory_order_relaxed);
  return CRYPTO_set_mem_functions(counting_malloc, counting_realloc, plain_free) != 0;
}

std::uint64_t openssl_allocations() noexcept {
  return g_count.load(std::memory_order_relaxed);
}

}  // namespace approov::testing
