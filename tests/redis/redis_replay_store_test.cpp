// The Redis replay store against a real redis-server (Debian's), started here on a loopback
// port and a Unix socket: what it records and for how long, ACL users and database indexes,
// Redis stopped, frozen or slowed mid-run (fail-closed refuses, fail-open lets through, both
// recover, no call outlasts the timeout), no reconnection storm, and many threads racing on
// one signature. Exits 77 (skipped) when redis-server is not installed.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "approov.h"
#include "approov/approov.hpp"
#include "approov/message_signing.hpp"
#include "approov/redis_replay_store.hpp"
#include "keyset_support.hpp"
#include "redis_server.hpp"
#include "signed_request.hpp"
#include "signing/request_signer.hpp"
#include "test_support.hpp"

namespace approov::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// ---- helpers ---------------------------------------------------------------------------------

std::string random_key() {
  thread_local std::mt19937_64 rng(std::random_device{}());  // called from many threads
  std::string key(32, '\0');
  for (char& c : key) c = static_cast<char>(rng());
  return key;
}

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::int64_t unix_time() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Tests of what is recorded use patient timeouts (1 s), so that a loaded CI machine (tests
// run in parallel on 2 cores) cannot turn a slow schedule into `unavailable`; tests of the
// timeouts set their own.
std::string patient(const std::string& url) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") +
         "timeout_ms=1000&connect_timeout_ms=1000";
}

std::shared_ptr<ReplayStore> store_for(const std::string& url, ReplayEventHandler on_event = {}) {
  auto made = make_replay_store(url, std::move(on_event));
  EXPECT_TRUE(made) << made.error();
  return made ? std::move(made).value() : nullptr;
}

std::shared_ptr<ReplayStore> store_with(RedisReplayOptions o) {
  auto made = make_redis_replay_store(std::move(o));
  EXPECT_TRUE(made) << made.error();
  return made ? std::move(made).value() : nullptr;
}

// The longest any call may take: connect + command timeouts (20 + 20 ms by default), plus
// room for a loaded 2-core CI machine to schedule the thread.
constexpr milliseconds kCallBound{40 + 60};

// Records every event (thread-safe).
struct Events {
  std::mutex mutex;
  std::vector<std::pair<ReplayStoreEvent::Kind, std::string>> seen;
  std::vector<std::uint64_t> answers;
  ReplayEventHandler handler() {
    return [this](const ReplayStoreEvent& e) {
      const std::lock_guard<std::mutex> lock(mutex);
      seen.emplace_back(e.kind, std::string(e.message));
      answers.push_back(e.unavailable_answers);
    };
  }
  std::size_t count(ReplayStoreEvent::Kind kind) {
    const std::lock_guard<std::mutex> lock(mutex);
    return static_cast<std::size_t>(
        std::count_if(seen.begin(), seen.end(), [&](const auto& e) { return e.first == kind; }));
  }
  std::string all() {
    const std::lock_guard<std::mutex> lock(mutex);
    std::string out;
    for (const auto& e : seen) out += e.second + "\n";
    return out;
  }
};

// Calls the store until it answers first_seen (a fresh key each time), for at most `limit`.
bool recovers_within(ReplayStore& store, milliseconds limit) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    if (store.check_and_insert(random_key(), unix_time() + 30, unix_time()) ==
        ReplayVerdict::first_seen) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

// Threads that wait for each other, round after round (std::barrier is C++20).
class Barrier {
 public:
  explicit Barrier(int n) : n_(n) {}
  void arrive_and_wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    const long generation = generation_;
    if (++waiting_ == n_) {
      waiting_ = 0;
      ++generation_;
      cv_.notify_all();
      return;
    }
    cv_.wait(lock, [&] { return generation_ != generation; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  const int n_;
  int waiting_ = 0;
  long generation_ = 0;
};

// A server shared by the tests that leave it running.
class RedisReplay : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new RedisServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(server_->command({"FLUSHALL"}), "OK"); }
  static RedisServer& server() { return *server_; }

 private:
  static RedisServer* server_;
};
RedisServer* RedisReplay::server_ = nullptr;

// ---- what is recorded ------------------------------------------------------------------------

