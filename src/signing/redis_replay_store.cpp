// The Redis replay store (compiled only with hiredis). One command per call,
//   SET <prefix><hex of key> 1 NX EX <seconds>
// answered "OK" (recorded now: first seen) or nil (already there: replayed). Redis applies it
// atomically, so of many instances or threads sending the same key at once exactly one sees
// "OK".
//
// Connections: a pool that grows lazily to the number of concurrent callers (one connection
// per serving thread in practice) and never shrinks. A call takes an idle connection or, when
// there is none, opens one; after a successful command the connection goes back to the pool,
// after any failure it is closed. Owning connections in the store, not in thread_local
// storage, ties their lifetime to the store: a server that starts a thread per connection
// leaks none, and destroying the store closes them all.
//
// Time bound: each call has a deadline of connect_timeout + command_timeout from its start.
// The connect gets at most connect_timeout, and every command (AUTH, SELECT, SET) at most
// command_timeout and never past the deadline (socket send/receive timeouts). A connection
// found closed by Redis (a restart, an idle-client timeout) is replaced within the same call,
// within the same deadline.
//
// Failures (a refused or timed-out connect, a command timeout, an error reply, a connection
// closed right after it was opened) answer `unavailable`, and start a back-off during which
// no new connection is tried; calls that find no idle connection then answer `unavailable` at
// once, without touching the network. When the back-off has passed one caller (and only one)
// tries again; its success ends the episode. Idle connections that still work are used
// meanwhile.
//
// SIGPIPE: commands are written here with send(MSG_NOSIGNAL) (hiredis would write(), and a
// peer that closed the connection would raise SIGPIPE in a host that does not ignore it);
// hiredis only connects and parses replies.
//
// The whole file depends on APPROOV_HAVE_HIREDIS, so that builds which copy the library's
// source list without hiredis (the fuzzing library) compile it to nothing.
#ifdef APPROOV_HAVE_HIREDIS
#include <hiredis.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <openssl/crypto.h>

#include "approov/redis_replay_store.hpp"
#include "signing/redis_replay_store.hpp"

