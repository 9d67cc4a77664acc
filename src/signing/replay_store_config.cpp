// Replay stores from their text form ("memory", a Redis URL, "none"), the Redis URL parser and
// the checks on Redis options. Compiled in every build; the Redis store itself
// (redis_replay_store.cpp) only when hiredis was found.
#include <memory>
#include <string>
#include <string_view>

#include "approov/message_signing.hpp"
#include "approov/redis_replay_store.hpp"
#include "internal/text.hpp"
#include "signing/redis_replay_store.hpp"

namespace approov {

namespace {

constexpr std::size_t kMaxKeyPrefix = 128;
constexpr std::uint64_t kMaxTimeoutMs = 10000;
// Redis's own limit is the `databases` setting (16 by default); any index it accepts fits.
constexpr std::uint64_t kMaxDatabase = 0x7fffffff;

std::string problem(std::string_view setting, std::string_view what) {
  std::string m(setting);
  m += ": ";
  m += what;
  return m;
}

// RFC 3986 percent-decoding, strict: '%' must start two hex digits. No '+' for space: these
// are URL parts, not form values.
bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c != '%') {
      out += c;
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = text::hex_digit(static_cast<unsigned char>(in[i + 1]));
    const int lo = text::hex_digit(static_cast<unsigned char>(in[i + 2]));
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

bool valid_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > kMaxKeyPrefix) return false;
  for (char c : prefix) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

// A host name or IPv4 address as it may appear in a URL (RFC 3986 reg-name without
// percent-encoding, which no resolver needs).
bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool valid_ipv6(std::string_view host) {
  if (host.empty() || host.size() > 45) return false;
  for (char c : host) {
    if (text::hex_digit(static_cast<unsigned char>(c)) < 0 && c != ':' && c != '.') return false;
  }
  return host.find(':') != std::string_view::npos;
}

// The query: name=value pairs joined by '&'. `unix_form` allows db, user and password.
std::string read_query(std::string_view query, bool unix_form, std::string_view setting,
                       RedisReplayOptions& o) {
  bool seen_db = false;
  bool seen_user = false;
  bool seen_password = false;
  bool seen_timeout = false;
  bool seen_connect_timeout = false;
  bool seen_prefix = false;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return problem(setting, "every option needs a value (name=value)");
    }
    const std::string_view name = pair.substr(0, eq);
    std::string value;
    if (!percent_decode(pair.substr(eq + 1), value)) {
      return problem(setting, "bad percent-encoding in an option value");
    }
    const auto once = [&](bool& seen) {
      if (seen) return false;
      seen = true;
      return true;
    };
    std::uint64_t n = 0;
    if (name == "timeout_ms" || name == "connect_timeout_ms") {
      const bool command = name == "timeout_ms";
      if (!once(command ? seen_timeout : seen_connect_timeout)) {
        return problem(setting, std::string(name) + " is given twice");
      }
      if (!text::parse_uint(value, kMaxTimeoutMs, n) || n == 0) {
        return problem(setting, std::string(name) + " must be a number of milliseconds from 1 to " +
                                    std::to_string(kMaxTimeoutMs));
      }
      (command ? o.command_timeout : o.connect_timeout) = std::chrono::milliseconds(n);
    } else if (name == "prefix") {
      if (!once(seen_prefix)) return problem(setting, "prefix is given twice");
      if (!valid_prefix(value)) {
        return problem(setting,
                       "the key prefix must be 1 to 128 printable ASCII characters "
                       "without spaces");
      }
      o.key_prefix = value;
    } else if (unix_form && name == "db") {
      if (!once(seen_db)) return problem(setting, "db is given twice");
      if (!text::parse_uint(value, kMaxDatabase, n)) {
        return problem(setting, "the database must be a number (db=N)");
      }
      o.database = static_cast<std::uint32_t>(n);
    } else if (unix_form && name == "user") {
      if (!once(seen_user)) return problem(setting, "user is given twice");
      o.user = value;
    } else if (unix_form && name == "password") {
      if (!once(seen_password)) return problem(setting, "password is given twice");
      o.password = value;
    } else {
      // The name only: an unknown option is no secret, and naming it helps.
      std::string known = unix_form ? "db, user, password, " : "";
      known += "timeout_ms, connect_timeout_ms, prefix";
      std::string shown;
      for (char c : name.substr(0, 32)) shown += (c > ' ' && c <= '~') ? c : '?';
      return problem(setting, "unknown option \"" + shown + "\" (known: " + known + ")");
    }
  }
  return {};
}