TEST_F(RedisReplay, FirstSeenThenReplayedThenOthersFirstSeen) {
  auto store = store_for(patient(server().tcp_url()));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->description(), "redis 127.0.0.1:" + std::to_string(server().port()) + " db 0");
  const std::string a = random_key();
  const std::string b = random_key();
  const std::int64_t now = unix_time();
  EXPECT_EQ(store->check_and_insert(a, now + 60, now), ReplayVerdict::first_seen);
  EXPECT_EQ(store->check_and_insert(a, now + 60, now), ReplayVerdict::replayed);
  EXPECT_EQ(store->check_and_insert(b, now + 60, now), ReplayVerdict::first_seen);
  const ReplayStoreStats s = store->stats();
  EXPECT_EQ(s.stored, 2U);
  EXPECT_EQ(s.replayed, 1U);
  EXPECT_EQ(s.unavailable, 0U);
  EXPECT_EQ(s.connects, 1U);  // one caller: one connection, kept open
}

TEST_F(RedisReplay, TheKeyIsThePrefixAndTheHexOfTheDigestWithTheSignaturesLifetime) {
  auto store = store_for(patient(server().tcp_url() + "?prefix=test:rp:"));
  ASSERT_TRUE(store);
  const std::string key = random_key();
  const std::int64_t now = unix_time();
  ASSERT_EQ(store->check_and_insert(key, now + 75, now), ReplayVerdict::first_seen);
  EXPECT_EQ(server().command({"KEYS", "*"}), "test:rp:" + hex(key));
  EXPECT_EQ(server().command({"GET", "test:rp:" + hex(key)}), "1");
  const long ttl = std::stol(server().command({"TTL", "test:rp:" + hex(key)}));
  EXPECT_GE(ttl, 74);
  EXPECT_LE(ttl, 75);
  // Already past its expiry (the checker never asks that, but the store must not fail): kept
  // for a second rather than refused by Redis as an invalid expire time.
  const std::string late = random_key();
  EXPECT_EQ(store->check_and_insert(late, now - 5, now), ReplayVerdict::first_seen);
  EXPECT_EQ(server().command({"TTL", "test:rp:" + hex(late)}), "1");
}

TEST_F(RedisReplay, ASignatureIsForgottenOnlyAfterItsWindow) {
  auto store = store_for(patient(server().tcp_url()));
  ASSERT_TRUE(store);
  const std::string key = random_key();
  const std::int64_t now = unix_time();
  ASSERT_EQ(store->check_and_insert(key, now + 2, now), ReplayVerdict::first_seen);
  std::this_thread::sleep_for(milliseconds(1000));
  EXPECT_EQ(store->check_and_insert(key, now + 2, unix_time()), ReplayVerdict::replayed);
  // Redis drops it 2 s after it was recorded: then it is new again.
  const auto until = Clock::now() + std::chrono::seconds(5);
  while (server().command({"EXISTS", "approov:replay:" + hex(key)}) == "1" &&
         Clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(store->check_and_insert(key, unix_time() + 2, unix_time()), ReplayVerdict::first_seen);
}

TEST_F(RedisReplay, DistinctKeysNeverCollide) {
  auto store = store_for(patient(server().tcp_url()));
  ASSERT_TRUE(store);
  const std::int64_t now = unix_time();
  std::vector<std::string> keys;
  const std::string base = random_key();
  // Keys one bit apart, and a prefix of another key.
  for (std::size_t i = 0; i < base.size() * 8; i += 7) {
    std::string k = base;
    k[i / 8] = static_cast<char>(k[i / 8] ^ (1 << (i % 8)));
    keys.push_back(k);
  }
  keys.push_back(base);
  keys.push_back(base.substr(0, 31));
  for (int i = 0; i < 2000; ++i) keys.push_back(random_key());
  for (const auto& k : keys) {
    ASSERT_EQ(store->check_and_insert(k, now + 60, now), ReplayVerdict::first_seen) << hex(k);
  }
  for (const auto& k : keys) {
    ASSERT_EQ(store->check_and_insert(k, now + 60, now), ReplayVerdict::replayed) << hex(k);
  }
  EXPECT_EQ(server().command({"DBSIZE"}), std::to_string(keys.size()));
}

TEST_F(RedisReplay, UnixSocketAndDatabaseIndex) {
  auto store = store_for(patient("unix:" + server().socket_path() + "?db=5"));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->description(), "redis unix:" + server().socket_path() + " db 5");
  const std::string key = random_key();
  const std::int64_t now = unix_time();
  ASSERT_EQ(store->check_and_insert(key, now + 60, now), ReplayVerdict::first_seen);
  EXPECT_EQ(server().command({"EXISTS", "approov:replay:" + hex(key)}, 5), "1");
  EXPECT_EQ(server().command({"EXISTS", "approov:replay:" + hex(key)}, 0), "0");
  // Over TCP, the database from the URL's path: the same key is new in database 3...
  auto tcp3 = store_for(patient(server().tcp_url({}, 3)));
  ASSERT_TRUE(tcp3);
  EXPECT_EQ(tcp3->check_and_insert(key, now + 60, now), ReplayVerdict::first_seen);
  EXPECT_EQ(server().command({"EXISTS", "approov:replay:" + hex(key)}, 3), "1");
  // ...and already there for another client of database 5.
  auto tcp5 = store_for(patient(server().tcp_url({}, 5)));
  ASSERT_TRUE(tcp5);
  EXPECT_EQ(tcp5->check_and_insert(key, now + 60, now), ReplayVerdict::replayed);
}

