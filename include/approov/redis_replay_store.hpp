// A message-signature replay store in Redis, shared by every instance of a service: each
// accepted signature is recorded with one atomic "set if absent, with expiry" command, so a
// signature accepted by one instance is refused as replayed by all the others until it has
// expired. See docs/REPLAY.md for the Redis settings, scaling and failure modes.
//
// Built only when the library was compiled with hiredis (CMake option APPROOV_WITH_REDIS);
// otherwise `make_redis_replay_store` fails at configuration time and
// `redis_replay_store_available()` is false. The URL parser is always there.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "approov/config.hpp"
#include "approov/message_signing.hpp"

namespace approov {

/// Where the Redis store connects and how it behaves. Defaults suit a Redis on the same host
/// or in the same zone.
struct RedisReplayOptions {
  /// TCP address: an IP address, or a name (resolved on every connect, which the connect
  /// timeout does not bound: prefer an address, or a name in /etc/hosts).
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  /// A Unix socket path; when set, `host` and `port` are not used.
  std::string unix_path;
  /// `AUTH user password` (an ACL user, Redis 6+) when `user` is set, `AUTH password` when only
  /// `password` is; neither: no AUTH. The password is never printed.
  std::string user;
  std::string password;
  /// `SELECT database` after connecting (when not 0).
  std::uint32_t database = 0;
  /// Every key is this prefix followed by the lowercase hex of the store key (a SHA-256 of the
  /// signature label and bytes): 1 to 128 printable ASCII characters, no spaces.
  std::string key_prefix = "approov:replay:";
  /// Longest wait for a connection (TCP handshake or Unix socket connect), and for each
  /// command's answer. A call takes at most about their sum (connect, then AUTH/SELECT/SET
  /// share the command budget), whatever Redis does.
  std::chrono::milliseconds connect_timeout{20};
  std::chrono::milliseconds command_timeout{20};
  /// After a failure, no new connection is tried before a back-off that doubles with each
  /// consecutive failure from `backoff_min` to `backoff_max` (jittered: half to all of it).
  /// Meanwhile calls that find no open connection answer `unavailable` at once, and only one
  /// thread tries when the back-off has passed: no reconnection storm against a Redis that
  /// is down or overloaded.
  std::chrono::milliseconds backoff_min{50};
  std::chrono::milliseconds backoff_max{1000};
  /// At most one `unavailable` event per interval (a `recovered` event always follows an
  /// `unavailable` one that was reported).
  std::chrono::milliseconds event_interval{10000};
  /// Receives the store's events (optional).
  ReplayEventHandler on_event;

  /// "redis 127.0.0.1:6379 db 0" or "redis unix:/run/redis/redis.sock db 2", with " user U"
  /// when a user is set: never the password.
  [[nodiscard]] std::string description() const;
};

/// True when this build of the library includes the Redis store.
[[nodiscard]] bool redis_replay_store_available() noexcept;

/// Reads a Redis store's URL:
///   redis://[USER:PASSWORD@]HOST[:PORT][/DB][?OPTIONS]    (USER may be empty: ":PASSWORD@")
///   unix:PATH[?db=N&user=USER&password=PASSWORD&OPTIONS]  (PATH absolute; "unix://PATH" too)
/// HOST is a name, an IPv4 address or a bracketed IPv6 address; PORT defaults to 6379, DB to 0.
/// User, password and option values are percent-decoded. OPTIONS: `timeout_ms` (command
/// timeout) and `connect_timeout_ms`, 1 to 10000 each, and `prefix` (the key prefix).
/// `rediss://` (TLS) is refused: hiredis here speaks plain Redis (use a Unix socket, or a
/// local TLS tunnel). `setting` names the source in messages, which never repeat the URL.
[[nodiscard]] Configured<RedisReplayOptions> parse_redis_replay_url(
    std::string_view url, std::string_view setting = "the Redis URL");

/// A Redis replay store. Connections are opened lazily, one for each request being checked at
/// the same moment (in practice one per serving thread: a pool that grows to the number of
/// concurrent callers), and kept open. The store records `SET PREFIX+HEX 1 NX EX SECONDS` with
/// SECONDS = expires_at - now (at least 1): Redis removes the key when the signature can no
/// longer be accepted, on the verifier's clock rather than Redis's. Fails (at configuration
/// time) for options out of range, or when the library was built without hiredis.
[[nodiscard]] Configured<std::shared_ptr<ReplayStore>> make_redis_replay_store(
    RedisReplayOptions options);

}  // namespace approov
