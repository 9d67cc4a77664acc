// Replay-store configuration without any server: the Redis URL forms and their refusals
// (never echoing a password), the text forms of make_replay_store, the environment
// (APPROOV_REPLAY_STORE, APPROOV_REPLAY_FAIL), the C API's options and counters, what
// fail-closed and fail-open do with an `unavailable` answer, and a Redis store whose server is
// not there (a refused connection: no external process needed).
#include <gtest/gtest.h>

#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "approov.h"
#include "approov/approov.hpp"
#include "approov/message_signing.hpp"
#include "approov/redis_replay_store.hpp"
#include "signed_request.hpp"

namespace approov::test {
namespace {

using std::chrono::milliseconds;

RedisReplayOptions parsed(const std::string& url) {
  auto o = parse_redis_replay_url(url);
  EXPECT_TRUE(o) << url << ": " << o.error();
  return o ? o.value() : RedisReplayOptions{};
}

TEST(RedisUrl, TcpForms) {
  RedisReplayOptions o = parsed("redis://10.0.0.7:6380/3");
  EXPECT_EQ(o.host, "10.0.0.7");
  EXPECT_EQ(o.port, 6380);
  EXPECT_EQ(o.database, 3U);
  EXPECT_TRUE(o.user.empty());
  EXPECT_TRUE(o.password.empty());
  EXPECT_TRUE(o.unix_path.empty());
  EXPECT_EQ(o.key_prefix, "approov:replay:");
  EXPECT_EQ(o.connect_timeout, milliseconds(20));
  EXPECT_EQ(o.command_timeout, milliseconds(20));

  o = parsed("redis://redis.internal");
  EXPECT_EQ(o.host, "redis.internal");
  EXPECT_EQ(o.port, 6379);
  EXPECT_EQ(o.database, 0U);
  o = parsed("redis://redis.internal/");
  EXPECT_EQ(o.database, 0U);

  o = parsed("redis://[::1]:7000/1");
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.port, 7000);
  EXPECT_EQ(o.description(), "redis [::1]:7000 db 1");

  // User and password, percent-decoded; the last '@' ends them.
  o = parsed("redis://approov:s%2Fcr%3At@p@127.0.0.1:6379/2");
  EXPECT_EQ(o.user, "approov");
  EXPECT_EQ(o.password, "s/cr:t@p");
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.description(), "redis 127.0.0.1:6379 db 2 user approov");
  o = parsed("redis://:only-a-password@127.0.0.1");
  EXPECT_EQ(o.user, "");
  EXPECT_EQ(o.password, "only-a-password");

  o = parsed("redis://127.0.0.1/0?timeout_ms=5&connect_timeout_ms=250&prefix=svc%3Areplay%3A");
  EXPECT_EQ(o.command_timeout, milliseconds(5));
  EXPECT_EQ(o.connect_timeout, milliseconds(250));
  EXPECT_EQ(o.key_prefix, "svc:replay:");
  o = parsed("redis://127.0.0.1?timeout_ms=7");
  EXPECT_EQ(o.command_timeout, milliseconds(7));
}

TEST(RedisUrl, UnixForms) {
  RedisReplayOptions o = parsed("unix:/run/redis/redis.sock");
  EXPECT_EQ(o.unix_path, "/run/redis/redis.sock");
  EXPECT_EQ(o.database, 0U);
  EXPECT_EQ(o.description(), "redis unix:/run/redis/redis.sock db 0");
  o = parsed("unix:///run/redis/redis.sock?db=4&user=u&password=p%26w&timeout_ms=9");
  EXPECT_EQ(o.unix_path, "/run/redis/redis.sock");
  EXPECT_EQ(o.database, 4U);
  EXPECT_EQ(o.user, "u");
  EXPECT_EQ(o.password, "p&w");
  EXPECT_EQ(o.command_timeout, milliseconds(9));
}