TEST_F(RedisReplay, ManyThreadsReplayingOneSignatureGetExactlyOneFirstSeen) {
  auto store = store_for(patient(server().tcp_url()));
  ASSERT_TRUE(store);
  constexpr int kThreads = 16;
  constexpr int kRounds = 40;
  std::vector<std::string> keys;
  for (int r = 0; r < kRounds; ++r) keys.push_back(random_key());
  std::vector<std::atomic<int>> first(kRounds);
  std::vector<std::atomic<int>> replayed(kRounds);
  std::atomic<int> other{0};
  Barrier sync(kThreads);
  const std::int64_t now = unix_time();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int r = 0; r < kRounds; ++r) {
        sync.arrive_and_wait();  // every thread sends round r's key at the same moment
        switch (store->check_and_insert(keys[static_cast<std::size_t>(r)], now + 60, now)) {
          case ReplayVerdict::first_seen:
            ++first[static_cast<std::size_t>(r)];
            break;
          case ReplayVerdict::replayed:
            ++replayed[static_cast<std::size_t>(r)];
            break;
          default:
            ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(other.load(), 0);
  for (int r = 0; r < kRounds; ++r) {
    EXPECT_EQ(first[static_cast<std::size_t>(r)].load(), 1) << "round " << r;
    EXPECT_EQ(replayed[static_cast<std::size_t>(r)].load(), kThreads - 1) << "round " << r;
  }
  // One connection per concurrent caller, opened lazily: at most one per thread.
  EXPECT_LE(store->stats().connects, static_cast<std::uint64_t>(kThreads));
  EXPECT_GE(store->stats().connects, 2U);
}

// ---- ACL users ---------------------------------------------------------------------------------

TEST(RedisReplayAcl, AnAclUserWithAPasswordAndTheFailuresNeverShowThePassword) {
  const RedisAcl acl;
  RedisServer server(acl);
  // The password holds ':', '@' and '/': percent-encode the '/' (it would end the host).
  std::string encoded = acl.password;
  encoded.replace(encoded.find('/'), 1, "%2F");
  auto store = store_for(patient(server.tcp_url(acl.user + ":" + encoded, 2)));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->description(),
            "redis 127.0.0.1:" + std::to_string(server.port()) + " db 2 user replay");
  const std::string key = random_key();
  const std::int64_t now = unix_time();
  EXPECT_EQ(store->check_and_insert(key, now + 60, now), ReplayVerdict::first_seen);
  EXPECT_EQ(store->check_and_insert(key, now + 60, now), ReplayVerdict::replayed);
  EXPECT_EQ(server.command({"EXISTS", "approov:replay:" + hex(key)}, 2), "1");

  // The Unix socket with the credentials in the query.
  auto unix_store =
      store_for(patient("unix:" + server.socket_path() + "?db=2&user=replay&password=" + encoded));
  ASSERT_TRUE(unix_store);
  EXPECT_EQ(unix_store->check_and_insert(key, now + 60, now), ReplayVerdict::replayed);

  // A wrong password, no credentials, a key outside the user's pattern: unavailable, and
  // events that say why without the password.
  const std::string wrong_password = "not-the-Password-42";
  Events events;
  RedisReplayOptions o;
  o.port = server.port();
  o.user = acl.user;
  o.password = wrong_password;
  o.on_event = events.handler();
  o.connect_timeout = o.command_timeout = milliseconds(1000);
  o.backoff_min = milliseconds(1);
  o.backoff_max = milliseconds(1);
  o.event_interval = milliseconds(0);
  auto wrong = store_with(o);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->check_and_insert(key, now + 60, now), ReplayVerdict::unavailable);
  o.user.clear();
  o.password.clear();
  auto anonymous = store_with(o);
  ASSERT_TRUE(anonymous);
  std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ(anonymous->check_and_insert(key, now + 60, now), ReplayVerdict::unavailable);
  o.user = acl.user;
  o.password = acl.password;
  o.key_prefix = "elsewhere:";
  auto outside = store_with(o);
  ASSERT_TRUE(outside);
  EXPECT_EQ(outside->check_and_insert(key, now + 60, now), ReplayVerdict::unavailable);
  const std::string log = events.all();
  EXPECT_NE(log.find("AUTH answered WRONGPASS"), std::string::npos) << log;
  EXPECT_NE(log.find("SET answered NOAUTH"), std::string::npos) << log;
  EXPECT_NE(log.find("SET answered NOPERM"), std::string::npos) << log;
  EXPECT_EQ(log.find(wrong_password), std::string::npos) << log;
  EXPECT_EQ(log.find(acl.password), std::string::npos) << log;
  EXPECT_EQ(log.find("p@ss"), std::string::npos) << log;
  EXPECT_EQ(wrong->stats().errors, 1U);
}

