// Counts OpenSSL's own heap allocations (CRYPTO_set_mem_functions) in a benchmark binary,
// apart from the C++ ones counting_allocator.cpp counts, so that a report can say which side
// allocated: ours must be 0 on the hot path, OpenSSL's are the primitive's own.
#pragma once

#include <cstdint>

namespace approov::testing {

/// Routes OpenSSL's malloc/realloc through counting wrappers. Must run before OpenSSL allocates
/// anything (first thing in main); returns false when OpenSSL's allocator was already in use.
/// With `also_as_ours`, each OpenSSL allocation is added to `heap_allocations()` too.
bool count_openssl_allocations(bool also_as_ours = false) noexcept;

/// OpenSSL's allocations since `count_openssl_allocations`.
[[nodiscard]] std::uint64_t openssl_allocations() noexcept;

}  // namespace approov::testing