TEST(RedisUrl, RefusalsNameTheProblemAndNeverEchoThePassword) {
  const std::string password = "Hunter2-secret";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"http://127.0.0.1", "expected redis://"},
      {"rediss://127.0.0.1", "TLS"},
      {"redis://", "no host"},
      {"redis://:6379", "no host"},
      {"redis://127.0.0.1:0", "port"},
      {"redis://127.0.0.1:65536", "port"},
      {"redis://127.0.0.1:", "port is empty"},
      {"redis://127.0.0.1:63x9", "port"},
      {"redis://127.0.0.1/x", "database"},
      {"redis://127.0.0.1/-1", "database"},
      {"redis://[::1", "IPv6"},
      {"redis://[nothex]:1", "IPv6"},
      {"redis://bad host", "host"},
      {"redis://u:" + password + "@h st", "host"},
      {"redis://user@127.0.0.1", "needs a password"},
      {"redis://user:@127.0.0.1", "password is empty"},
      {"redis://u:" + password + "%zz@127.0.0.1", "percent-encoding"},
      // An unencoded '/' in the password ends the authority there: "u" is taken for the host
      // and the password for the port, refused without showing it.
      {"redis://u:" + password + "/x@127.0.0.1", "port"},
      {"redis://127.0.0.1?timeout_ms=0", "timeout_ms"},
      {"redis://127.0.0.1?timeout_ms=10001", "timeout_ms"},
      {"redis://127.0.0.1?connect_timeout_ms=abc", "connect_timeout_ms"},
      {"redis://127.0.0.1?timeout_ms=5&timeout_ms=6", "twice"},
      {"redis://127.0.0.1?prefix=has%20space", "prefix"},
      {"redis://127.0.0.1?prefix=", "prefix"},
      {"redis://127.0.0.1?prefix=" + std::string(129, 'p'), "prefix"},
      {"redis://127.0.0.1?db=2", "unknown option \"db\""},
      {"redis://127.0.0.1?password=" + password, "unknown option \"password\""},
      {"redis://127.0.0.1?flag", "name=value"},
      {"unix:relative.sock", "absolute"},
      {"unix:", "absolute"},
      {"unix:/x.sock?db=x", "database"},
      {"unix:/x.sock?password=" + password + "&password=" + password, "twice"},
      {"unix:/x.sock?bogus=1", "unknown option \"bogus\""},
  };
  for (const auto& [url, expected] : cases) {
    auto o = parse_redis_replay_url(url, "APPROOV_REPLAY_STORE");
    ASSERT_FALSE(o) << url;
    EXPECT_NE(o.error().find(expected), std::string::npos) << url << ": " << o.error();
    EXPECT_EQ(o.error().rfind("APPROOV_REPLAY_STORE: ", 0), 0U) << o.error();
    EXPECT_EQ(o.error().find(password), std::string::npos) << o.error();
    EXPECT_EQ(o.error().find("Hunter"), std::string::npos) << o.error();
  }
}

TEST(ReplayStoreSpec, TextForms) {
  auto none = make_replay_store("none");
  ASSERT_TRUE(none);
  EXPECT_EQ(none.value(), nullptr);
  auto empty = make_replay_store("");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty.value(), nullptr);
  auto memory = make_replay_store("memory");
  ASSERT_TRUE(memory);
  ASSERT_NE(memory.value(), nullptr);
  EXPECT_EQ(memory.value()->description(), "memory");
  for (const char* bad : {"Memory", "redis", "memcached://x", "file:/tmp/x"}) {
    auto r = make_replay_store(bad, {}, "APPROOV_REPLAY_STORE");
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find("expected memory, none, redis://"), std::string::npos) << r.error();
  }
  auto redis = make_replay_store("redis://u:pw-in-url@127.0.0.1:1/0");
#ifdef APPROOV_TEST_HAVE_REDIS
  EXPECT_TRUE(redis_replay_store_available());
  ASSERT_TRUE(redis) << redis.error();  // lazy: nothing is connected yet
  EXPECT_EQ(redis.value()->description(), "redis 127.0.0.1:1 db 0 user u");
#else
  // Built without hiredis: refused at configuration time, saying why.
  EXPECT_FALSE(redis_replay_store_available());
  ASSERT_FALSE(redis);
  EXPECT_NE(redis.error().find("no Redis support"), std::string::npos) << redis.error();
  EXPECT_EQ(redis.error().find("pw-in-url"), std::string::npos) << redis.error();
#endif
}

TEST(ReplayStoreSpec, OptionsOutOfRangeAreRefused) {
  const auto refused = [](RedisReplayOptions o, const char* expected) {
    auto r = make_redis_replay_store(std::move(o));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find(expected), std::string::npos) << r.error();
  };
  RedisReplayOptions o;
  o.key_prefix = "";
  refused(o, "prefix");
  o = {};
  o.command_timeout = milliseconds(0);
  refused(o, "timeouts");
  o = {};
  o.connect_timeout = milliseconds(10001);
  refused(o, "timeouts");
  o = {};
  o.backoff_min = milliseconds(100);
  o.backoff_max = milliseconds(50);
  refused(o, "back-off");
  o = {};
  o.user = "u";
  refused(o, "needs a password");
  o = {};
  o.host.clear();
  refused(o, "host");
}