// ---- Redis stopped, frozen, slowed -------------------------------------------------------------

TEST(RedisReplayOutage, StoppedMidRunFailClosedRefusesFailOpenLetsThroughBothRecover) {
  RedisServer server;
  auto closed_store = store_for(patient(server.tcp_url()));
  auto open_store = store_for(patient(server.tcp_url()));
  ASSERT_TRUE(closed_store && open_store);
  const RequestCheck fail_closed = check_with(closed_store, false);
  const RequestCheck fail_open = check_with(open_store, true);

  const SignedRequest before;
  EXPECT_EQ(run(fail_closed, before), Reason::ok);
  EXPECT_EQ(run(fail_closed, before), Reason::replayed_signature);
  // Another store (another instance, say) on the same Redis knows it too.
  EXPECT_EQ(run(fail_open, before), Reason::replayed_signature);

  server.stop();
  milliseconds worst{0};
  for (int i = 0; i < 20; ++i) {
    const SignedRequest fresh;
    milliseconds took{};
    EXPECT_EQ(run(fail_closed, fresh, &took), Reason::replay_store_unavailable);
    worst = std::max(worst, took);
    EXPECT_EQ(run(fail_open, fresh, &took), Reason::ok);
    worst = std::max(worst, took);
  }
  std::printf("Redis stopped: slowest call %lld ms\n", static_cast<long long>(worst.count()));
  EXPECT_LE(worst, kCallBound);
  EXPECT_EQ(closed_store->stats().unavailable, 20U);
  EXPECT_EQ(open_store->stats().unavailable, 20U);  // each one let through, and counted

  server.start();  // same port, empty (nothing persisted)
  // Recovery without a restart: within the longest back-off (1 s) and a little.
  const auto until = Clock::now() + std::chrono::seconds(3);
  Reason closed_r = Reason::replay_store_unavailable;
  const SignedRequest after;
  while (closed_r != Reason::ok && Clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(20));
    closed_r = run(fail_closed, after);
  }
  EXPECT_EQ(closed_r, Reason::ok);
  EXPECT_EQ(run(fail_closed, after), Reason::replayed_signature);
  const SignedRequest after2;
  EXPECT_TRUE(recovers_within(*open_store, milliseconds(3000)));
  EXPECT_EQ(run(fail_open, after2), Reason::ok);
  EXPECT_EQ(run(fail_open, after2), Reason::replayed_signature);
}

