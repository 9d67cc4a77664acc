// A real redis-server (Debian's) for the tests: started on a free loopback port and on a Unix
// socket in a private directory, with an optional ACL, and stopped, paused (SIGSTOP: accepts
// connections, answers nothing) or restarted on the same addresses mid-test. An admin client
// (hiredis) inspects and drives it.
#pragma once

#include <arpa/inet.h>
#include <hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace approov::test {

/// The redis-server binary, or "" when it is not installed. APPROOV_TEST_REDIS_SERVER names
/// another one (a path that is not executable: none, to check that the tests skip).
inline std::string redis_server_binary() {
  if (const char* forced = std::getenv("APPROOV_TEST_REDIS_SERVER")) {
    return ::access(forced, X_OK) == 0 ? std::string(forced) : std::string();
  }
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/usr/sbin"}) {
    const std::string path = std::string(dir) + "/redis-server";
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return {};
}

/// A loopback port nobody listens on right now.
inline std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    throw std::runtime_error("cannot pick a free port");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

struct RedisAcl {
  std::string admin_password = "admin-secret-pw";
  // A user allowed only SET and SELECT on the replay keys.
  std::string user = "replay";
  std::string password = "replay-s3cret:p@ss/word";
  std::string key_pattern = "approov:*";
};

class RedisServer {
 public:
  explicit RedisServer(std::optional<RedisAcl> acl = std::nullopt) : acl_(std::move(acl)) {
    char tmpl[] = "/tmp/approov-redis-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp");
    dir_ = tmpl;
    port_ = free_port();
    socket_ = dir_ + "/redis.sock";
    std::ofstream conf(dir_ + "/redis.conf");
    conf << "bind 127.0.0.1\n"
         << "port " << port_ << "\n"
         << "unixsocket " << socket_ << "\n"
         << "unixsocketperm 700\n"
         << "save \"\"\n"
         << "appendonly no\n"
         << "dir " << dir_ << "\n"
         << "logfile " << dir_ << "/redis.log\n"
         << "daemonize no\n"
         << "databases 16\n"
         << "enable-debug-command yes\n"
         << "maxmemory-policy noeviction\n";
    if (acl_) {
      conf << "user default off\n"
           << "user admin on >" << acl_->admin_password << " ~* &* +@all\n"
           << "user " << acl_->user << " on >" << acl_->password << " ~" << acl_->key_pattern
           << " +set +select\n";
    }
    conf.close();
    start();
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;
  ~RedisServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGCONT);
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& socket_path() const { return socket_; }
  [[nodiscard]] std::string tcp_url(const std::string& userinfo = {}, int db = 0) const {
    return "redis://" + (userinfo.empty() ? "" : userinfo + "@") +
           "127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
  }

  /// Starts redis-server and waits until it answers PING (on TCP and on the socket).
  void start() {
    const std::string binary = redis_server_binary();
    const std::string conf = dir_ + "/redis.conf";
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      ::execl(binary.c_str(), binary.c_str(), conf.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
      if (ping(false) && ping(true)) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("redis-server exited at start-up; see " + dir_ + "/redis.log");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("redis-server did not answer within 10 s");
  }

  /// Stops it (SIGKILL: as abrupt as a crash; nothing is persisted anyway).
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  /// Freezes it: the kernel still accepts connections, Redis answers nothing.
  void pause() { ::kill(pid_, SIGSTOP); }
  void resume() { ::kill(pid_, SIGCONT); }

  /// An admin connection (TCP), authenticated when there is an ACL; null if unreachable.
  [[nodiscard]] redisContext* admin(timeval timeout = {2, 0}) const {
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, timeout);
    if (c == nullptr || c->err != 0) {
      if (c != nullptr) redisFree(c);
      return nullptr;
    }
    redisSetTimeout(c, timeout);
    if (acl_) {
      auto* r =
          static_cast<redisReply*>(redisCommand(c, "AUTH admin %s", acl_->admin_password.c_str()));
      const bool ok = r != nullptr && r->type == REDIS_REPLY_STATUS;
      if (r != nullptr) freeReplyObject(r);
      if (!ok) {
        redisFree(c);
        return nullptr;
      }
    }
    return c;
  }

  /// Runs one admin command (arguments as separate strings) in database `db`; the reply as
  /// text: a status or string as is, an integer in decimal, nil as "(nil)", an error as
  /// "ERR:...", an array as its elements joined by '\n'.
  std::string command(const std::vector<std::string>& args, int db = 0) const {
    redisContext* c = admin();
    if (c == nullptr) return "(unreachable)";
    if (db != 0) {
      auto* r = static_cast<redisReply*>(redisCommand(c, "SELECT %d", db));
      if (r != nullptr) freeReplyObject(r);
    }
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
    std::string out = text_of(r);
    if (r != nullptr) freeReplyObject(r);
    redisFree(c);
    return out;
  }

 private:
  static std::string text_of(const redisReply* r) {
    if (r == nullptr) return "(no reply)";
    switch (r->type) {
      case REDIS_REPLY_STATUS:
      case REDIS_REPLY_STRING:
        return std::string(r->str, r->len);
      case REDIS_REPLY_ERROR:
        return "ERR:" + std::string(r->str, r->len);
      case REDIS_REPLY_INTEGER:
        return std::to_string(r->integer);
      case REDIS_REPLY_NIL:
        return "(nil)";
      case REDIS_REPLY_ARRAY: {
        std::string out;
        for (std::size_t i = 0; i < r->elements; ++i) {
          if (i != 0) out += "\n";
          out += text_of(r->element[i]);
        }
        return out;
      }
      default:
        return "(?)";
    }
  }

  bool ping(bool unix_socket) const {
    const timeval t{0, 200000};
    redisContext* c = unix_socket ? redisConnectUnixWithTimeout(socket_.c_str(), t)
                                  : redisConnectWithTimeout("127.0.0.1", port_, t);
    if (c == nullptr) return false;
    bool ok = false;
    if (c->err == 0) {
      redisSetTimeout(c, t);
      auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
      // With an ACL the default user is off: NOAUTH still proves the server answers.
      ok = r != nullptr && (r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR);
      if (r != nullptr) freeReplyObject(r);
    }
    redisFree(c);
    return ok;
  }

  std::optional<RedisAcl> acl_;
  std::string dir_;
  std::string socket_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace approov::test
