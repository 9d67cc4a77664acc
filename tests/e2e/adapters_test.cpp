// The adapters inside real servers (Boost.Beast engine, cpp-httplib, libmicrohttpd) on
// ephemeral loopback ports, driven by a real socket client: per-route policies (none, token,
// binding, report-only), claims reaching the handler, a configured failure response, and the
// rejection logger (reason and fingerprint, never the token).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "approov/adapters/guard.hpp"
#include "approov/approov.hpp"

#ifdef APPROOV_TEST_BEAST
#include "approov/adapters/beast.hpp"
#include "approov/server/http_server.hpp"
#endif
#ifdef APPROOV_TEST_HTTPLIB
#include "approov/adapters/httplib.hpp"
#endif
#ifdef APPROOV_TEST_MICROHTTPD
#include "approov/adapters/microhttpd.hpp"
#endif

namespace {

constexpr const char* kSecretB64 =
    "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww==";
constexpr const char* kAuth = "Bearer user-session-1";

std::vector<std::uint8_t> secret_bytes() {
  return approov::decode_secret(kSecretB64, approov::SecretEncoding::base64, "test")
      .value()
      .bytes();
}

std::string mint(const std::string& payload) {
  const auto key = secret_bytes();
  return approov::mint_hs256(R"({"typ":"JWT","alg":"HS256"})", payload, key.data(), key.size());
}

std::string mint_with_other_key(const std::string& payload) {
  const std::string key(32, 'k');
  return approov::mint_hs256(R"({"typ":"JWT","alg":"HS256"})", payload,
                             reinterpret_cast<const std::uint8_t*>(key.data()), key.size());
}

std::string exp_claim() {
  return std::to_string(approov::unix_now() + 3600);
}

struct Reply {
  int status = 0;
  std::string content_type;
  std::string body;
};

// A minimal HTTP/1.1 client over a real socket (Connection: close, read to EOF).
Reply get(std::uint16_t port, const std::string& path,
          const std::vector<std::pair<std::string, std::string>>& headers) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [n, v] : headers) req += n + ": " + v + "\r\n";
  req += "\r\n";
  (void)!::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string raw;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  Reply r;
  if (raw.size() < 12) return r;
  r.status = std::stoi(raw.substr(9, 3));
  const auto end = raw.find("\r\n\r\n");
  const std::string head = raw.substr(0, end);
  r.body = end == std::string::npos ? "" : raw.substr(end + 4);
  std::size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != std::string::npos) {
    pos += 2;
    const auto eol = head.find("\r\n", pos);
    const std::string line = head.substr(pos, eol == std::string::npos ? eol : eol - pos);
    if (line.size() > 13 && approov::iequals(line.substr(0, 13), "content-type:")) {
      r.content_type = line.substr(13);
      while (!r.content_type.empty() && r.content_type.front() == ' ') r.content_type.erase(0, 1);
    }
  }
  return r;
}

#if defined(APPROOV_TEST_HTTPLIB) || defined(APPROOV_TEST_MICROHTTPD)
// What a server answered to bytes sent as they are (requests no ordinary client would send):
// the status of every complete response, in order, whether the server closed the connection,
// and the raw bytes.
struct RawReply {
  std::vector<int> statuses;
  std::vector<std::string> bodies;
  bool closed = false;
  std::string raw;
};

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads until the peer closes or stays quiet for `quiet_ms`.
RawReply read_replies(int fd, int quiet_ms) {
  RawReply r;
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, quiet_ms) <= 0) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      r.closed = true;
      break;
    }
    r.raw.append(buf, static_cast<std::size_t>(n));
  }
  std::size_t pos = 0;
  while (r.raw.compare(pos, 9, "HTTP/1.1 ") == 0) {
    const auto end = r.raw.find("\r\n\r\n", pos);
    if (end == std::string::npos) break;
    std::size_t length = 0;
    const std::string head = r.raw.substr(pos, end - pos);
    for (const char* name : {"\r\nContent-Length: ", "\r\ncontent-length: "}) {
      const auto at = head.find(name);
      if (at != std::string::npos) length = std::stoul(head.substr(at + std::strlen(name)));
    }
    if (r.raw.size() < end + 4 + length) break;
    r.statuses.push_back(std::stoi(r.raw.substr(pos + 9, 3)));
    r.bodies.push_back(r.raw.substr(end + 4, length));
    pos = end + 4 + length;
  }
  return r;
}

// A string literal with its embedded NULs.
template <std::size_t N>
std::string lit(const char (&s)[N]) {
  return std::string(s, N - 1);
}

RawReply raw_exchange(std::uint16_t port, const std::string& bytes, int quiet_ms = 1000) {
  const int fd = connect_to(port);
  if (fd < 0) return {};
  (void)!::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  RawReply r = read_replies(fd, quiet_ms);
  ::close(fd);
  return r;
}
#endif

// Sends `request` as given on a new connection and returns everything the server sends back
// until it closes the connection.
std::string exchange(std::uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string raw;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return raw;
}

// Redirects this process's stderr (fd 2) to a temporary file while it lives; `text()` reads
// what was written so far.
class CapturedStderr {
 public:
  CapturedStderr() {
    char name[] = "/tmp/approov-stderr-XXXXXX";
    fd_ = ::mkstemp(name);
    path_ = name;
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    ::dup2(fd_, STDERR_FILENO);
  }
  ~CapturedStderr() {
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  CapturedStderr(const CapturedStderr&) = delete;
  CapturedStderr& operator=(const CapturedStderr&) = delete;
  [[nodiscard]] std::string text() const {
    std::fflush(stderr);
    std::string out;
    char buf[4096];
    for (off_t at = 0;;) {
      const ssize_t n = ::pread(fd_, buf, sizeof buf, at);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
      at += n;
    }
    return out;
  }

 private:
  int fd_ = -1;
  int saved_ = -1;
  std::string path_;
};

std::vector<std::string> lines_starting_with(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    const std::string line = text.substr(pos, eol - pos);
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
    pos = eol + 1;
  }
  return out;
}