TEST(RedisReplayOutage, AFrozenRedisCostsAtMostTheTimeoutAndNoCallHangs) {
  RedisServer server;
  Events events;
  RedisReplayOptions o;
  o.port = server.port();
  o.on_event = events.handler();
  auto store = store_with(o);
  ASSERT_TRUE(store);
  // Open a few connections first (threads at once), so that frozen ones are in the pool.
  {
    std::vector<std::thread> warm;
    for (int t = 0; t < 4; ++t) {
      warm.emplace_back([&] {
        for (int i = 0; i < 50; ++i)
          (void)store->check_and_insert(random_key(), unix_time() + 30, unix_time());
      });
    }
    for (auto& t : warm) t.join();
  }
  server.pause();  // SIGSTOP: connects still complete (kernel backlog), nothing answers
  std::atomic<long long> worst_ms{0};
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  const auto stop_at = Clock::now() + milliseconds(1500);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (Clock::now() < stop_at) {
        const auto start = Clock::now();
        const ReplayVerdict v =
            store->check_and_insert(random_key(), unix_time() + 30, unix_time());
        const long long ms = std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
        long long w = worst_ms.load();
        while (ms > w && !worst_ms.compare_exchange_weak(w, ms)) {
        }
        EXPECT_EQ(v, ReplayVerdict::unavailable);
        ++answered;
        // Requests arrive; threads do not spin (which would starve the timed-out ones of
        // CPU on a small machine and measure the scheduler instead of the store).
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
  }
  for (auto& t : threads) t.join();
  std::printf("Redis frozen: %d calls in 1.5 s, slowest %lld ms, %llu timeouts\n", answered.load(),
              worst_ms.load(), static_cast<unsigned long long>(store->stats().timeouts));
  EXPECT_LE(milliseconds(worst_ms.load()), kCallBound);
  // Back-off: after the first timeouts, calls answer at once without waiting on Redis.
  EXPECT_GT(answered.load(), 1000);
  EXPECT_GE(store->stats().timeouts, 1U);
  EXPECT_LE(store->stats().timeouts, 30U);
  EXPECT_EQ(events.count(ReplayStoreEvent::Kind::unavailable), 1U);  // rate limited
  EXPECT_NE(events.all().find("no answer within 20 ms"), std::string::npos) << events.all();

  server.resume();
  EXPECT_TRUE(recovers_within(*store, milliseconds(3000)));
  EXPECT_EQ(events.count(ReplayStoreEvent::Kind::recovered), 1U);
  {
    const std::lock_guard<std::mutex> lock(events.mutex);
    ASSERT_EQ(events.answers.size(), 2U);
    // The recovered event counts the unavailable answers since the unavailable event.
    EXPECT_EQ(events.answers[0] + events.answers[1], store->stats().unavailable);
  }
}

TEST(RedisReplayOutage, DebugSleepHitsTheCommandTimeout) {
  RedisServer server;
  auto store = store_for(server.tcp_url() + "?timeout_ms=30&connect_timeout_ms=1000");
  ASSERT_TRUE(store);
  ASSERT_TRUE(recovers_within(*store, milliseconds(3000)));  // a connection in the pool
  const std::uint64_t timeouts = store->stats().timeouts;
  std::thread sleeper([&] { server.command({"DEBUG", "SLEEP", "0.6"}); });
  std::this_thread::sleep_for(milliseconds(100));  // the server is asleep now
  const auto start = Clock::now();
  EXPECT_EQ(store->check_and_insert(random_key(), unix_time() + 30, unix_time()),
            ReplayVerdict::unavailable);
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  std::printf("DEBUG SLEEP: the call gave up after %lld ms (command timeout 30 ms)\n",
              static_cast<long long>(took.count()));
  EXPECT_GE(took, milliseconds(25));
  EXPECT_LE(took, milliseconds(30 + 60));
  EXPECT_EQ(store->stats().timeouts, timeouts + 1);
  sleeper.join();
  EXPECT_TRUE(recovers_within(*store, milliseconds(3000)));
}