// ---- the environment ---------------------------------------------------------------------------

struct Env {
  Env(std::initializer_list<std::pair<const char*, const char*>> vars) : vars_(vars) {
    for (auto [k, v] : vars_) ::setenv(k, v, 1);
  }
  ~Env() {
    for (auto [k, v] : vars_) ::unsetenv(k);
  }
  std::vector<std::pair<const char*, const char*>> vars_;
};

TEST(ReplayEnvironment, StoreAndFailPolicy) {
  {
    auto c = message_signing_from_environment();
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c.value().replay_store, nullptr);  // default: none
    EXPECT_FALSE(c.value().replay_fail_open);    // default: closed
  }
  {
    const Env env{{"APPROOV_REPLAY_STORE", "memory"}, {"APPROOV_REPLAY_FAIL", "open"}};
    auto c = message_signing_from_environment();
    ASSERT_TRUE(c) << c.error();
    ASSERT_NE(c.value().replay_store, nullptr);
    EXPECT_EQ(c.value().replay_store->description(), "memory");
    EXPECT_TRUE(c.value().replay_fail_open);
  }
  {
    const Env env{{"APPROOV_REPLAY_FAIL", "closed"}};
    auto c = message_signing_from_environment();
    ASSERT_TRUE(c) << c.error();
    EXPECT_FALSE(c.value().replay_fail_open);
  }
  {
    const Env env{{"APPROOV_REPLAY_FAIL", "maybe"}};
    auto c = message_signing_from_environment();
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().find("APPROOV_REPLAY_FAIL must be open or closed"), std::string::npos);
  }
  {
    const Env env{{"APPROOV_REPLAY_STORE", "redis://user:Env-Pa55word@127.0.0.1:99999/0"}};
    auto c = message_signing_from_environment();
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().rfind("APPROOV_REPLAY_STORE: ", 0), 0U) << c.error();
    EXPECT_NE(c.error().find("port"), std::string::npos) << c.error();
    EXPECT_EQ(c.error().find("Env-Pa55word"), std::string::npos) << c.error();
  }
#ifdef APPROOV_TEST_HAVE_REDIS
  {
    const Env env{{"APPROOV_REPLAY_STORE", "unix:/run/nothing-here.sock?db=1"}};
    auto c = message_signing_from_environment();
    ASSERT_TRUE(c) << c.error();
    ASSERT_NE(c.value().replay_store, nullptr);
    EXPECT_EQ(c.value().replay_store->description(), "redis unix:/run/nothing-here.sock db 1");
  }
#endif
}

// ---- what the policy does with `unavailable` ---------------------------------------------------

// A store that cannot answer (Redis down, say).
class DownStore final : public ReplayStore {
 public:
  ReplayVerdict check_and_insert(std::string_view, std::int64_t, std::int64_t) noexcept override {
    ++calls;
    return ReplayVerdict::unavailable;
  }
  int calls = 0;
};

TEST(ReplayPolicy, FailClosedRefusesFailOpenLetsThrough) {
  auto down = std::make_shared<DownStore>();
  const SignedRequest s;
  EXPECT_EQ(run(check_with(down, false), s), Reason::replay_store_unavailable);
  EXPECT_EQ(run(check_with(down, true), s), Reason::ok);
  EXPECT_EQ(run(check_with(down, true), s), Reason::ok);  // not remembered: nothing to remember
  EXPECT_EQ(down->calls, 3);
  // The store is asked only once the signature is valid: a bad one never reaches it.
  SignedRequest tampered;
  tampered.request.set_target("/v1/other");
  EXPECT_EQ(run(check_with(down, false), tampered), Reason::bad_message_signature);
  EXPECT_EQ(down->calls, 3);
}