// Everything a server under test needs: two guards (default and a custom failure response)
// and a logger that records rejections.
struct Fixture {
  struct Logged {
    approov::Reason reason;
    std::string fingerprint, method, path;
    bool report_only;
  };
  std::mutex mutex;
  std::vector<Logged> logged;
  std::unique_ptr<approov::adapters::Guard> guard, custom;

  Fixture() {
    auto logger = [this](const approov::adapters::Rejection& r) {
      std::lock_guard<std::mutex> lock(mutex);
      logged.push_back({r.reason, std::string(r.fingerprint), std::string(r.method),
                        std::string(r.path), r.report_only});
    };
    auto make_check = [] {
      approov::VerifierConfig config;
      config.secrets.emplace_back(secret_bytes());
      return approov::RequestCheck::create(approov::TokenVerifier::create(config).value()).value();
    };
    guard = std::make_unique<approov::adapters::Guard>(make_check(), approov::FailureResponse{},
                                                       logger);
    custom = std::make_unique<approov::adapters::Guard>(
        make_check(), approov::FailureResponse{403, "text/plain", "forbidden"}, logger);
  }
};

const approov::RoutePolicy kNone = approov::RoutePolicy::unprotected();
const approov::RoutePolicy kToken = approov::RoutePolicy::token_check();
const approov::RoutePolicy kBound = approov::RoutePolicy::token_binding({"Authorization"});
const approov::RoutePolicy kReport = [] {
  approov::RoutePolicy p = approov::RoutePolicy::token_check();
  p.report_only = true;
  return p;
}();

// What every handler answers: which claims it saw.
std::string describe(const approov::Claims* claims) {
  if (claims == nullptr) return "unverified";
  return "did=" + std::string(claims->did().value_or("-"));
}

// The same behaviour checks for every framework; `port` serves /token, /bound, /open, /report
// and /custom with the policies above.
void expect_adapter_behaviour(Fixture& f, std::uint16_t port) {
  const std::string good = mint(R"({"exp":)" + exp_claim() + R"(,"did":"device-1"})");
  const std::string bound = mint(R"({"exp":)" + exp_claim() + R"(,"did":"device-2","pay":")" +
                                 approov::pay_claim_for(kAuth) + "\"}");
  const std::string bad = mint_with_other_key(R"({"exp":)" + exp_claim() + "}");

  Reply r = get(port, "/token", {{"Approov-Token", good}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "did=device-1") << "the verified claims reach the handler";

  r = get(port, "/token?secret=1", {{"Approov-Token", bad}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(r.content_type, "application/json");

  r = get(port, "/open", {});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "unverified") << "unprotected routes get no claims";

  r = get(port, "/bound", {{"Approov-Token", bound}, {"Authorization", kAuth}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "did=device-2");
  r = get(port, "/bound", {{"Approov-Token", bound}, {"Authorization", "Bearer other"}});
  EXPECT_EQ(r.status, 401);
  r = get(port, "/bound", {{"Approov-Token", good}, {"Authorization", kAuth}});
  EXPECT_EQ(r.status, 401) << "no pay on a binding route";

  r = get(port, "/report", {{"Approov-Token", bad}});
  EXPECT_EQ(r.status, 200) << "report-only lets the request through";
  EXPECT_EQ(r.body, "unverified");
  r = get(port, "/report", {{"Approov-Token", good}});
  EXPECT_EQ(r.body, "did=device-1");

  r = get(port, "/custom", {});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_EQ(r.body, "forbidden");

  std::lock_guard<std::mutex> lock(f.mutex);
  ASSERT_EQ(f.logged.size(), 5u);
  EXPECT_EQ(f.logged[0].reason, approov::Reason::bad_signature);
  EXPECT_EQ(f.logged[0].fingerprint, std::string(approov::token_fingerprint(bad).data()));
  EXPECT_EQ(f.logged[0].method, "GET");
  EXPECT_EQ(f.logged[0].path, "/token") << "the query string is not logged";
  EXPECT_FALSE(f.logged[0].report_only);
  EXPECT_EQ(f.logged[1].reason, approov::Reason::binding_mismatch);
  EXPECT_EQ(f.logged[2].reason, approov::Reason::missing_pay);
  EXPECT_EQ(f.logged[3].reason, approov::Reason::bad_signature);
  EXPECT_TRUE(f.logged[3].report_only);
  EXPECT_EQ(f.logged[4].reason, approov::Reason::missing_token);
  EXPECT_EQ(f.logged[4].fingerprint, "");
}

TEST(Guard, LoggerExceptionsAreSwallowedAndTheDecisionStands) {
  approov::VerifierConfig config;
  config.secrets.emplace_back(secret_bytes());
  approov::adapters::Guard guard(
      approov::RequestCheck::create(approov::TokenVerifier::create(config).value()).value(), {},
      [](const approov::adapters::Rejection&) { throw std::runtime_error("log full"); });
  approov::BasicRequest headers{{"Approov-Token", "a.b.c"}};
  approov::Claims claims;
  const auto d = guard.decide(headers, kToken, claims);
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.reason, approov::Reason::malformed);
}

// The rejection log's budget on a fixed clock: a burst, then the rate, and every refused
// line counted on the next admitted one.
TEST(LogRateLimit, BurstThenRateAndEveryRefusedLineCounted) {
  constexpr std::int64_t kSecond = 1'000'000'000;
  approov::adapters::LogRateLimit limit(10, 5);  // 10 lines a second, bursts of 5
  std::uint64_t suppressed = 99;
  const std::int64_t t0 = 1000 * kSecond;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(limit.admit(t0, suppressed)) << i;
    EXPECT_EQ(suppressed, 0u);
  }
  for (int i = 0; i < 7; ++i) EXPECT_FALSE(limit.admit(t0, suppressed)) << i;
  EXPECT_FALSE(limit.admit(t0 + kSecond / 10 - 1, suppressed)) << "one line per 100 ms";
  ASSERT_TRUE(limit.admit(t0 + kSecond / 10, suppressed));
  EXPECT_EQ(suppressed, 8u) << "the lines refused before it";
  EXPECT_FALSE(limit.admit(t0 + kSecond / 10, suppressed));
  ASSERT_TRUE(limit.admit(t0 + 2 * kSecond / 10, suppressed));
  EXPECT_EQ(suppressed, 1u);
  // After a quiet spell the bucket is full again, never fuller: a burst of 5 at most.
  int admitted = 0;
  for (int i = 0; i < 20; ++i) admitted += limit.admit(t0 + 60 * kSecond, suppressed) ? 1 : 0;
  EXPECT_EQ(admitted, 5);

  approov::adapters::LogRateLimit off(0, 100);
  EXPECT_FALSE(off.admit(t0, suppressed)) << "a rate of 0 writes nothing";
}