TEST(RedisReplayOutage, AConnectThatDoesNotCompleteTimesOut) {
  // A listener whose accept queue is full: the kernel drops further handshakes, so a connect
  // hangs until its timeout (what a host that has vanished behind a firewall looks like).
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 8; ++i) {  // fill the queue (non-blocking connects)
    const int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    (void)::connect(f, reinterpret_cast<sockaddr*>(&a), sizeof a);
    fillers.push_back(f);
  }
  std::this_thread::sleep_for(milliseconds(50));
  RedisReplayOptions o;
  o.port = ntohs(a.sin_port);
  o.connect_timeout = milliseconds(25);
  auto store = store_with(o);
  ASSERT_TRUE(store);
  const auto start = Clock::now();
  EXPECT_EQ(store->check_and_insert(random_key(), unix_time() + 30, unix_time()),
            ReplayVerdict::unavailable);
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  std::printf("connect to a full accept queue: gave up after %lld ms (connect timeout 25 ms)\n",
              static_cast<long long>(took.count()));
  EXPECT_LE(took, milliseconds(25 + 20 + 60));
  const ReplayStoreStats s = store->stats();
  EXPECT_EQ(s.connect_failures, 1U);
  // Either the connect itself timed out, or (if the kernel completed it) the SET did.
  EXPECT_EQ(s.timeouts, 1U);
  for (int f : fillers) ::close(f);
  ::close(listener);
}

TEST(RedisReplayOutage, NoReconnectionStormWhileRedisIsDown) {
  RedisServer server;
  auto store = store_for(patient(server.tcp_url()));
  ASSERT_TRUE(store);
  server.stop();
  std::atomic<int> calls{0};
  std::vector<std::thread> threads;
  const auto stop_at = Clock::now() + milliseconds(1000);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      while (Clock::now() < stop_at) {
        EXPECT_EQ(store->check_and_insert(random_key(), unix_time() + 30, unix_time()),
                  ReplayVerdict::unavailable);
        ++calls;
      }
    });
  }
  for (auto& t : threads) t.join();
  const ReplayStoreStats s = store->stats();
  std::printf("Redis down for 1 s, 8 threads: %d calls, %llu connection attempts\n", calls.load(),
              static_cast<unsigned long long>(s.connect_failures));
  EXPECT_EQ(s.unavailable, static_cast<std::uint64_t>(calls.load()));
  // Back-off 50 ms doubling to 1 s (jittered), one thread per attempt: a handful per second,
  // not one per call.
  EXPECT_GE(s.connect_failures, 2U);
  EXPECT_LE(s.connect_failures, 12U);
  EXPECT_GT(calls.load(), 1000);
}

TEST(RedisReplayOutage, ConnectionsClosedByARestartAreReplacedWithinTheCall) {
  RedisServer server;
  auto store = store_for(patient("unix:" + server.socket_path()));
  ASSERT_TRUE(store);
  {
    Barrier sync(4);
    std::vector<std::thread> warm;
    for (int t = 0; t < 4; ++t) {
      warm.emplace_back([&] {
        sync.arrive_and_wait();
        (void)store->check_and_insert(random_key(), unix_time() + 30, unix_time());
      });
    }
    for (auto& t : warm) t.join();
  }
  const std::uint64_t opened = store->stats().connects;
  server.stop();
  server.start();
  // Every pooled connection is dead; the first call finds that out and opens a new one.
  EXPECT_EQ(store->check_and_insert(random_key(), unix_time() + 30, unix_time()),
            ReplayVerdict::first_seen);
  const ReplayStoreStats s = store->stats();
  EXPECT_EQ(s.unavailable, 0U);
  EXPECT_EQ(s.connect_failures, 0U);
  EXPECT_EQ(s.connects, opened + 1);
}

// ---- the C API -------------------------------------------------------------------------------

struct CEvents {
  std::mutex mutex;
  std::vector<int> kinds;
  std::string text;
};

void c_event(void* context, int kind, const char* message, size_t message_len,
             uint64_t /*unavailable_answers*/) {
  auto* e = static_cast<CEvents*>(context);
  const std::lock_guard<std::mutex> lock(e->mutex);
  e->kinds.push_back(kind);
  e->text.append(message, message_len).append("\n");
}