namespace approov::detail {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// Store keys longer than this are recorded on their first 64 bytes (the checker's are 32).
constexpr std::size_t kMaxKeyBytes = 64;
// A failure's text: the store's description and what failed.
constexpr std::size_t kMessageSize = 512;

struct ContextDeleter {
  void operator()(redisContext* c) const noexcept { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;
struct ReplyDeleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

enum class Failure : std::uint8_t {
  none,
  timeout,  // no answer in time
  closed,   // the peer closed or reset the connection
  error,    // anything else: refused connect, error reply, unexpected reply
};

timeval to_timeval(nanoseconds d) noexcept {
  if (d < std::chrono::microseconds(1)) d = std::chrono::microseconds(1);
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(us / 1000000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>(us % 1000000);
  return tv;
}

// A RESP array of bulk strings in a caller's buffer (the SET of every call: no allocation).
class RespWriter {
 public:
  RespWriter(char* buf, std::size_t size) noexcept : buf_(buf), size_(size) {}
  void array(std::size_t n) noexcept { header('*', n); }
  void bulk(std::string_view s) noexcept {
    header('$', s.size());
    raw(s);
    raw("\r\n");
  }
  // A bulk string written in two pieces (prefix and hex), without joining them first.
  void bulk_begin(std::size_t n) noexcept { header('$', n); }
  void raw(std::string_view s) noexcept {
    if (s.size() > size_ - used_) {
      overflow_ = true;
      return;
    }
    std::memcpy(buf_ + used_, s.data(), s.size());
    used_ += s.size();
  }
  [[nodiscard]] bool ok() const noexcept { return !overflow_; }
  [[nodiscard]] std::size_t size() const noexcept { return used_; }

 private:
  void header(char kind, std::size_t n) noexcept {
    char tmp[32];
    const int len = std::snprintf(tmp, sizeof tmp, "%c%zu\r\n", kind, n);
    raw(std::string_view(tmp, static_cast<std::size_t>(len)));
  }
  char* buf_;
  std::size_t size_;
  std::size_t used_ = 0;
  bool overflow_ = false;
};

// The setup commands (AUTH with a password of any length, SELECT): off the request path's
// steady state, so a string is fine.
std::string resp(std::initializer_list<std::string_view> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (std::string_view a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out.append(a.data(), a.size());
    out += "\r\n";
  }
  return out;
}

Failure classify_errno(int e) noexcept {
  if (e == EAGAIN || e == EWOULDBLOCK || e == ETIMEDOUT || e == EINPROGRESS) {
    return Failure::timeout;
  }
  if (e == EPIPE || e == ECONNRESET || e == ENOTCONN || e == ECONNABORTED) return Failure::closed;
  return Failure::error;
}

// Writes the whole command (the socket's send timeout bounds each send).
Failure send_all(int fd, const char* data, std::size_t size) noexcept {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return classify_errno(errno);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return Failure::none;
}

// The first word of an error reply ("WRONGPASS", "OOM", "READONLY", "NOAUTH"...): Redis's
// error code. The rest is not printed: it could in principle echo a command's arguments.
void error_code(const redisReply* r, char* out, std::size_t size) noexcept {
  std::size_t n = 0;
  if (r != nullptr && r->str != nullptr) {
    for (std::size_t i = 0; i < r->len && n + 1 < size && n < 24; ++i) {
      const char c = r->str[i];
      if (c <= ' ' || c > '~') break;
      out[n++] = c;
    }
  }
  if (n == 0 && size > 3) {
    std::memcpy(out, "ERR", 3);
    n = 3;
  }
  out[n] = '\0';
}

std::uint64_t random_bits() noexcept {
  // Jitter only: spreads the reconnection attempts of threads and instances.
  thread_local std::uint64_t state =
      static_cast<std::uint64_t>(Clock::now().time_since_epoch().count()) ^
      (static_cast<std::uint64_t>(std::hash<std::thread::id>()(std::this_thread::get_id())) << 1);
  state += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class RedisReplayStore final : public ReplayStore {
 public:
  explicit RedisReplayStore(RedisReplayOptions options)
      : o_(std::move(options)), description_(o_.description()) {
    idle_.reserve(64);
    if (!o_.password.empty()) {
      auth_ = o_.user.empty() ? resp({"AUTH", o_.password}) : resp({"AUTH", o_.user, o_.password});
    }
    if (o_.database != 0) select_ = resp({"SELECT", std::to_string(o_.database)});
  }

  RedisReplayStore(const RedisReplayStore&) = delete;
  RedisReplayStore& operator=(const RedisReplayStore&) = delete;

  ~RedisReplayStore() override {
    for (redisContext* c : idle_) redisFree(c);
    if (!o_.password.empty()) OPENSSL_cleanse(o_.password.data(), o_.password.size());
    if (!auth_.empty()) OPENSSL_cleanse(auth_.data(), auth_.size());
  }

  ReplayVerdict check_and_insert(std::string_view key, std::int64_t expires_at,
                                 std::int64_t now) noexcept override {
    const Clock::time_point start = Clock::now();
    const Clock::time_point deadline = start + o_.connect_timeout + o_.command_timeout;

    // SET <prefix><hex> 1 NX EX <seconds>: the key lives as long as the signature could still
    // be accepted, counted on this verifier's clock (the one that judged `expires`).
    char command[512];
    RespWriter w(command, sizeof command);
    const std::size_t key_bytes = std::min(key.size(), kMaxKeyBytes);
    char hex[2 * kMaxKeyBytes];
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < key_bytes; ++i) {
      const auto b = static_cast<unsigned char>(key[i]);
      hex[2 * i] = kHex[b >> 4];
      hex[2 * i + 1] = kHex[b & 15];
    }
    const std::int64_t ttl = expires_at - now > 0 ? expires_at - now : 1;
    char seconds[24];
    const int seconds_len =
        std::snprintf(seconds, sizeof seconds, "%lld", static_cast<long long>(ttl));
    w.array(6);
    w.bulk("SET");
    w.bulk_begin(o_.key_prefix.size() + 2 * key_bytes);
    w.raw(o_.key_prefix);
    w.raw(std::string_view(hex, 2 * key_bytes));
    w.raw("\r\n");
    w.bulk("1");
    w.bulk("NX");
    w.bulk("EX");
    w.bulk(std::string_view(seconds, static_cast<std::size_t>(seconds_len)));
    if (!w.ok()) return answer_unavailable();  // cannot happen: the prefix is at most 128

    char what[kMessageSize];
    for (bool retried = false;; retried = true) {
      Context c = take_idle();
      const bool fresh = !c;
      // A new connection, or a second try, runs on what is left of the call's budget.
      const bool bounded = fresh || retried;
      if (fresh) {
        if (!may_connect(start)) return answer_unavailable();
        const Failure f = open(c, deadline, what, sizeof what);
        if (f != Failure::none) {
          connect_failures_.fetch_add(1, std::memory_order_relaxed);
          return fail(f, what);
        }
      }
      ReplayVerdict verdict = ReplayVerdict::unavailable;
      const Failure f = exchange(c.get(), command, w.size(), &verdict, "SET", what, sizeof what,
                                 bounded ? deadline : Clock::time_point::max());
      if (f == Failure::none) {
        if (bounded) redisSetTimeout(c.get(), to_timeval(o_.command_timeout));
        give_back(std::move(c));
        succeeded();
        (verdict == ReplayVerdict::first_seen ? stored_ : replayed_)
            .fetch_add(1, std::memory_order_relaxed);
        return verdict;
      }
      // An idle connection that Redis closed (a restart, `timeout` in redis.conf): Redis never
      // saw this command on it, so try the next one, or a new connection, in the same call.
      if (f == Failure::closed && !fresh && Clock::now() < deadline) continue;
      return fail(f, what);
    }
  }

  ReplayStoreStats stats() const noexcept override {
    ReplayStoreStats s;
    s.stored = stored_.load(std::memory_order_relaxed);
    s.replayed = replayed_.load(std::memory_order_relaxed);
    s.unavailable = unavailable_.load(std::memory_order_relaxed);
    s.connects = connects_.load(std::memory_order_relaxed);
    s.connect_failures = connect_failures_.load(std::memory_order_relaxed);
    s.timeouts = timeouts_.load(std::memory_order_relaxed);
    s.errors = errors_.load(std::memory_order_relaxed);
    return s;
  }

  std::string description() const override { return description_; }

 private:
  // ---- connections ----------------------------------------------------------------------------

  Context take_idle() noexcept {
    const std::lock_guard<std::mutex> lock(pool_mutex_);
    if (idle_.empty()) return Context();
    Context c(idle_.back());
    idle_.pop_back();
    return c;
  }

  void give_back(Context c) noexcept {
    const std::lock_guard<std::mutex> lock(pool_mutex_);
    try {
      idle_.push_back(c.get());
      c.release();
    } catch (...) {  // no room: the connection is closed instead (c's deleter)
    }
  }

  // Outside a failure episode anyone may connect (threads starting together each open their
  // connection). During one, only after the back-off, and only the thread that claims the
  // attempt: it moves the next attempt past the longest its own can take.
  bool may_connect(Clock::time_point now) noexcept {
    if (failures_.load(std::memory_order_acquire) == 0) return true;
    const std::int64_t t = now.time_since_epoch().count();
    std::int64_t next = next_connect_.load(std::memory_order_acquire);
    if (t < next) return false;
    const std::int64_t claim =
        t + std::chrono::duration_cast<Clock::duration>(o_.connect_timeout + o_.command_timeout)
                .count();
    return next_connect_.compare_exchange_strong(next, claim, std::memory_order_acq_rel);
  }

  Failure open(Context& out, Clock::time_point deadline, char* what,
               std::size_t what_size) noexcept {
    const nanoseconds left = deadline - Clock::now();
    const timeval tv = to_timeval(std::min<nanoseconds>(o_.connect_timeout, left));
    errno = 0;
    Context c(o_.unix_path.empty() ? redisConnectWithTimeout(o_.host.c_str(), o_.port, tv)
                                   : redisConnectUnixWithTimeout(o_.unix_path.c_str(), tv));
    const int e = errno;
    if (!c) {
      std::snprintf(what, what_size, "%s: connect: out of memory", description_.c_str());
      return Failure::error;
    }
    if (c->err != 0) {
      std::snprintf(what, what_size, "%s: connect: %s", description_.c_str(), c->errstr);
      Failure f = classify_errno(e);
#ifdef REDIS_ERR_TIMEOUT
      if (c->err == REDIS_ERR_TIMEOUT) f = Failure::timeout;
#endif
      if (std::strstr(c->errstr, "timed out") != nullptr) f = Failure::timeout;
      return f == Failure::timeout ? Failure::timeout : Failure::error;
    }
    connects_.fetch_add(1, std::memory_order_relaxed);
    if (o_.unix_path.empty()) redisEnableKeepAlive(c.get());
    for (const std::string* setup : {&auth_, &select_}) {
      if (setup->empty()) continue;
      const char* name = setup == &auth_ ? "AUTH" : "SELECT";
      const Failure f =
          exchange(c.get(), setup->data(), setup->size(), nullptr, name, what, what_size, deadline);
      // The connection was just opened: closed here means Redis refused the client (e.g.
      // maxclients), not a stale connection.
      if (f != Failure::none) return f == Failure::closed ? Failure::error : f;
    }
    out = std::move(c);
    return Failure::none;
  }

  // Sends one command and reads its answer. `verdict` non-null: a SET NX (OK or nil); null: a
  // setup command that must answer OK. `deadline` set: the socket timeouts are first set to
  // what is left of the call's budget (setup of a fresh connection, then its first SET).
  Failure exchange(redisContext* c, const char* data, std::size_t size, ReplayVerdict* verdict,
                   const char* name, char* what, std::size_t what_size,
                   Clock::time_point deadline = Clock::time_point::max()) noexcept {
    if (deadline != Clock::time_point::max()) {
      const nanoseconds left = deadline - Clock::now();
      if (left <= nanoseconds::zero()) {
        std::snprintf(what, what_size, "%s: %s: no time left", description_.c_str(), name);
        return Failure::timeout;
      }
      redisSetTimeout(c, to_timeval(std::min<nanoseconds>(o_.command_timeout, left)));
    }
    Failure f = send_all(c->fd, data, size);
    if (f != Failure::none) {
      describe_io(f, name, errno, what, what_size);
      return f;
    }
    void* raw = nullptr;
    errno = 0;
    if (redisGetReply(c, &raw) != REDIS_OK) {
      const int e = errno;
      f = c->err == REDIS_ERR_EOF ? Failure::closed : classify_errno(e);
#ifdef REDIS_ERR_TIMEOUT
      if (c->err == REDIS_ERR_TIMEOUT) f = Failure::timeout;
#endif
      if (f == Failure::error) {
        std::snprintf(what, what_size, "%s: %s: %s", description_.c_str(), name, c->errstr);
      } else {
        describe_io(f, name, e, what, what_size);
      }
      return f;
    }
    const Reply reply(static_cast<redisReply*>(raw));
    if (reply->type == REDIS_REPLY_ERROR) {
      char code[32];
      error_code(reply.get(), code, sizeof code);
      std::snprintf(what, what_size, "%s: %s answered %s", description_.c_str(), name, code);
      return Failure::error;
    }
    const bool ok = reply->type == REDIS_REPLY_STATUS && reply->len == 2 &&
                    std::memcmp(reply->str, "OK", 2) == 0;
    if (verdict != nullptr && reply->type == REDIS_REPLY_NIL) {
      *verdict = ReplayVerdict::replayed;
      return Failure::none;
    }
    if (ok) {
      if (verdict != nullptr) *verdict = ReplayVerdict::first_seen;
      return Failure::none;
    }
    std::snprintf(what, what_size, "%s: %s: unexpected reply (type %d)", description_.c_str(), name,
                  reply->type);
    return Failure::error;
  }

  void describe_io(Failure f, const char* name, int e, char* what,
                   std::size_t what_size) const noexcept {
    if (f == Failure::timeout) {
      std::snprintf(what, what_size, "%s: %s: no answer within %lld ms", description_.c_str(), name,
                    static_cast<long long>(o_.command_timeout.count()));
    } else if (f == Failure::closed) {
      std::snprintf(what, what_size, "%s: %s: connection closed by Redis", description_.c_str(),
                    name);
    } else {
      char buf[128];
      std::snprintf(what, what_size, "%s: %s: %s", description_.c_str(), name,
                    strerror_r_text(e, buf, sizeof buf));
    }
  }

  // strerror_r has two signatures (XSI and GNU); both give a usable text here.
  static const char* strerror_r_text(int e, char* buf, std::size_t size) noexcept {
    const auto r = strerror_r(e, buf, size);
    if constexpr (std::is_same_v<std::decay_t<decltype(r)>, char*>) {
      return r;
    } else {
      return r == 0 ? buf : "I/O error";
    }
  }

  // ---- outcomes --------------------------------------------------------------------------------

  ReplayVerdict answer_unavailable() noexcept {
    unavailable_.fetch_add(1, std::memory_order_relaxed);
    return ReplayVerdict::unavailable;
  }

  // A failed connect or command: back off, count, report.
  ReplayVerdict fail(Failure f, const char* what) noexcept {
    (f == Failure::timeout ? timeouts_ : errors_).fetch_add(1, std::memory_order_relaxed);
    const std::uint32_t n = failures_.fetch_add(1, std::memory_order_acq_rel) + 1;
    const std::int64_t min = std::chrono::duration_cast<nanoseconds>(o_.backoff_min).count();
    const std::int64_t max = std::chrono::duration_cast<nanoseconds>(o_.backoff_max).count();
    std::int64_t delay = min;
    for (std::uint32_t i = 1; i < n && delay < max; ++i) delay *= 2;
    delay = std::min(delay, max);
    const std::int64_t half = delay / 2;
    delay = half +
            static_cast<std::int64_t>(random_bits() % static_cast<std::uint64_t>(delay - half + 1));
    next_connect_.store(Clock::now().time_since_epoch().count() +
                            std::chrono::duration_cast<Clock::duration>(nanoseconds(delay)).count(),
                        std::memory_order_release);
    answer_unavailable();
    degraded_.store(true, std::memory_order_release);
    report(ReplayStoreEvent::Kind::unavailable, what);
    return ReplayVerdict::unavailable;
  }

  void succeeded() noexcept {
    if (failures_.load(std::memory_order_relaxed) != 0) {
      failures_.store(0, std::memory_order_release);
    }
    if (degraded_.load(std::memory_order_acquire) &&
        degraded_.exchange(false, std::memory_order_acq_rel)) {
      char what[kMessageSize];
      std::snprintf(what, sizeof what, "%s: answering again", description_.c_str());
      report(ReplayStoreEvent::Kind::recovered, what);
    }
  }

  // Rate limited: one `unavailable` event per interval; a `recovered` event only after a
  // reported `unavailable` one (so that every "down" line gets its "up" line, and no more).
  void report(ReplayStoreEvent::Kind kind, const char* what) noexcept {
    if (!o_.on_event) return;
    const std::lock_guard<std::mutex> lock(event_mutex_);
    const Clock::time_point now = Clock::now();
    if (kind == ReplayStoreEvent::Kind::unavailable) {
      if (reported_any_ && now - last_event_ < o_.event_interval) return;
      reported_down_ = true;
    } else {
      if (!reported_down_) return;
      reported_down_ = false;
    }
    reported_any_ = true;
    last_event_ = now;
    const std::uint64_t total = unavailable_.load(std::memory_order_relaxed);
    ReplayStoreEvent event;
    event.kind = kind;
    event.message = what;
    event.unavailable_answers = total - unavailable_reported_;
    unavailable_reported_ = total;
    try {
      o_.on_event(event);
    } catch (...) {  // a failing handler must not fail the request
    }
  }

  RedisReplayOptions o_;
  const std::string description_;
  std::string auth_;    // the AUTH command, when there is a password (wiped at the end)
  std::string select_;  // the SELECT command, when the database is not 0

  std::mutex pool_mutex_;
  std::vector<redisContext*> idle_;

  // Consecutive failures (0: healthy), and the steady-clock time before which no new
  // connection is tried while failures_ != 0.
  std::atomic<std::uint32_t> failures_{0};
  std::atomic<std::int64_t> next_connect_{0};
  std::atomic<bool> degraded_{false};  // a failure since the last success

  std::atomic<std::uint64_t> stored_{0};
  std::atomic<std::uint64_t> replayed_{0};
  std::atomic<std::uint64_t> unavailable_{0};
  std::atomic<std::uint64_t> connects_{0};
  std::atomic<std::uint64_t> connect_failures_{0};
  std::atomic<std::uint64_t> timeouts_{0};
  std::atomic<std::uint64_t> errors_{0};

  std::mutex event_mutex_;
  Clock::time_point last_event_{};
  bool reported_any_ = false;
  bool reported_down_ = false;
  std::uint64_t unavailable_reported_ = 0;
};

}  // namespace

Configured<std::shared_ptr<ReplayStore>> open_redis_replay_store(RedisReplayOptions options) {
  return std::shared_ptr<ReplayStore>(std::make_shared<RedisReplayStore>(std::move(options)));
}

}  // namespace approov::detail
#endif  // APPROOV_HAVE_HIREDIS