// Many threads at the same instant: exactly the burst is admitted, and the refused lines are
// all counted (no lock, no lost update).
TEST(LogRateLimit, ExactUnderContention) {
  approov::adapters::LogRateLimit limit(1, 64);
  constexpr int kThreads = 8;
  constexpr int kEach = 5000;
  std::atomic<int> admitted{0};
  std::atomic<std::uint64_t> counted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::uint64_t suppressed = 0;
      for (int i = 0; i < kEach; ++i) {
        if (limit.admit(5'000'000'000, suppressed)) {
          admitted.fetch_add(1);
          counted.fetch_add(suppressed);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 64);
  std::uint64_t rest = 0;
  ASSERT_TRUE(limit.admit(6'000'000'000, rest));
  EXPECT_EQ(counted.load() + rest, static_cast<std::uint64_t>(kThreads * kEach - 64));
}

// The line format with a suppressed count: the count comes before the client's method and
// path (which cannot forge it), and the default logger's two budgets are separate.
TEST(RejectionLog, LineCarriesTheSuppressedCountAndBudgetsAreSeparate) {
  CapturedStderr captured;
  approov::adapters::write_rejection_line(
      {approov::Reason::expired, "0123456789abcdef", "GET", "/x suppressed=1", false}, 312);
  approov::adapters::write_rejection_line({approov::Reason::missing_token, "", "", "", true}, 0);
  EXPECT_EQ(captured.text(),
            "approov: rejected reason=expired token=0123456789abcdef suppressed=312 GET "
            "/x suppressed=1\n"
            "approov: report-only reason=missing_token token=-\n");
  EXPECT_NE(&approov::adapters::rejection_log_budget(true),
            &approov::adapters::rejection_log_budget(false));
}

#ifdef APPROOV_TEST_BEAST
TEST(BeastAdapter, PoliciesClaimsFailureResponseAndLog) {
  Fixture f;
  auto respond = [](const auto&, auto& res, const approov::Claims* claims) {
    res.body() = describe(claims);
  };
  auto token = approov::beast::protect(*f.guard, kToken, respond);
  auto bound = approov::beast::protect(*f.guard, kBound, respond);
  auto open = approov::beast::protect(*f.guard, kNone, respond);
  auto report = approov::beast::protect(*f.guard, kReport, respond);
  auto custom = approov::beast::protect(*f.custom, kToken, respond);
  approov::server::ServerOptions options;
  options.threads = 2;
  approov::server::Server server(
      options, [&](const approov::server::Request& req, approov::server::Response& res) {
        const std::string target(req.target());
        const std::string path = target.substr(0, target.find('?'));
        if (path == "/token") return token(req, res);
        if (path == "/bound") return bound(req, res);
        if (path == "/open") return open(req, res);
        if (path == "/report") return report(req, res);
        return custom(req, res);
      });
  ASSERT_EQ(server.listen("127.0.0.1:0"), "");
  server.start();
  expect_adapter_behaviour(f, server.port());
  server.stop();
  server.wait();
}

// Requests the engine refuses before any handler runs: a header value with a control byte
// (a token header the parser refuses) and a header block over the limit.
void expect_http_level_rejects(std::uint16_t port, int status_control, int status_big,
                               const std::string& content_type, const std::string& body) {
  Reply r = get(port, "/", {{"Approov-Token", std::string("\x01") + "abc.def.ghi"}});
  EXPECT_EQ(r.status, status_control);
  EXPECT_EQ(r.content_type, content_type);
  EXPECT_EQ(r.body, body);
  r = get(port, "/", {{"Approov-Token", "abc.def.ghi"}, {"X-Big", std::string(6000, 'a')}});
  EXPECT_EQ(r.status, status_big);
  EXPECT_EQ(r.content_type, content_type);
  EXPECT_EQ(r.body, body);
  r = get(port, "/", {{"Approov-Token", "abc.def.ghi"}});
  EXPECT_EQ(r.status, 200) << "the server keeps serving";
  EXPECT_EQ(r.body, "handled");
}

TEST(BeastServer, HttpLevelRejectsUseTheRejectResponse) {
  const auto handler = [](const approov::server::Request&, approov::server::Response& res) {
    res.body() = "handled";
  };
  approov::server::ServerOptions options;
  options.header_limit = 4096;
  {
    // Default: the error's own status, no body (generic users keep today's behaviour).
    approov::server::Server server(options, handler);
    ASSERT_EQ(server.listen("127.0.0.1:0"), "");
    server.start();
    expect_http_level_rejects(server.port(), 400, 431, "", "");
    server.stop();
    server.wait();
  }
  const approov::FailureResponse failure;  // 401 application/json {}
  options.reject_response = failure;
  approov::server::Server server(options, handler);
  ASSERT_EQ(server.listen("127.0.0.1:0"), "");
  server.start();
  expect_http_level_rejects(server.port(), 401, 401, "application/json", "{}");
  server.stop();
  server.wait();

  // reject_handler wins over reject_response and sees the status the engine would send.
  options.reject_handler = [](boost::beast::http::status status, approov::server::Response& res) {
    res.result(boost::beast::http::status::forbidden);
    res.set(boost::beast::http::field::content_type, "text/plain");
    res.body() = std::to_string(static_cast<unsigned>(status));
  };
  approov::server::Server dynamic(options, handler);
  ASSERT_EQ(dynamic.listen("127.0.0.1:0"), "");
  dynamic.start();
  Reply r = get(dynamic.port(), "/", {{"X-Big", std::string(6000, 'a')}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_EQ(r.body, "431");
  dynamic.stop();
  dynamic.wait();
}

// Only fields of the header section reach the handler: the trailer fields of a chunked
// request (which Boost's parser would insert into the same field list, next to a header
// field of the same name) are dropped, so a trailer can never supply or duplicate a header
// that a decision reads.
TEST(BeastServer, TrailerFieldsNeverReachTheHandler) {
  approov::server::Server server(
      {}, [](const approov::server::Request& req, approov::server::Response& res) {
        for (const auto& field : req) {
          res.body() += std::string(field.name_string()) + "=" + std::string(field.value()) + ";";
        }
        res.body() += "body=" + req.body();
      });
  ASSERT_EQ(server.listen("127.0.0.1:0"), "");
  server.start();
  const std::string head =
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nX-B: 1\r\n\r\n";
  const std::string chunks = "3\r\nabc\r\n2\r\nde\r\n0\r\n";
  const std::string trailer = "Approov-Token: t\r\nX-A: 2\r\nConnection: close\r\n\r\n";
  const std::string seen = "Host=h;Transfer-Encoding=chunked;X-A=1;X-B=1;body=abcde";

  // Two requests with trailers, pipelined on one connection, then one that closes it: the
  // trailer section is consumed with its request and never seen (its Connection: close, too).
  const std::string last = "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  const std::string raw = exchange(
      server.port(), head + chunks + trailer + head + chunks + "X-Only-Trailer: 3\r\n\r\n" + last);
  const std::string ok =
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(seen.size()) + "\r\n\r\n" + seen;
  const std::string final_body = "Host=h;Connection=close;body=";
  EXPECT_EQ(raw, ok + ok + "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: " +
                     std::to_string(final_body.size()) + "\r\n\r\n" + final_body);

  // Without a trailer nothing is dropped.
  const std::string plain =
      exchange(server.port(),
               "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n"
               "Connection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  EXPECT_NE(plain.find("Host=h;Transfer-Encoding=chunked;X-A=1;Connection=close;body=abc"),
            std::string::npos)
      << plain;
  server.stop();
  server.wait();
}

// The default rejection logger (one stderr line per rejection) under a flood of bad requests
// through a real server: the number of lines is bounded by its rate limit, each suppressed
// rejection is counted on a later line, the server answers every request, and report-only
// lines have their own budget, so a flood of denials never hides them.
TEST(RejectionLog, FloodIsBoundedAndReportOnlyLinesKeepTheirOwnBudget) {
  auto make_check = [] {
    approov::VerifierConfig config;
    config.secrets.emplace_back(secret_bytes());
    return approov::RequestCheck::create(approov::TokenVerifier::create(config).value()).value();
  };
  const approov::adapters::Guard guard(make_check());  // default logger: stderr
  auto respond = [](const auto&, auto& res, const approov::Claims* claims) {
    res.body() = describe(claims);
  };
  auto token = approov::beast::protect(guard, kToken, respond);
  auto report = approov::beast::protect(guard, kReport, respond);
  approov::server::ServerOptions options;
  options.threads = 2;
  approov::server::Server server(
      options, [&](const approov::server::Request& req, approov::server::Response& res) {
        if (req.target() == "/report") return report(req, res);
        return token(req, res);
      });
  ASSERT_EQ(server.listen("127.0.0.1:0"), "");
  server.start();
  const std::string bad = mint_with_other_key(R"({"exp":)" + exp_claim() + "}");

  CapturedStderr captured;
  const auto start = std::chrono::steady_clock::now();
  constexpr int kFlood = 600;
  int answered = 0;
  for (int i = 0; i < kFlood; ++i) {
    if (get(server.port(), "/token", {{"Approov-Token", bad}}).status == 401) ++answered;
  }
  // During the denial flood (the denial budget is spent), report-only failures still log.
  constexpr int kReports = 5;
  for (int i = 0; i < kReports; ++i) {
    EXPECT_EQ(get(server.port(), "/report", {{"Approov-Token", bad}}).status, 200);
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string text = captured.text();
  server.stop();
  server.wait();

  EXPECT_EQ(answered, kFlood) << "the server answers every request of the flood";
  const auto denials = lines_starting_with(text, "approov: rejected ");
  const auto reports = lines_starting_with(text, "approov: report-only ");
  const double limit = approov::adapters::kRejectionLogBurst +
                       approov::adapters::kRejectionLogPerSecond * elapsed + 1;
  EXPECT_LE(static_cast<double>(denials.size()), limit)
      << denials.size() << " lines for " << kFlood << " rejections in " << elapsed << " s";
  EXPECT_GE(denials.size(), static_cast<std::size_t>(approov::adapters::kRejectionLogBurst));
  EXPECT_EQ(reports.size(), static_cast<std::size_t>(kReports))
      << "report-only lines have their own budget";
  EXPECT_EQ(text.find(bad), std::string::npos) << "no token in the log";
}

TEST(BeastServer, UnixListenerReplacesOnlyAStaleSocket) {
  char dir_template[] = "/tmp/beast-unix-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string path = dir + "/sock";
  const auto handler = [](const approov::server::Request&, approov::server::Response&) {};

  // A regular file at the path is neither deleted nor listened on.
  {
    FILE* file = std::fopen(path.c_str(), "w");
    ASSERT_NE(file, nullptr);
    std::fputs("keep me", file);
    std::fclose(file);
    approov::server::Server server({}, handler);
    const std::string error = server.listen("unix:" + path);
    EXPECT_NE(error.find("unix:" + path), std::string::npos) << error;
    EXPECT_NE(error.find("not a socket"), std::string::npos) << error;
    struct stat st {};
    ASSERT_EQ(::lstat(path.c_str(), &st), 0) << "the file was deleted";
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_EQ(st.st_size, 7);
    ASSERT_EQ(::unlink(path.c_str()), 0);
  }
  {
    approov::server::Server first({}, handler);
    ASSERT_EQ(first.listen("unix:" + path), "");
    struct stat st {};
    ASSERT_EQ(::lstat(path.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0660u);
    // A socket another server listens on is not taken over.
    approov::server::Server second({}, handler);
    const std::string error = second.listen("unix:" + path);
    EXPECT_NE(error.find("another process"), std::string::npos) << error;
  }
  // The first server is gone, its socket file stays: a stale socket is replaced.
  {
    struct stat st {};
    ASSERT_EQ(::lstat(path.c_str(), &st), 0);
    approov::server::Server third({}, handler);
    EXPECT_EQ(third.listen("unix:" + path), "");
  }
  ::unlink(path.c_str());
  ::rmdir(dir.c_str());
}
#endif

#ifdef APPROOV_TEST_HTTPLIB
// Binds `server` to an ephemeral loopback port and serves it on `serving` until stop().
std::uint16_t serve_httplib(httplib::Server& server, std::thread& serving) {
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) return 0;
  serving = std::thread([&server] { server.listen_after_bind(); });
  for (int i = 0; i < 400 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return static_cast<std::uint16_t>(port);
}

TEST(HttplibAdapter, PoliciesClaimsFailureResponseAndLog) {
  Fixture f;
  auto respond = [](const httplib::Request&, httplib::Response& res,
                    const approov::Claims* claims) {
    res.set_content(describe(claims), "text/plain");
  };
  approov::cpphttplib::Server server;
  server.Get("/token", approov::cpphttplib::protect(*f.guard, kToken, respond));
  server.Get("/bound", approov::cpphttplib::protect(*f.guard, kBound, respond));
  server.Get("/open", approov::cpphttplib::protect(*f.guard, kNone, respond));
  server.Get("/report", approov::cpphttplib::protect(*f.guard, kReport, respond));
  server.Get("/custom", approov::cpphttplib::protect(*f.custom, kToken, respond));
  std::thread serving;
  const std::uint16_t port = serve_httplib(server, serving);
  ASSERT_GT(port, 0);
  expect_adapter_behaviour(f, port);
  server.stop();
  serving.join();
}

TEST(HttplibAdapter, ProtectAllGuardsEveryRoute) {
  Fixture f;
  approov::cpphttplib::Server server;
  approov::cpphttplib::protect_all(server, *f.guard, kToken);
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hello", "text/plain");
  });
  std::thread serving;
  const std::uint16_t p = serve_httplib(server, serving);
  ASSERT_GT(p, 0);
  EXPECT_EQ(get(p, "/", {}).status, 401);
  EXPECT_EQ(get(p, "/", {{"Approov-Token", mint(R"({"exp":)" + exp_claim() + "}")}}).body, "hello");
  server.stop();
  serving.join();
}

// A plain httplib::Server drops fields (an empty second token) before any handler sees them,
// and the adapter cannot tell: the check fails closed there, even for a valid token.
TEST(HttplibAdapter, FailsClosedOnAPlainHttplibServer) {
  Fixture f;
  auto respond = [](const httplib::Request&, httplib::Response& res,
                    const approov::Claims* claims) {
    res.set_content(describe(claims), "text/plain");
  };
  httplib::Server server;
  server.Get("/token", approov::cpphttplib::protect(*f.guard, kToken, respond));
  server.Get("/open", approov::cpphttplib::protect(*f.guard, kNone, respond));
  std::thread serving;
  const std::uint16_t port = serve_httplib(server, serving);
  ASSERT_GT(port, 0);
  const std::string good = mint(R"({"exp":)" + exp_claim() + "}");
  EXPECT_EQ(get(port, "/token", {{"Approov-Token", good}}).status, 401);
  EXPECT_EQ(get(port, "/open", {}).status, 200);
  server.stop();
  serving.join();
}

// The engine in front of httplib: strict framing, the fields as received for the check,
// refusals answered with the failure response on a closed connection, pipelining, bodies.
class HttplibServerTest : public ::testing::Test {
 protected:
  void start(approov::cpphttplib::ServerOptions options = {}) {
    server_ = std::make_unique<approov::cpphttplib::Server>(options);
    auto respond = [](const httplib::Request& req, httplib::Response& res,
                      const approov::Claims* claims) {
      res.set_content(describe(claims) + " body=" + req.body, "text/plain");
    };
    server_->Get("/token", approov::cpphttplib::protect(*f_.guard, kToken, respond));
    server_->Post("/token", approov::cpphttplib::protect(*f_.guard, kToken, respond));
    server_->Get("/open", approov::cpphttplib::protect(*f_.guard, kNone, respond));
    // What the check sees of a request: its RequestView.
    server_->Post("/view", [](const httplib::Request& req, httplib::Response& res) {
      const auto* context = approov::cpphttplib::detail::context_for(req);
      if (context == nullptr) return res.set_content("no context", "text/plain");
      const approov::cpphttplib::RequestAdapter view(req, *context);
      struct Lines final : approov::FieldLineSink {
        std::string text;
        void line(std::string_view v) noexcept override { text += "[" + std::string(v) + "]"; }
      } x;
      const std::size_t n = view.fields("x", x);
      res.set_content(std::string(view.method()) + " " + std::string(view.target()) + " " +
                          std::string(view.authority()) + " x=" + std::to_string(n) + x.text +
                          " body=" + std::string(view.body().value_or("<none>")),
                      "text/plain");
    });
    approov::cpphttplib::answer_refused_requests_with_failure(*server_, *f_.guard);
    configure(*server_);
    port_ = serve_httplib(*server_, serving_);
    ASSERT_GT(port_, 0);
  }
  virtual void configure(approov::cpphttplib::Server&) {}
  void TearDown() override {
    if (server_) server_->stop();
    if (serving_.joinable()) serving_.join();
  }
  Fixture f_;
  std::unique_ptr<approov::cpphttplib::Server> server_;
  std::thread serving_;
  std::uint16_t port_ = 0;
  const std::string good_ = mint(R"({"exp":)" + exp_claim() + R"(,"did":"device-1"})");
};

TEST_F(HttplibServerTest, AcceptsWhatRealClientsSend) {
  start();
  const std::string token = "Approov-Token: " + good_;
  const std::string ok = "did=device-1 body=";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"GET /token HTTP/1.1\r\nHost: x\r\n" + token + "\r\n\r\n", ok},
      {"GET /token HTTP/1.1\r\nHost: x\r\nApproov-Token:\t " + good_ +
           " \t\r\nX-Empty:\r\nX-Obs-Text: caf\xc3\xa9\r\n\r\n",
       ok},
      {"\r\nGET /token?a=%20b HTTP/1.0\r\n" + token + "\r\n\r\n", ok},
      {"POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n" + token + "\r\n\r\nhello",
       ok + "hello"},
      {"POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n" + token +
           "\r\n\r\n3;ext=1\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n",
       ok + "hello"},
      // Trailer fields are never read (a second token there is no duplicate) and never reach
      // httplib, for a POST (whose body httplib reads) and a GET (whose body it does not).
      {"POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n" + token +
           "\r\n\r\n2\r\nhi\r\n0\r\n" + token + "\r\nX-Trailer: y\r\n\r\n",
       ok + "hi"},
      {"GET /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n" + token +
           "\r\n\r\n2\r\nhi\r\n0\r\nApproov-Token: x\r\n\r\n",
       ok},
  };
  for (const auto& [bytes, body] : cases) {
    const RawReply r = raw_exchange(port_, bytes, 300);
    ASSERT_EQ(r.statuses.size(), 1u) << bytes << "\n" << r.raw;
    EXPECT_EQ(r.statuses[0], 200) << bytes << "\n" << r.raw;
    EXPECT_EQ(r.bodies[0], body) << bytes;
  }
  // Pipelined, the second request split across two sends, and "Expect: 100-continue".
  const int fd = connect_to(port_);
  ASSERT_GE(fd, 0);
  const std::string one = "GET /token HTTP/1.1\r\nHost: x\r\n" + token + "\r\n\r\n";
  const std::string all = one + one + one.substr(0, 20);
  (void)!::send(fd, all.data(), all.size(), MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const std::string rest = one.substr(20) +
                           "POST /token HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                           "Content-Length: 2\r\n" +
                           token + "\r\n\r\n";
  (void)!::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
  RawReply r = read_replies(fd, 300);
  EXPECT_EQ(r.statuses, (std::vector<int>{200, 200, 200, 100})) << r.raw;  // 100 Continue
  (void)!::send(fd, "hi", 2, MSG_NOSIGNAL);
  r = read_replies(fd, 300);
  ASSERT_EQ(r.statuses, (std::vector<int>{200})) << r.raw;
  EXPECT_EQ(r.bodies[0], ok + "hi");
  ::close(fd);
  std::lock_guard<std::mutex> lock(f_.mutex);
  EXPECT_TRUE(f_.logged.empty());
}

// The RequestView the check reads: the target and every field line as received (httplib
// decodes the path and drops empty values), the body without its chunked framing or trailers.
TEST_F(HttplibServerTest, TheRequestViewIsTheRequestAsReceived) {
  start();
  const RawReply r = raw_exchange(port_,
                                  "POST /view?q=%41&r HTTP/1.1\r\nHost: example.com:8080\r\n"
                                  "X:  one \r\nX:\r\nx: %33\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  "3\r\nabc\r\n2;e=1\r\nde\r\n0\r\nX: trailer\r\n\r\n",
                                  300);
  ASSERT_EQ(r.statuses, (std::vector<int>{200})) << r.raw;
  EXPECT_EQ(r.bodies[0], "POST /view?q=%41&r example.com:8080 x=3[one][][%33] body=abcde");
  const RawReply plain = raw_exchange(
      port_, "POST /view HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 3\r\n\r\nxyz", 300);
  ASSERT_EQ(plain.statuses, (std::vector<int>{200})) << plain.raw;
  EXPECT_EQ(plain.bodies[0], "POST /view  x=0 body=xyz") << "two Host fields: no authority";
}

TEST_F(HttplibServerTest, RefusesWhatItCannotReadExactlyWithTheFailureResponse) {
  approov::cpphttplib::ServerOptions options;
  options.header_limit = 4096;
  options.body_limit = 1000;
  start(options);
  const std::string head = "GET /token HTTP/1.1\r\nHost: x\r\n";
  const std::string token = "Approov-Token: " + good_;
  const std::string post = "POST /token HTTP/1.1\r\nHost: x\r\n" + token + "\r\n";
  const std::vector<std::string> refused = {
      head + token + "\r\nApproov-Token:\r\n\r\n",  // (a duplicate: the check's own 401)
      head + token + "\r\n junk\r\n\r\n",           // obs-fold
      head + token + "\nX: y\r\n\r\n",              // bare LF
      "GET /token HTTP/1.1\nHost: x\n" + token + "\n\n",
      head + token + "\r\nApproov-Token : " + good_ + "\r\n\r\n",  // space before the colon
      head + ":x\r\n" + token + "\r\n\r\n",                        // empty field name
      head + token + lit("\0junk\r\n\r\n"),                        // NUL
      head + token +
          "\r\nX: a\x01"
          "b\r\n\r\n",                  // control byte
      head + token + "\rX: y\r\n\r\n",  // bare CR
      "GET  /token HTTP/1.1\r\n" + token + "\r\n\r\n",
      "GET /token HTTP/1.2\r\n" + token + "\r\n\r\n",
      "GET /to ken HTTP/1.1\r\n" + token + "\r\n\r\n",
      head + token + "\r\nX-Fill: " + std::string(5000, 'f') + "\r\n\r\n",  // head over limit
      post + "Content-Length: 1001\r\n\r\n",                                // body over limit
      post + "Transfer-Encoding: chunked\r\n\r\n3e9\r\n" + std::string(1001, 'b') + "\r\n0\r\n\r\n",
      post + "Content-Length: 2\r\nContent-Length: 2\r\n\r\nhi",
      post + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
      post + "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
      post + "Content-Length: +2\r\n\r\nhi",
      "POST /token HTTP/1.0\r\n" + token + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      post + "Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX y\r\n\r\n",  // bad trailer
      post + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhi\r\n0\r\n\r\n",
  };
  for (const auto& bytes : refused) {
    const RawReply r = raw_exchange(port_, bytes, 500);
    ASSERT_EQ(r.statuses.size(), 1u) << "one request, one answer: " << bytes << "\n" << r.raw;
    EXPECT_EQ(r.statuses[0], 401) << bytes << "\n" << r.raw;
    EXPECT_EQ(r.bodies[0], "{}") << bytes;
    EXPECT_NE(r.raw.find("Content-Type: application/json\r\n"), std::string::npos) << r.raw;
  }
  // An engine refusal answers the bytes httplib writes for a failure on a closing connection.
  const RawReply refusal = raw_exchange(port_, head + token + "\r\n junk\r\n\r\n");
  const RawReply failure = raw_exchange(port_, head + "Connection: close\r\n\r\n");
  EXPECT_EQ(refusal.raw, failure.raw);
  EXPECT_TRUE(refusal.closed);
}

TEST_F(HttplibServerTest, DeadlinesCloseTricklingAndIdleClients) {
  server_ = nullptr;
  approov::cpphttplib::Server* raw = nullptr;
  {
    approov::cpphttplib::ServerOptions options;
    server_ = std::make_unique<approov::cpphttplib::Server>(options);
    raw = server_.get();
    raw->set_read_timeout(0, 500000);  // a whole request within 0.5 s
    raw->set_keep_alive_timeout(1);    // the first byte within 1 s
    raw->Get("/open", approov::cpphttplib::protect(
                          *f_.guard, kNone,
                          [](const httplib::Request&, httplib::Response& res,
                             const approov::Claims*) { res.set_content("open", "text/plain"); }));
    port_ = serve_httplib(*raw, serving_);
    ASSERT_GT(port_, 0);
  }
  const auto t0 = std::chrono::steady_clock::now();
  const int trickling = connect_to(port_);
  const int silent = connect_to(port_);
  ASSERT_GE(trickling, 0);
  ASSERT_GE(silent, 0);
  bool trickling_closed = false;
  for (int i = 0; i < 40 && !trickling_closed; ++i) {  // a byte every 50 ms, for up to 2 s
    if (::send(trickling, "X", 1, MSG_NOSIGNAL) < 0) trickling_closed = true;
    pollfd p{trickling, POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) {
      char c;
      if (::recv(trickling, &c, 1, 0) <= 0) trickling_closed = true;
    }
  }
  const double trickle_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(trickling_closed) << "a trickling client outlived its read deadline";
  EXPECT_LT(trickle_s, 1.5);
  const RawReply idle = read_replies(silent, 2000);
  EXPECT_TRUE(idle.closed) << "a silent connection outlived the keep-alive timeout";
  EXPECT_TRUE(idle.statuses.empty()) << "closed without an answer";
  ::close(trickling);
  ::close(silent);
  EXPECT_EQ(get(port_, "/open", {}).body, "open");
}

TEST_F(HttplibServerTest, ConnectionsBeyondTheLimitAreClosed) {
  approov::cpphttplib::ServerOptions options;
  options.max_connections = 2;
  start(options);
  const int a = connect_to(port_);
  const int b = connect_to(port_);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const int c = connect_to(port_);
  ASSERT_GE(c, 0);
  EXPECT_TRUE(read_replies(c, 2000).closed) << "a third connection is closed at once";
  ::close(c);
  ::close(a);
  ::close(b);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(get(port_, "/open", {}).status, 200) << "room again once connections close";
}

TEST_F(HttplibServerTest, StopReturnsPromptlyWithOpenConnections) {
  start();
  std::vector<int> fds;
  for (int i = 0; i < 20; ++i) fds.push_back(connect_to(port_));
  for (int i = 0; i < 10; ++i) (void)!::send(fds[i], "GET /open HT", 12, MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  serving_.join();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 2.0);
  for (const int fd : fds) {
    EXPECT_TRUE(read_replies(fd, 2000).closed);
    ::close(fd);
  }
}
#endif

#ifdef APPROOV_TEST_MICROHTTPD
struct MhdRoutes {
  Fixture* f;
};

MHD_Result mhd_handler(void* cls, MHD_Connection* connection, const char* url, const char* method,
                       const char* version, const char*, std::size_t* upload_size, void** state) {
  static int headers_seen;  // answer once the whole request is in (see the hello example)
  if (*state == nullptr) {
    *state = &headers_seen;
    return MHD_YES;
  }
  if (*upload_size != 0) {
    *upload_size = 0;
    return MHD_YES;
  }
  Fixture& f = *static_cast<MhdRoutes*>(cls)->f;
  const std::string path = url;
  const approov::RoutePolicy& route = path == "/bound"    ? kBound
                                      : path == "/open"   ? kNone
                                      : path == "/report" ? kReport
                                                          : kToken;
  const approov::adapters::Guard& guard = path == "/custom" ? *f.custom : *f.guard;
  approov::Claims claims;
  const auto decision =
      approov::microhttpd::check(guard, connection, method, url, version, route, claims);
  if (!decision.allow) {
    return approov::microhttpd::queue_failure(guard.failure(), connection, decision);
  }
  const bool verified = decision.verified() && route.protection != approov::Protection::none;
  return approov::microhttpd::queue_json(connection, MHD_HTTP_OK,
                                         describe(verified ? &claims : nullptr), "text/plain");
}

TEST(MicrohttpdAdapter, PoliciesClaimsFailureResponseAndLog) {
  Fixture f;
  MhdRoutes routes{&f};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  MHD_Daemon* daemon =
      MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, nullptr, nullptr, &mhd_handler, &routes,
                       MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_END);
  ASSERT_NE(daemon, nullptr);
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  ASSERT_NE(info, nullptr);
  expect_adapter_behaviour(f, info->port);
  MHD_stop_daemon(daemon);
}

// libmicrohttpd 0.9.75 truncates a field value at a NUL, ends the header section at a line
// starting with ':' (and parses the rest as a second request), folds obs-fold lines into the
// field name and keeps whitespace before the colon in it: `check` audits its parse and
// refuses such requests with one failure response and a closed connection, on every route,
// while the shapes a real client sends still pass.
TEST(MicrohttpdAdapter, RefusesHeaderSectionsItsParserTruncatesOrDrops) {
  Fixture f;
  MhdRoutes routes{&f};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  MHD_Daemon* daemon =
      MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, nullptr, nullptr, &mhd_handler, &routes,
                       MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_END);
  ASSERT_NE(daemon, nullptr);
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  ASSERT_NE(info, nullptr);
  const std::uint16_t port = info->port;
  const std::string good = mint(R"({"exp":)" + exp_claim() + R"(,"did":"device-1"})");
  const std::string head = "GET /token HTTP/1.1\r\nHost: x\r\n";
  const std::string token = "Approov-Token: " + good;

  const std::vector<std::string> accepted = {
      head + token + "\r\n\r\n",
      "GET /token HTTP/1.1\nHost: x\n" + token + "\n\n",  // bare LF line ends
      head + "Approov-Token:\t " + good + " \t\r\nX-Empty:\r\nX-Blank:   \r\n\r\n",
      "GET /token?a=%20b&c HTTP/1.1\r\nHost: x\r\n" + token + "\r\nCookie: a=b; c=d\r\n\r\n",
      "POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n" + token + "\r\n\r\nhello",
      "GET /token HTTP/1.0\r\n" + token + "\r\n\r\n",
      "\r\nGET /token HTTP/1.1\r\nHost: x\r\n" + token + "\r\nX-Obs-Text: caf\xc3\xa9\r\n\r\n",
  };
  for (const auto& bytes : accepted) {
    const RawReply r = raw_exchange(port, bytes, 500);
    ASSERT_EQ(r.statuses.size(), 1u) << bytes << "\n" << r.raw;
    EXPECT_EQ(r.statuses[0], 200) << bytes << "\n" << r.raw;
    EXPECT_EQ(r.bodies[0], "did=device-1") << bytes;
  }

  const std::vector<std::string> refused = {
      head + token + lit("\0junk\r\n\r\n"),  // NUL inside the token
      head + token + lit("\0\r\n\r\n"),      // NUL at the end of the token
      head + lit("X-Other: a\0b\r\n") + token + "\r\n\r\n",
      head + ":foo\r\n" + token + "\r\n\r\n",                      // ':' line, then the token
      head + token + "\r\n:x\r\n" + token + "\r\n\r\n",            // a second token after it
      "GET /token HTTP/1.1\r\n:foo\r\n" + token + "\r\n\r\n",      // ':' as the first line
      head + token + "\r\n junk\r\n\r\n",                          // obs-fold
      head + token + "\r\nApproov-Token : " + good + "\r\n\r\n",   // space before the colon
      head + token + "\r\nX-Ctl: a\x01b\r\n\r\n",                  // control byte in a value
      "GET /open HTTP/1.1\r\nHost: x\r\n" + lit("X: \0\r\n\r\n"),  // any route
  };
  const std::size_t logged_before = f.logged.size();
  for (const auto& bytes : refused) {
    const RawReply r = raw_exchange(port, bytes);
    ASSERT_EQ(r.statuses.size(), 1u) << "one request, one answer:\n" << r.raw;
    EXPECT_EQ(r.statuses[0], 401) << r.raw;
    EXPECT_EQ(r.bodies[0], "{}");
    EXPECT_TRUE(r.closed) << "a refusal closes the connection";
  }
  {
    std::lock_guard<std::mutex> lock(f.mutex);
    EXPECT_EQ(f.logged.size(), logged_before) << "refusals are not token rejections";
  }
  MHD_stop_daemon(daemon);
}
#endif

}  // namespace