std::string read_unix(std::string_view rest, std::string_view setting, RedisReplayOptions& o) {
  if (rest.substr(0, 2) == "//") rest.remove_prefix(2);  // unix:///run/redis.sock
  const std::size_t q = rest.find('?');
  std::string path;
  if (!percent_decode(rest.substr(0, q), path)) {
    return problem(setting, "bad percent-encoding in the socket path");
  }
  if (path.empty() || path[0] != '/') {
    return problem(setting, "unix: needs an absolute socket path (unix:/run/redis/redis.sock)");
  }
  if (path.find('\0') != std::string::npos) return problem(setting, "the socket path has a NUL");
  o.unix_path = std::move(path);
  if (q != std::string_view::npos) {
    if (std::string e = read_query(rest.substr(q + 1), true, setting, o); !e.empty()) return e;
  }
  return {};
}

std::string read_redis(std::string_view rest, std::string_view setting, RedisReplayOptions& o) {
  // authority [/db] [?query]; the authority ends at the first '/' or '?'.
  const std::size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  // The last '@' ends the user information, so that a password with an unencoded '@' works.
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    const std::size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      return problem(setting, "a user needs a password (redis://USER:PASSWORD@HOST)");
    }
    if (!percent_decode(userinfo.substr(0, colon), o.user) ||
        !percent_decode(userinfo.substr(colon + 1), o.password)) {
      return problem(setting, "bad percent-encoding in the user or password");
    }
    if (o.password.empty()) return problem(setting, "the password is empty");
  }
  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return problem(setting, "an IPv6 address lacks its ']'");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return problem(setting, "unexpected text after the IPv6 address");
      port = after.substr(1);
      if (port.empty()) return problem(setting, "the port is empty");
    }
    if (!valid_ipv6(host)) return problem(setting, "the IPv6 address is malformed");
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return problem(setting, "the port is empty");
    }
    if (host.empty()) return problem(setting, "no host (redis://HOST:PORT/DB)");
    if (!valid_host_name(host)) {
      return problem(setting, "the host must be a name or an IP address");
    }
  }
  o.host = std::string(host);
  if (!port.empty()) {
    std::uint64_t p = 0;
    if (!text::parse_uint(port, 65535, p) || p == 0) {
      return problem(setting, "the port must be a number from 1 to 65535");
    }
    o.port = static_cast<std::uint16_t>(p);
  }
  if (!tail.empty() && tail[0] == '/') {
    const std::size_t q = tail.find('?');
    const std::string_view db = tail.substr(1, q == std::string_view::npos ? q : q - 1);
    if (!db.empty()) {
      std::uint64_t n = 0;
      if (!text::parse_uint(db, kMaxDatabase, n)) {
        return problem(setting, "the database must be a number (redis://HOST:PORT/DB)");
      }
      o.database = static_cast<std::uint32_t>(n);
    }
    tail = q == std::string_view::npos ? std::string_view() : tail.substr(q);
  }
  if (!tail.empty()) {  // '?' query
    if (std::string e = read_query(tail.substr(1), false, setting, o); !e.empty()) return e;
  }
  return {};
}

}  // namespace

std::string RedisReplayOptions::description() const {
  std::string d = "redis ";
  if (!unix_path.empty()) {
    d += "unix:" + unix_path;
  } else if (host.find(':') != std::string::npos) {
    d += "[" + host + "]:" + std::to_string(port);
  } else {
    d += host + ":" + std::to_string(port);
  }
  d += " db " + std::to_string(database);
  if (!user.empty()) d += " user " + user;
  return d;
}

