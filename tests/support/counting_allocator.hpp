// Counts heap allocations in a test or benchmark binary. Linking counting_allocator.cpp into
// a binary replaces its global operator new/delete (every form, so none falls through
// uncounted); read the count before and after the code under test.
#pragma once

#include <cstdint>

namespace approov::testing {

/// Allocations made through operator new (or `record_allocation`) since the program started.
[[nodiscard]] std::uint64_t heap_allocations() noexcept;

/// Adds one to the count, for allocators hooked in elsewhere (e.g. OpenSSL's
/// CRYPTO_set_mem_functions).
void record_allocation() noexcept;

}  // namespace approov::testing