TEST(RedisReplayCApi, ARedisUrlFailOpenEventsAndCounters) {
  RedisServer server;
  const std::string secret =
      base64::encode(test_key().data(), test_key().size(), base64::Alphabet::standard, true);
  approov_verifier* verifier =
      approov_verifier_new(secret.data(), secret.size(), APPROOV_SECRET_BASE64, 0, nullptr, 0);
  ASSERT_NE(verifier, nullptr);
  const std::string url = patient(server.tcp_url());
  CEvents events;
  approov_signing_options o{};
  o.replay_store = url.data();
  o.replay_store_len = url.size();
  o.replay_event = c_event;
  o.replay_event_context = &events;
  char error[256] = "";
  approov_check* closed =
      approov_check_new(verifier, nullptr, 0, nullptr, 0, &o, error, sizeof error);
  ASSERT_NE(closed, nullptr) << error;
  o.replay_fail_open = 1;
  approov_check* open =
      approov_check_new(verifier, nullptr, 0, nullptr, 0, &o, error, sizeof error);
  ASSERT_NE(open, nullptr) << error;
  approov_route* route = approov_route_new();
  approov_route_check_signatures(route, 0);

  struct Context {
    const SignedRequest* s;
  };
  const auto fields = [](void* context, const char* name, size_t name_len,
                         approov_field_line_fn line, void* sink) -> size_t {
    struct Sink final : FieldLineSink {
      approov_field_line_fn fn = nullptr;
      void* sink = nullptr;
      void line(std::string_view v) noexcept override { fn(sink, v.data(), v.size()); }
    } forward;
    forward.fn = line;
    forward.sink = sink;
    return static_cast<Context*>(context)->s->request.fields(std::string_view(name, name_len),
                                                             forward);
  };
  const auto check = [&](approov_check* c, const SignedRequest& s) {
    Context context{&s};
    approov_request r{};
    r.method = "GET";
    r.method_len = 3;
    r.scheme = "https";
    r.scheme_len = 5;
    r.authority = "api.example.com";
    r.authority_len = 15;
    r.target = "/v1/x";
    r.target_len = 5;
    r.fields = fields;
    r.context = &context;
    return approov_check_request(c, &r, kNow, route, nullptr);
  };
  const SignedRequest one;
  EXPECT_EQ(check(closed, one), APPROOV_OK);
  EXPECT_EQ(check(closed, one), APPROOV_REPLAYED_SIGNATURE);
  EXPECT_EQ(check(open, one), APPROOV_REPLAYED_SIGNATURE);  // the same Redis
  server.stop();
  const SignedRequest two;
  EXPECT_EQ(check(closed, two), APPROOV_REPLAY_STORE_UNAVAILABLE);
  EXPECT_EQ(check(open, two), APPROOV_OK);
  approov_replay_stats stats{};
  ASSERT_EQ(approov_check_replay_stats(closed, &stats, sizeof stats), 0);
  EXPECT_EQ(stats.stored, 1U);
  EXPECT_EQ(stats.replayed, 1U);
  EXPECT_EQ(stats.unavailable, 1U);
  EXPECT_EQ(stats.connect_failures, 1U);
  ASSERT_EQ(approov_check_replay_stats(open, &stats, sizeof stats), 0);
  EXPECT_EQ(stats.unavailable, 1U);  // let through, and counted
  // A caller built against a smaller struct gets only what it knows of.
  approov_replay_stats partial{};
  partial.replayed = 99;
  ASSERT_EQ(approov_check_replay_stats(closed, &partial, sizeof(uint64_t)), 0);
  EXPECT_EQ(partial.stored, 1U);
  EXPECT_EQ(partial.replayed, 99U);
  server.start();
  const auto until = Clock::now() + std::chrono::seconds(3);
  int r = APPROOV_REPLAY_STORE_UNAVAILABLE;
  const SignedRequest three;
  while (r != APPROOV_OK && Clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(20));
    r = check(closed, three);
  }
  EXPECT_EQ(r, APPROOV_OK);
  {
    const std::lock_guard<std::mutex> lock(events.mutex);
    ASSERT_GE(events.kinds.size(), 3U) << events.text;
    EXPECT_EQ(events.kinds[0], APPROOV_REPLAY_STORE_DOWN);
    EXPECT_NE(events.text.find("connect: Connection refused"), std::string::npos) << events.text;
    EXPECT_EQ(std::count(events.kinds.begin(), events.kinds.end(), APPROOV_REPLAY_STORE_UP), 1);
  }
  approov_route_free(route);
  approov_check_free(closed);
  approov_check_free(open);
  approov_verifier_free(verifier);
}

}  // namespace
}  // namespace approov::test

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Listing the tests (ctest's discovery) needs no server; running them does.
  if (!::testing::GTEST_FLAG(list_tests) && approov::test::redis_server_binary().empty()) {
    std::printf("redis-server is not installed (Debian: apt install redis-server): skipped\n");
    return 77;
  }
  return RUN_ALL_TESTS();
}
