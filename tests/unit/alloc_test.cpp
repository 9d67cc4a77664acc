// SPEC/issue 2: verification performs zero heap allocations. This binary replaces the global
// allocation functions with counting versions; the count is only taken around the verify
// loops, so gtest's own allocations do not matter.
#include <atomic>
#include <cstdlib>
#include <new>

#include "test_support.hpp"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};

void* counted_alloc(std::size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void* counted_aligned_alloc(std::size_t size, std::align_val_t align) {
  if (g_counting.load(std::memory_order_relaxed)) ++g_allocations;
  const auto a = static_cast<std::size_t>(align);
  void* p = nullptr;
  if (posix_memalign(&p, a < sizeof(void*) ? sizeof(void*) : a, size == 0 ? 1 : size) != 0) {
    throw std::bad_alloc();
  }
  return p;
}
}  // namespace

void* operator new(std::size_t size) {
  return counted_alloc(size);
}
void* operator new[](std::size_t size) {
  return counted_alloc(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t align) {
  return counted_aligned_alloc(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return counted_aligned_alloc(size, align);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace approov::test {
namespace {

class Counting {
 public:
  Counting() {
    g_allocations = 0;
    g_counting = true;
  }
  ~Counting() { g_counting = false; }
  long stop() {
    g_counting = false;
    return g_allocations.load();
  }
};

TEST(Allocations, CounterSeesAllocations) {
  // Direct calls of the allocation functions: unlike new-expressions, the compiler may not
  // elide them, so this proves the replacement is linked in.
  Counting counting;
  void* p = ::operator new(64);
  ::operator delete(p);
  void* q = ::operator new[](64, std::nothrow);
  ::operator delete[](q);
  EXPECT_EQ(counting.stop(), 2);
}

TEST(Allocations, VerifyOfTheLargeTokenAllocatesNothing) {
  VerifierConfig config;
  config.secrets.emplace_back(approov_test_secret());
  auto created = TokenVerifier::create(config);
  ASSERT_TRUE(created) << created.error();
  const TokenVerifier& verifier = created.value();
  const std::string& token = data("TOKEN_LARGE");
  Claims claims;
  int ok = 0;
  Counting counting;
  for (int i = 0; i < 1000; ++i) ok += verifier.verify(token, kNow, claims) == Reason::ok;
  const long count = counting.stop();
  EXPECT_EQ(ok, 1000);
  EXPECT_EQ(count, 0);
}

TEST(Allocations, ResultOverloadAndFailuresAllocateNothing) {
  const TokenVerifier verifier = make_verifier();
  const std::string tokens[] = {valid_token(R"("sub":"a\u00e9","aud":["x","y"])"),
                                mint(kHeader, R"({"exp":1})"),
                                mint(kHeader, R"({"exp":4708683205})", other_key()),
                                mint(kHeader, R"({"exp":4708683205,"exp":1})"),
                                mint(R"({"alg":"none"})", "{}"),
                                "a.b.c",
                                std::string(9000, 'a')};
  long reasons = 0;
  Counting counting;
  for (int i = 0; i < 100; ++i) {
    for (const std::string& t : tokens) {
      const VerifyResult r = verifier.verify(t, kNow);
      reasons += static_cast<long>(r.reason());
    }
  }
  const long count = counting.stop();
  EXPECT_GT(reasons, 0);
  EXPECT_EQ(count, 0);
}

TEST(Allocations, RequestCheckWithBindingAllocatesNothing) {
  auto rc = RequestCheck::create(make_verifier());
  ASSERT_TRUE(rc) << rc.error();
  const std::string auth = "Bearer abc";
  const std::string token = valid_token(R"("pay":")" + pay_claim_for(auth) + "\"");
  const HeaderList headers{{"Approov-Token", token}, {"Authorization", auth}};
  const BindingPolicy policy;
  Claims claims;
  int ok = 0;
  Counting counting;
  for (int i = 0; i < 1000; ++i) {
    ok += rc.value().check(headers, kNow, &policy, claims) == Reason::ok;
    const auto fp = token_fingerprint(token);
    ok += fp[0] != '\0' ? 0 : 1;
  }
  const long count = counting.stop();
  EXPECT_EQ(ok, 1000);
  EXPECT_EQ(count, 0);
}

}  // namespace
}  // namespace approov::test