Configured<RedisReplayOptions> parse_redis_replay_url(std::string_view url,
                                                      std::string_view setting) {
  using Result = Configured<RedisReplayOptions>;
  RedisReplayOptions o;
  std::string error;
  if (url.substr(0, 8) == "redis://") {
    error = read_redis(url.substr(8), setting, o);
  } else if (url.substr(0, 5) == "unix:") {
    error = read_unix(url.substr(5), setting, o);
  } else if (url.substr(0, 9) == "rediss://") {
    error = problem(setting,
                    "rediss:// (TLS) is not supported: use a Unix socket, or a local TLS tunnel");
  } else {
    error = problem(setting, "expected redis://[USER:PASSWORD@]HOST[:PORT][/DB] or unix:PATH");
  }
  if (!error.empty()) return Result::failure(std::move(error));
  return o;
}

namespace detail {

std::string check_redis_options(const RedisReplayOptions& o) {
  if (o.unix_path.empty() && o.host.empty()) return "the Redis store needs a host or a socket";
  if (o.unix_path.empty() && o.port == 0) return "the Redis port must be from 1 to 65535";
  if (!o.user.empty() && o.password.empty()) return "a Redis user needs a password";
  if (!valid_prefix(o.key_prefix)) {
    return "the Redis key prefix must be 1 to 128 printable ASCII characters without spaces";
  }
  using std::chrono::milliseconds;
  const auto in_range = [](milliseconds v) {
    return v.count() >= 1 && v.count() <= static_cast<long long>(kMaxTimeoutMs);
  };
  if (!in_range(o.connect_timeout) || !in_range(o.command_timeout)) {
    return "the Redis timeouts must be from 1 to 10000 ms";
  }
  if (o.backoff_min.count() < 1 || o.backoff_max < o.backoff_min ||
      o.backoff_max > std::chrono::minutes(10)) {
    return "the Redis back-off must be 1 ms <= min <= max <= 10 min";
  }
  if (o.event_interval.count() < 0) return "the Redis event interval must not be negative";
  return {};
}

}  // namespace detail

bool redis_replay_store_available() noexcept {
#ifdef APPROOV_HAVE_HIREDIS
  return true;
#else
  return false;
#endif
}

Configured<std::shared_ptr<ReplayStore>> make_redis_replay_store(RedisReplayOptions options) {
  using Result = Configured<std::shared_ptr<ReplayStore>>;
  if (std::string e = detail::check_redis_options(options); !e.empty()) {
    return Result::failure(std::move(e));
  }
#ifdef APPROOV_HAVE_HIREDIS
  return detail::open_redis_replay_store(std::move(options));
#else
  return Result::failure(
      "this build of libapproov has no Redis support (it was built without hiredis: install "
      "libhiredis-dev and configure with -DAPPROOV_WITH_REDIS=ON)");
#endif
}

Configured<std::shared_ptr<ReplayStore>> make_replay_store(std::string_view spec,
                                                           ReplayEventHandler on_event,
                                                           std::string_view setting) {
  using Result = Configured<std::shared_ptr<ReplayStore>>;
  if (spec.empty() || spec == "none") return std::shared_ptr<ReplayStore>();
  if (spec == "memory") return make_memory_replay_store();
  if (spec.substr(0, 8) != "redis://" && spec.substr(0, 5) != "unix:" &&
      spec.substr(0, 9) != "rediss://") {
    return Result::failure(problem(
        setting, "expected memory, none, redis://[USER:PASSWORD@]HOST[:PORT][/DB] or unix:PATH"));
  }
  auto options = parse_redis_replay_url(spec, setting);
  if (!options) return Result::failure(options.error());
  options.value().on_event = std::move(on_event);
  auto store = make_redis_replay_store(std::move(options).value());
  if (!store) return Result::failure(problem(setting, store.error()));
  return store;
}

}  // namespace approov