TEST(ReplayPolicy, MemoryStoreCounters) {
  auto store = make_memory_replay_store(1024);
  const RequestCheck check = check_with(store, false);
  const SignedRequest a;
  const SignedRequest b;
  EXPECT_EQ(run(check, a), Reason::ok);
  EXPECT_EQ(run(check, a), Reason::replayed_signature);
  EXPECT_EQ(run(check, a), Reason::replayed_signature);
  EXPECT_EQ(run(check, b), Reason::ok);
  const ReplayStoreStats s = store->stats();
  EXPECT_EQ(s.stored, 2U);
  EXPECT_EQ(s.replayed, 2U);
  EXPECT_EQ(s.unavailable, 0U);
  EXPECT_EQ(s.connects, 0U);
}

// ---- the C API ----------------------------------------------------------------------------------

TEST(ReplayCApi, OptionsAndCounters) {
  const std::string secret =
      base64::encode(test_key().data(), test_key().size(), base64::Alphabet::standard, true);
  approov_verifier* verifier =
      approov_verifier_new(secret.data(), secret.size(), APPROOV_SECRET_BASE64, 0, nullptr, 0);
  ASSERT_NE(verifier, nullptr);
  char error[256] = "";
  approov_replay_stats stats{};

  // No store: no counters.
  approov_check* plain =
      approov_check_new(verifier, nullptr, 0, nullptr, 0, nullptr, error, sizeof error);
  ASSERT_NE(plain, nullptr) << error;
  EXPECT_EQ(approov_check_replay_stats(plain, &stats, sizeof stats), -1);
  EXPECT_EQ(approov_check_replay_stats(nullptr, &stats, sizeof stats), -1);
  EXPECT_EQ(approov_check_replay_stats(plain, nullptr, sizeof stats), -1);
  approov_check_free(plain);

  approov_signing_options o{};
  o.replay_store = "memory";
  o.replay_store_len = 6;
  approov_check* memory =
      approov_check_new(verifier, nullptr, 0, nullptr, 0, &o, error, sizeof error);
  ASSERT_NE(memory, nullptr) << error;
  ASSERT_EQ(approov_check_replay_stats(memory, &stats, sizeof stats), 0);
  EXPECT_EQ(stats.stored, 0U);
  approov_check_free(memory);

  // A malformed URL: refused, saying why, without the password.
  const std::string bad = "redis://u:C-api-Secret@127.0.0.1:0/0";
  o.replay_store = bad.data();
  o.replay_store_len = bad.size();
  EXPECT_EQ(approov_check_new(verifier, nullptr, 0, nullptr, 0, &o, error, sizeof error), nullptr);
  EXPECT_NE(std::string(error).find("port"), std::string::npos) << error;
  EXPECT_EQ(std::string(error).find("C-api-Secret"), std::string::npos) << error;

  // replay_protection alone still means the in-process store (as before replay_store).
  o = approov_signing_options{};
  o.replay_protection = 1;
  approov_check* legacy =
      approov_check_new(verifier, nullptr, 0, nullptr, 0, &o, error, sizeof error);
  ASSERT_NE(legacy, nullptr) << error;
  EXPECT_EQ(approov_check_replay_stats(legacy, &stats, sizeof stats), 0);
  approov_check_free(legacy);
  approov_verifier_free(verifier);
}

// ---- a Redis store whose server is not there
// -----------------------------------------------------

#ifdef APPROOV_TEST_HAVE_REDIS
TEST(RedisUnreachable, RefusedConnectionsAnswerUnavailableQuicklyAndReportOnce) {
  std::mutex mutex;
  std::vector<std::string> events;
  RedisReplayOptions o;
  o.port = 1;  // nothing listens on port 1 of the loopback: refused at once
  o.password = "Unreachable-Pw";
  o.backoff_min = std::chrono::milliseconds(1000);  // no second attempt during the test
  o.on_event = [&](const ReplayStoreEvent& e) {
    const std::lock_guard<std::mutex> lock(mutex);
    events.emplace_back(e.message);
  };
  auto made = make_redis_replay_store(o);
  ASSERT_TRUE(made) << made.error();
  auto store = std::move(made).value();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(store->check_and_insert(std::string(32, 'k'), 100, 50), ReplayVerdict::unavailable);
  }
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::milliseconds(500));
  const ReplayStoreStats s = store->stats();
  EXPECT_EQ(s.unavailable, 200U);
  EXPECT_EQ(s.connect_failures, 1U);  // then the back-off: no attempt per call
  EXPECT_EQ(s.stored + s.replayed + s.connects, 0U);
  const std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0], "redis 127.0.0.1:1 db 0: connect: Connection refused");
}
#endif

}  // namespace
}  // namespace approov::test
