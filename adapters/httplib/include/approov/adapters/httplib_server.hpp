// approov::cpphttplib::Server: cpp-httplib's Server (Debian 12: libcpp-httplib 0.11.4) with its
// connection handling replaced, so that the Approov check sees every header field exactly as
// received and slow or idle clients cannot starve the others. Linux only (epoll).
//
// Why: httplib 0.11.4 serves each connection on one pool thread for as long as it stays open
// (80 clients trickling their headers block every other client), has no cap on the header
// section (10.9 MB of headers were accepted), drops the bytes of pipelined requests after the
// first, percent-decodes header values, and silently drops field lines it does not like (an
// empty value, an obs-fold continuation, a line ending in a bare LF), so a second Approov-Token
// field could go unseen. Its only hook below the request level is the virtual
// `process_and_close_socket`; this class overrides it and puts its own engine in front of
// httplib's request processing:
//
//   * One reactor thread (epoll) owns every connection while it is idle or being read; a small
//     pool of worker threads (`ServerOptions::threads`) runs httplib's request processing and
//     your handlers, one complete request at a time. A connection holds a worker only while
//     its request is being handled, never while the client is slow or idle.
//   * The reactor frames each request itself with a strict HTTP/1.1 parser: request line and
//     field lines end in CR LF; field names are tokens directly followed by ':'; values hold no
//     control byte but tab; an obs-fold line, a bare LF, whitespace before a colon, two
//     Content-Length fields, Transfer-Encoding other than one `chunked` (or on HTTP/1.0), and
//     both framing fields are refused. The header section is capped at `header_limit`, the body
//     (chunked included) at `body_limit` (and at httplib's `set_payload_max_length`).
//   * Chunked trailer fields are checked for syntax (and capped at `header_limit`), never read,
//     and removed before httplib sees the body: a trailer never changes a decision (httplib
//     0.11.4 would otherwise refuse the body, or, for a GET, leave them to be read as the next
//     request).
//   * Only a complete request is handed to httplib, replayed from memory: httplib parses it as
//     usual (routing, `req.headers`, body), and the header fields as received are kept beside
//     it for the Approov check (`approov::cpphttplib::check` reads them, never `req.headers`).
//     Bytes of pipelined requests stay in the connection's buffer and are answered in order.
//   * Responses are buffered and written with one send, under the write timeout.
//
// httplib's own settings keep their meaning, adapted to this model:
//   set_keep_alive_timeout   how long a connection may wait for the first byte of a request
//   set_read_timeout         how long a request may take to arrive, from its first byte to its
//                            last (a deadline, not a per-read timeout: trickling cannot extend it)
//   set_write_timeout        how long a response may take to be written
//   set_keep_alive_max_count requests per connection
//   set_payload_max_length   largest body (capped by ServerOptions::body_limit)
//   set_socket_options, set_address_family, bind_to_port / listen: as in httplib (called on
//                            this class, they also raise the listen backlog)
// They are read when listening starts. Accepted sockets get TCP_NODELAY. `new_task_queue` is
// used by this class: do not replace it.
//
// Refusals: a request the engine refuses (malformed: 400; header section over the limit: 431;
// body over the limit: 413) is answered with `set_reject_response` if set (the guard's failure
// response: `answer_refused_requests_with_failure` in httplib.hpp sets it), else with the status
// and an empty body, always with "Connection: close"; the connection is then closed (after
// reading and discarding what the client is still sending, briefly, so that the answer is not
// lost to a reset). httplib's default headers (`set_default_headers`) are not added to those
// answers. A request still incomplete at its deadline is closed without an answer.
// "Expect: 100-continue" is answered by the engine when the request needs a body.
//
// What the engine does not change: handlers still run on worker threads, so a handler that
// blocks holds a worker (size `threads` for that); a client that does not read its response
// holds a worker for up to the write timeout (responses here are small); TLS is not supported
// (httplib's SSLServer is a different class). Where those matter, prefer the Boost.Beast engine
// (approov/server/http_server.hpp), which is asynchronous throughout.
#pragma once

#include <httplib.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "approov/adapters/http_syntax.hpp"
#include "approov/request_check.hpp"

namespace approov::cpphttplib {

struct ServerOptions {
  /// Worker threads that run httplib's request processing and your handlers. 0 means
  /// std::thread::hardware_concurrency().
  std::size_t threads = 0;
  /// Largest request line + header fields + blank line, in bytes.
  std::size_t header_limit = 16 * 1024;
  /// Largest request body in bytes, chunked or not (httplib's set_payload_max_length can only
  /// lower it). The engine holds a whole request in memory before httplib sees it.
  std::size_t body_limit = 1024 * 1024;
  /// Open connections; connections beyond it are closed as soon as they are accepted.
  std::size_t max_connections = 10000;
  /// Listen backlog (httplib's compiled-in 5 is too short for bursts of connections).
  int listen_backlog = SOMAXCONN;
};

namespace detail {

using Field = std::pair<std::string_view, std::string_view>;

/// The request being processed on this thread, set by Server around httplib's processing:
/// `fields` are its header fields exactly as received (names, and values without surrounding
/// spaces and tabs; empty values and duplicates included; no decoding), `target` its request
/// target as received, `body` its whole body (chunked framing removed); `request` is httplib's
/// parse of it once httplib has made one. `checked` records that the Approov check ran for it.
struct RequestContext {
  const httplib::Request* request = nullptr;
  const std::vector<Field>* fields = nullptr;
  std::string_view target;
  std::string_view body;
  bool checked = false;
};

inline thread_local RequestContext* current_request = nullptr;

using adapters::detail::is_field_byte;
using adapters::detail::is_tchar;

/// httplib 0.11.4's reason phrases, so that a refusal's status line matches httplib's own.
[[nodiscard]] inline const char* status_text(int status) noexcept {
  static constexpr std::pair<int, const char*> kPhrases[] = {
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {402, "Payment Required"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {406, "Not Acceptable"},
      {407, "Proxy Authentication Required"},
      {408, "Request Timeout"},
      {409, "Conflict"},
      {410, "Gone"},
      {411, "Length Required"},
      {412, "Precondition Failed"},
      {413, "Payload Too Large"},
      {414, "URI Too Long"},
      {415, "Unsupported Media Type"},
      {416, "Range Not Satisfiable"},
      {417, "Expectation Failed"},
      {418, "I'm a teapot"},
      {421, "Misdirected Request"},
      {422, "Unprocessable Entity"},
      {423, "Locked"},
      {424, "Failed Dependency"},
      {425, "Too Early"},
      {426, "Upgrade Required"},
      {428, "Precondition Required"},
      {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"},
      {451, "Unavailable For Legal Reasons"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
      {505, "HTTP Version Not Supported"},
      {506, "Variant Also Negotiates"},
      {507, "Insufficient Storage"},
      {508, "Loop Detected"},
      {510, "Not Extended"},
      {511, "Network Authentication Required"},
  };
  for (const auto& [code, text] : kPhrases) {
    if (code == status) return text;
  }
  return "Internal Server Error";  // httplib's answer for any other status
}

/// Strict, incremental framing of one HTTP/1.1 request at the start of a buffer. `advance` is
/// called whenever bytes were appended; it resumes where it stopped, so a trickling client
/// costs no rescans. Offsets, not pointers, are kept: the buffer may reallocate while the body
/// arrives.
class RequestFramer {
 public:
  enum class Result { incomplete, complete, bad_request, head_too_large, body_too_large };
  struct Span {
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
  };

  void reset() noexcept {
    stage_ = Stage::request_line;
    scan_ = searched_ = head_end_ = end_ = 0;
    pos_ = trailers_ = 0;
    remaining_ = body_ = content_length_ = 0;
    content_lengths_ = transfer_encodings_ = 0;
    chunked_ = expect_continue_ = http10_ = false;
    fields_.clear();
    target_ = {};
  }

  /// Frames the request at the start of `in`. May drop empty lines before the request line
  /// (RFC 9112 section 2.2), which shortens `in`.
  Result advance(std::string& in, std::size_t header_limit, std::uint64_t body_limit) {
    if (stage_ == Stage::request_line) {
      std::size_t skip = 0;
      while (in.size() >= skip + 2 && in[skip] == '\r' && in[skip + 1] == '\n') skip += 2;
      if (skip != 0) {
        in.erase(0, skip);
        searched_ = 0;
      }
    }
    while (stage_ == Stage::request_line || stage_ == Stage::fields) {
      const std::size_t lf = in.find('\n', std::max(scan_, searched_));
      if (lf == std::string::npos) {
        searched_ = in.size();
        return in.size() > header_limit ? Result::head_too_large : Result::incomplete;
      }
      if (lf + 1 > header_limit) return Result::head_too_large;
      if (lf == scan_ || in[lf - 1] != '\r') return Result::bad_request;  // bare LF
      const std::string_view line(in.data() + scan_, lf - 1 - scan_);
      if (stage_ == Stage::request_line) {
        if (!request_line(line)) return Result::bad_request;
        stage_ = Stage::fields;
      } else if (line.empty()) {
        head_end_ = lf + 1;
        stage_ = Stage::framing;
      } else if (!field_line(line, scan_)) {
        return Result::bad_request;
      }
      scan_ = lf + 1;
    }
    if (stage_ == Stage::framing) {
      if (transfer_encodings_ != 0) {
        if (http10_ || transfer_encodings_ > 1 || content_lengths_ != 0 || !chunked_) {
          return Result::bad_request;
        }
        stage_ = Stage::chunk_size;
        pos_ = head_end_;
      } else if (content_lengths_ != 0) {
        if (content_lengths_ > 1) return Result::bad_request;
        if (content_length_ > body_limit) return Result::body_too_large;
        stage_ = Stage::length;
      } else {
        end_ = head_end_;
        stage_ = Stage::done;
      }
    }
    if (stage_ == Stage::length) {
      if (in.size() - head_end_ < content_length_) return Result::incomplete;
      end_ = head_end_ + static_cast<std::size_t>(content_length_);
      stage_ = Stage::done;
    }
    while (stage_ != Stage::done) {  // chunked body
      if (stage_ == Stage::chunk_size) {
        const std::size_t lf = in.find('\n', pos_);
        if (lf == std::string::npos) {
          return in.size() - pos_ > 1024 ? Result::bad_request : Result::incomplete;
        }
        if (lf == pos_ || in[lf - 1] != '\r') return Result::bad_request;
        std::uint64_t size = 0;
        std::size_t i = pos_;
        for (; i < lf - 1 && i - pos_ < 16; ++i) {
          const int digit = hex(in[i]);
          if (digit < 0) break;
          size = size * 16 + static_cast<std::uint64_t>(digit);
        }
        if (i == pos_ || (i < lf - 1 && in[i] != ';')) return Result::bad_request;
        for (; i < lf - 1; ++i) {  // chunk extensions are allowed and ignored
          if (!is_field_byte(static_cast<unsigned char>(in[i]))) return Result::bad_request;
        }
        if (size > body_limit - body_) return Result::body_too_large;
        body_ += size;
        remaining_ = size;
        pos_ = lf + 1;
        trailers_ = pos_;
        stage_ = size == 0 ? Stage::chunk_end : Stage::chunk_data;
      } else if (stage_ == Stage::chunk_data) {
        if (in.size() - pos_ < remaining_ + 2) return Result::incomplete;
        pos_ += static_cast<std::size_t>(remaining_);
        if (in[pos_] != '\r' || in[pos_ + 1] != '\n') return Result::bad_request;
        pos_ += 2;
        stage_ = Stage::chunk_size;
      } else {  // chunk_end: the trailer section, up to its blank line
        const std::size_t lf = in.find('\n', pos_);
        if (lf == std::string::npos) {
          return in.size() - trailers_ > header_limit ? Result::head_too_large : Result::incomplete;
        }
        if (lf + 1 - trailers_ > header_limit) return Result::head_too_large;
        if (lf == pos_ || in[lf - 1] != '\r') return Result::bad_request;
        const std::string_view line(in.data() + pos_, lf - 1 - pos_);
        if (!line.empty()) {
          if (!field_syntax(line)) return Result::bad_request;
          pos_ = lf + 1;
          continue;
        }
        // Remove the trailer fields: httplib gets "0 CRLF CRLF" and never reads them.
        in.erase(trailers_, pos_ - trailers_);
        end_ = trailers_ + 2;
        stage_ = Stage::done;
      }
    }
    return Result::complete;
  }

  [[nodiscard]] bool head_complete() const noexcept { return head_end_ != 0; }
  /// The request target as received (after `advance` returned `complete`).
  [[nodiscard]] Span target() const noexcept { return target_; }
  /// Where the body is: [head end, request end) of the buffer; chunked framing when `chunked`.
  [[nodiscard]] std::size_t head_size() const noexcept { return head_end_; }
  [[nodiscard]] bool chunked() const noexcept { return chunked_ && transfer_encodings_ != 0; }
  /// Bytes of the complete request (after `advance` returned `complete`).
  [[nodiscard]] std::size_t size() const noexcept { return end_; }
  [[nodiscard]] const std::vector<std::pair<Span, Span>>& fields() const noexcept {
    return fields_;
  }
  /// "Expect: 100-continue" on an HTTP/1.1 request whose body has not fully arrived.
  [[nodiscard]] bool wants_continue() const noexcept {
    return expect_continue_ && !http10_ && head_end_ != 0 && stage_ != Stage::done;
  }

 private:
  enum class Stage : std::uint8_t {
    request_line,
    fields,
    framing,
    length,
    chunk_size,
    chunk_data,
    chunk_end,
    done
  };

  static int hex(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // method SP request-target SP HTTP-version, each part strict.
  bool request_line(std::string_view line) noexcept {
    const std::size_t sp1 = line.find(' ');
    if (sp1 == 0 || sp1 == std::string_view::npos) return false;
    const std::size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return false;
    for (std::size_t i = 0; i < sp1; ++i) {
      if (!is_tchar(static_cast<unsigned char>(line[i]))) return false;
    }
    for (std::size_t i = sp1 + 1; i < sp2; ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      if (c <= 0x20 || c >= 0x7f) return false;
    }
    const std::string_view version = line.substr(sp2 + 1);
    if (version != "HTTP/1.1" && version != "HTTP/1.0") return false;
    target_ = Span{static_cast<std::uint32_t>(sp1 + 1), static_cast<std::uint32_t>(sp2 - sp1 - 1)};
    http10_ = version == "HTTP/1.0";
    return true;
  }

  // name ":" OWS value OWS; records the field and what framing needs from it.
  // A token name directly followed by ':', then value bytes (no control byte but tab).
  static bool field_syntax(std::string_view line) noexcept {
    const std::size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return false;  // also obs-fold lines
    for (std::size_t i = 0; i < colon; ++i) {
      if (!is_tchar(static_cast<unsigned char>(line[i]))) return false;
    }
    for (std::size_t i = colon + 1; i < line.size(); ++i) {
      if (!is_field_byte(static_cast<unsigned char>(line[i]))) return false;
    }
    return true;
  }

  bool field_line(std::string_view line, std::size_t offset) {
    if (!field_syntax(line)) return false;
    const std::size_t colon = line.find(':');
    std::size_t begin = colon + 1;
    std::size_t end = line.size();
    while (begin < end && (line[begin] == ' ' || line[begin] == '\t')) ++begin;
    while (end > begin && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = line.substr(begin, end - begin);
    fields_.push_back({Span{static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(colon)},
                       Span{static_cast<std::uint32_t>(offset + begin),
                            static_cast<std::uint32_t>(end - begin)}});
    if (approov::iequals(name, "content-length")) {
      ++content_lengths_;
      if (value.empty() || value.size() > 18) return false;
      content_length_ = 0;
      for (const char c : value) {
        if (c < '0' || c > '9') return false;
        content_length_ = content_length_ * 10 + static_cast<std::uint64_t>(c - '0');
      }
    } else if (approov::iequals(name, "transfer-encoding")) {
      ++transfer_encodings_;
      chunked_ = approov::iequals(value, "chunked");
    } else if (approov::iequals(name, "expect")) {
      expect_continue_ = approov::iequals(value, "100-continue");
    }
    return true;
  }

  Stage stage_ = Stage::request_line;
  std::size_t scan_ = 0;      // start of the next unparsed line of the head
  std::size_t searched_ = 0;  // bytes already searched for that line's LF
  std::size_t head_end_ = 0;
  std::size_t end_ = 0;
  std::size_t pos_ = 0;       // chunked body cursor
  std::size_t trailers_ = 0;  // start of the trailer section (after the last chunk's size line)
  std::uint64_t remaining_ = 0;
  std::uint64_t body_ = 0;
  std::uint64_t content_length_ = 0;
  unsigned content_lengths_ = 0;
  unsigned transfer_encodings_ = 0;
  bool chunked_ = false;
  bool expect_continue_ = false;
  bool http10_ = false;
  Span target_;
  std::vector<std::pair<Span, Span>> fields_;
};

/// The payload of a chunked body that RequestFramer has validated (and stripped of trailers).
inline void dechunk(std::string_view chunked, std::string& out) {
  out.clear();
  std::size_t pos = 0;
  for (;;) {
    std::uint64_t size = 0;
    for (; pos < chunked.size(); ++pos) {
      const char c = chunked[pos];
      const int digit = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
      if (digit < 0) break;
      size = size * 16 + static_cast<std::uint64_t>(digit);
    }
    pos = chunked.find('\n', pos);
    if (size == 0 || pos == std::string_view::npos) return;
    ++pos;
    out.append(chunked.substr(pos, static_cast<std::size_t>(size)));
    pos += static_cast<std::size_t>(size) + 2;
  }
}

using Clock = std::chrono::steady_clock;

/// One client connection. Owned by the engine; touched by the reactor thread, except while
/// `dispatched`, when exactly one worker owns it (hand-overs go through mutex-guarded queues).
struct Connection {
  enum class State : std::uint8_t { waiting, reading, dispatched, draining };
  int fd = -1;
  std::size_t index = 0;  // position in Engine::connections_
  State state = State::waiting;
  bool registered = false;
  bool peer_closed = false;
  bool continue_sent = false;
  bool keep = false;  // set by the worker: another request may follow
  std::size_t served = 0;
  std::size_t drained = 0;
  Clock::time_point deadline{};
  std::string in;
  RequestFramer framer;
  std::vector<Field> fields;  // views into `in`, built when the request is dispatched
  std::string body;           // a chunked request's payload, built when it is dispatched
  std::string remote_ip, local_ip;
  int remote_port = -1, local_port = -1;
};

/// httplib's Stream over one complete request held in memory; writes are buffered and sent
/// under the write deadline.
class ReplayStream final : public httplib::Stream {
 public:
  ReplayStream(const Connection& c, std::size_t size, Clock::duration write_timeout) noexcept
      : c_(c), size_(size), write_timeout_(write_timeout) {}

  bool is_readable() const override { return pos_ < size_; }
  bool is_writable() const override { return !failed_; }
  ssize_t read(char* ptr, size_t size) override {
    const std::size_t n = std::min(size, size_ - pos_);
    std::memcpy(ptr, c_.in.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);  // 0 at the end of the request: EOF to httplib
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (failed_) return -1;
    out_.append(ptr, size);
    if (out_.size() >= 64 * 1024 && !flush()) return -1;
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = c_.remote_ip;
    port = c_.remote_port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = c_.local_ip;
    port = c_.local_port;
  }
  ::socket_t socket() const override { return c_.fd; }

  /// Sends what was written; false when the client did not take it before the deadline (set
  /// at the first flush of the response) or the connection failed.
  bool flush() {
    if (failed_) return false;
    if (!deadline_) deadline_ = Clock::now() + write_timeout_;
    std::size_t off = 0;
    while (off < out_.size()) {
      const ssize_t n = ::send(c_.fd, out_.data() + off, out_.size() - off, MSG_NOSIGNAL);
      if (n > 0) {
        off += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_writable()) continue;
      failed_ = true;
      break;
    }
    out_.clear();
    return !failed_;
  }

 private:
  // Waits for room in the socket's send buffer until the deadline.
  bool wait_writable() const {
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{c_.fd, POLLOUT, 0};
      const int r = ::poll(&p, 1, static_cast<int>(left.count()));
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) return false;
    }
  }

  const Connection& c_;
  std::size_t size_;
  std::size_t pos_ = 0;
  Clock::duration write_timeout_;
  std::optional<Clock::time_point> deadline_;
  std::string out_;
  bool failed_ = false;
};

/// The timeouts and limits the engine runs with, read from httplib's settings at start.
struct Limits {
  Clock::duration idle_timeout{};
  Clock::duration read_timeout{};
  Clock::duration write_timeout{};
  std::size_t header_limit = 0;
  std::uint64_t body_limit = 0;
  std::size_t max_connections = 0;
  std::size_t threads = 1;
  std::optional<FailureResponse> reject;
};

/// The reactor and the workers (see the file comment).
class Engine {
 public:
  /// Runs one dispatched request on a worker thread; returns true when the connection may
  /// serve another request.
  using Serve = std::function<bool(Connection&, const std::atomic<bool>& stopping)>;

  Engine(Limits limits, Serve serve) : limits_(std::move(limits)), serve_(std::move(serve)) {}
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  ~Engine() { stop(); }

  /// Starts the threads; false (and nothing started) if epoll or eventfd cannot be created.
  bool start() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_ < 0 || wake_ < 0) {
      if (epoll_ >= 0) ::close(epoll_);
      if (wake_ >= 0) ::close(wake_);
      epoll_ = wake_ = -1;
      return false;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev);
    try {
      for (std::size_t i = 0; i < limits_.threads; ++i) {
        workers_.emplace_back([this] { work(); });
      }
      reactor_ = std::thread([this] { react(); });
    } catch (...) {
      stop();
      return false;
    }
    started_ = true;
    return true;
  }

  /// Takes an accepted socket (any thread). Closes it when the engine is stopping or the
  /// connection limit is reached.
  void add(int fd) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (started_ && !stopping_.load() &&
          open_.fetch_add(1, std::memory_order_relaxed) < limits_.max_connections) {
        inbox_.push_back(fd);
        fd = -1;
      } else if (started_ && !stopping_.load()) {
        open_.fetch_sub(1, std::memory_order_relaxed);
      }
    }
    if (fd >= 0) {
      ::close(fd);
      return;
    }
    wake();
  }

  /// Stops accepting work, closes idle and incomplete connections, lets requests being
  /// handled finish (their connections close after the answer), then joins every thread.
  /// Thread-safe and idempotent.
  void stop() {
    std::lock_guard<std::mutex> once(stop_mutex_);
    {
      std::lock_guard<std::mutex> lock(mutex_);  // add() checks `stopping_` under it
      stopping_ = true;
    }
    if (reactor_.joinable()) {
      wake();
      reactor_.join();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const int fd : inbox_) ::close(fd);  // handed over after the reactor's last look
      inbox_.clear();
    }
    {
      std::lock_guard<std::mutex> lock(jobs_mutex_);
      workers_stop_ = true;
    }
    jobs_cv_.notify_all();
    for (auto& t : workers_) {
      if (t.joinable()) t.join();
    }
    workers_.clear();
    if (epoll_ >= 0) ::close(epoll_);
    if (wake_ >= 0) ::close(wake_);
    epoll_ = wake_ = -1;
  }

  [[nodiscard]] bool stopping() const noexcept { return stopping_.load(); }

 private:
  void wake() noexcept {
    const std::uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof one);
  }

  std::size_t cap() const noexcept {
    return limits_.header_limit + static_cast<std::size_t>(limits_.body_limit) + 64 * 1024;
  }

  void react() {
    std::vector<epoll_event> events(256);
    std::vector<int> inbox;
    std::vector<Connection*> returned;
    auto next_sweep = Clock::now();
    for (;;) {
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 100);
      for (int i = 0; i < n; ++i) {
        if (events[static_cast<std::size_t>(i)].data.ptr == nullptr) {
          std::uint64_t count = 0;
          (void)!::read(wake_, &count, sizeof count);
          continue;
        }
        on_ready(*static_cast<Connection*>(events[static_cast<std::size_t>(i)].data.ptr));
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        inbox.swap(inbox_);
        returned.swap(returned_);
      }
      for (const int fd : inbox) accept_connection(fd);
      inbox.clear();
      for (Connection* c : returned) on_returned(*c);
      returned.clear();
      const auto now = Clock::now();
      if (stopping_.load()) {
        for (std::size_t i = connections_.size(); i-- > 0;) {
          if (connections_[i]->state != Connection::State::dispatched) close(*connections_[i]);
        }
        if (connections_.empty()) break;
      } else if (now >= next_sweep) {
        for (std::size_t i = connections_.size(); i-- > 0;) {
          Connection& c = *connections_[i];
          if (c.state != Connection::State::dispatched && now >= c.deadline) close(c);
        }
        next_sweep = now + std::chrono::milliseconds(100);
      }
    }
  }

  void accept_connection(int fd) {
    if (stopping_.load()) {
      ::close(fd);
      open_.fetch_sub(1, std::memory_order_relaxed);
      return;
    }
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    const int flags = ::fcntl(fd, F_GETFL, 0);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    address(fd, true, c->remote_ip, c->remote_port);
    address(fd, false, c->local_ip, c->local_port);
    c->deadline = Clock::now() + limits_.idle_timeout;
    c->index = connections_.size();
    connections_.push_back(std::move(c));
    arm(*connections_.back());
  }

  static void address(int fd, bool peer, std::string& ip, int& port) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    auto* sa = reinterpret_cast<sockaddr*>(&addr);
    if ((peer ? ::getpeername(fd, sa, &len) : ::getsockname(fd, sa, &len)) != 0) return;
    char text[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(&addr);
      ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
      port = ntohs(v4->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&addr);
      ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
      port = ntohs(v6->sin6_port);
    }
    ip = text;
  }

  // Re-arms the one-shot read interest: at most one thread ever handles a connection.
  void arm(Connection& c) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.ptr = &c;
    if (::epoll_ctl(epoll_, c.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c.fd, &ev) == 0) {
      c.registered = true;
    } else {
      close(c);
    }
  }

  void on_ready(Connection& c) {
    char buf[16 * 1024];
    if (c.state == Connection::State::draining) {
      for (;;) {
        const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n > 0) {
          c.drained += static_cast<std::size_t>(n);
          if (c.drained > 256 * 1024) return close(c);
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return arm(c);
        return close(c);  // EOF or error: the client has everything it will read
      }
    }
    // Until the header section is complete, read no more than it may hold (plus one byte to
    // tell "over the limit"): a connection never buffers more than its stage allows.
    const std::size_t limit =
        c.framer.head_complete() ? cap() : std::max(c.in.size(), limits_.header_limit + 1);
    while (c.in.size() < limit) {
      const ssize_t n = ::recv(c.fd, buf, std::min(sizeof buf, limit - c.in.size()), 0);
      if (n > 0) {
        c.in.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0) return close(c);
      c.peer_closed = true;  // EOF: a complete request already read is still answered
      break;
    }
    if (c.in.empty()) return c.peer_closed ? close(c) : arm(c);
    advance(c);
  }

  // Frames the buffered bytes: dispatches a complete request, refuses a bad one, or waits.
  void advance(Connection& c) {
    if (c.state == Connection::State::waiting) {
      c.state = Connection::State::reading;
      c.deadline = Clock::now() + limits_.read_timeout;  // once per request: no extension
    }
    using R = RequestFramer::Result;
    switch (c.framer.advance(c.in, limits_.header_limit, limits_.body_limit)) {
      case R::complete:
        if (stopping_.load()) return close(c);
        return dispatch(c);
      case R::bad_request:
        return refuse(c, 400);
      case R::head_too_large:
        return refuse(c, 431);
      case R::body_too_large:
        return refuse(c, 413);
      case R::incomplete:
        break;
    }
    if (c.peer_closed) return close(c);
    if (c.in.empty()) {  // only empty lines so far
      c.state = Connection::State::waiting;
      return arm(c);
    }
    if (c.in.size() >= cap()) return refuse(c, c.framer.head_complete() ? 413 : 431);
    if (c.framer.wants_continue() && !c.continue_sent) {
      c.continue_sent = true;
      static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      (void)!::send(c.fd, kContinue, sizeof kContinue - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    arm(c);
  }

  void dispatch(Connection& c) {
    c.state = Connection::State::dispatched;
    {
      std::lock_guard<std::mutex> lock(jobs_mutex_);
      jobs_.push_back(&c);
    }
    jobs_cv_.notify_one();
  }

  void work() {
    for (;;) {
      Connection* c = nullptr;
      {
        std::unique_lock<std::mutex> lock(jobs_mutex_);
        jobs_cv_.wait(lock, [this] { return workers_stop_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping, and nothing left to serve
        c = jobs_.front();
        jobs_.pop_front();
      }
      bool keep = false;
      try {
        keep = serve_(*c, stopping_);
      } catch (...) {
        keep = false;
      }
      c->keep = keep;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        returned_.push_back(c);
      }
      wake();
    }
  }

  void on_returned(Connection& c) {
    const std::size_t used = std::min(c.framer.size(), c.in.size());
    c.in.erase(0, used);
    if (c.in.capacity() > 64 * 1024 && c.in.size() < 16 * 1024) c.in.shrink_to_fit();
    c.framer.reset();
    c.fields.clear();
    c.body.clear();
    if (c.body.capacity() > 64 * 1024) c.body.shrink_to_fit();
    c.continue_sent = false;
    c.state = Connection::State::waiting;
    c.deadline = Clock::now() + limits_.idle_timeout;
    if (!c.keep || stopping_.load()) {
      ::shutdown(c.fd, SHUT_WR);
      if (c.in.empty() && !c.peer_closed) return close(c);
      return drain(c);  // unread bytes: read them away so the answer is not lost to a reset
    }
    if (!c.in.empty()) return advance(c);  // a pipelined request is already buffered
    if (c.peer_closed) return close(c);
    arm(c);
  }

  void refuse(Connection& c, int status) {
    const std::string answer = reject_bytes(status);
    std::size_t off = 0;
    while (off < answer.size()) {
      const ssize_t n =
          ::send(c.fd, answer.data() + off, answer.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    ::shutdown(c.fd, SHUT_WR);
    drain(c);
  }

  void drain(Connection& c) {
    std::string().swap(c.in);  // free the buffer now
    c.framer.reset();
    c.state = Connection::State::draining;
    c.deadline = Clock::now() + std::chrono::seconds(1);
    if (c.peer_closed) return close(c);
    arm(c);
  }

  std::string reject_bytes(int status) const {
    const FailureResponse* r = limits_.reject ? &*limits_.reject : nullptr;
    const int code = r != nullptr ? r->status : status;
    std::string out = "HTTP/1.1 " + std::to_string(code) + " " + status_text(code) +
                      "\r\nConnection: close\r\nContent-Length: " +
                      std::to_string(r != nullptr ? r->body.size() : 0) + "\r\n";
    if (r != nullptr && !r->content_type.empty()) {
      out += "Content-Type: " + r->content_type + "\r\n";
    }
    out += "\r\n";
    if (r != nullptr) out += r->body;
    return out;
  }

  void close(Connection& c) {
    ::close(c.fd);  // also leaves the epoll set
    open_.fetch_sub(1, std::memory_order_relaxed);
    const std::size_t i = c.index;
    if (i + 1 != connections_.size()) {
      connections_[i] = std::move(connections_.back());
      connections_[i]->index = i;
    }
    connections_.pop_back();  // destroys `c`
  }

  Limits limits_;
  Serve serve_;
  int epoll_ = -1;
  int wake_ = -1;
  bool started_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> open_{0};
  std::thread reactor_;
  std::vector<std::thread> workers_;
  std::vector<std::unique_ptr<Connection>> connections_;  // reactor thread only
  std::mutex mutex_;                                      // inbox_ and returned_
  std::vector<int> inbox_;
  std::vector<Connection*> returned_;
  std::mutex jobs_mutex_;
  std::condition_variable jobs_cv_;
  std::deque<Connection*> jobs_;
  bool workers_stop_ = false;
  std::mutex stop_mutex_;
};

/// Runs every task where it is enqueued: the listening thread only hands accepted sockets to
/// the engine. `shutdown` (when httplib's listen loop ends) stops the engine.
class InlineQueue final : public httplib::TaskQueue {
 public:
  explicit InlineQueue(std::function<void()> on_shutdown) : on_shutdown_(std::move(on_shutdown)) {}
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override { on_shutdown_(); }

 private:
  std::function<void()> on_shutdown_;
};

}  // namespace detail

/// httplib::Server with the engine above. Use it exactly like httplib::Server (routes, handlers,
/// settings, bind/listen, stop), and guard routes with approov/adapters/httplib.hpp.
class Server : public httplib::Server {
 public:
  explicit Server(ServerOptions options = {}) : options_(options) {
    new_task_queue = [this] {
      (void)engine();
      return new detail::InlineQueue([this] { stop_engine(); });
    };
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server() override { stop_engine(); }

  /// The answer to requests the engine refuses (malformed, oversized); unset: the status with
  /// an empty body. Set it before listening.
  void set_reject_response(FailureResponse response) { reject_ = std::move(response); }

  /// As httplib's, then raises the listen backlog to `ServerOptions::listen_backlog` (on the
  /// binding thread, before any stop() can close the socket).
  bool bind_to_port(const std::string& host, int port, int socket_flags = 0) {
    const bool bound = httplib::Server::bind_to_port(host, port, socket_flags);
    if (bound) raise_backlog();
    return bound;
  }
  int bind_to_any_port(const std::string& host, int socket_flags = 0) {
    const int port = httplib::Server::bind_to_any_port(host, socket_flags);
    if (port > 0) raise_backlog();
    return port;
  }
  bool listen(const std::string& host, int port, int socket_flags = 0) {
    return bind_to_port(host, port, socket_flags) && listen_after_bind();
  }

  /// Stops listening (httplib::Server::stop), closes idle and incomplete connections, lets
  /// requests being handled finish, and joins the engine's threads. Call it (rather than
  /// httplib::Server::stop through a base pointer, which also works once listen returns).
  void stop() {
    httplib::Server::stop();
    stop_engine();
  }

  [[nodiscard]] const ServerOptions& options() const noexcept { return options_; }

 private:
  bool process_and_close_socket(::socket_t sock) override {
    detail::Engine* e = engine();
    if (e == nullptr) {
      ::close(sock);
      return false;
    }
    e->add(sock);
    return true;
  }

  void raise_backlog() noexcept {
    if (options_.listen_backlog > 0) ::listen(svr_sock_.load(), options_.listen_backlog);
  }

  detail::Engine* engine() {
    std::lock_guard<std::mutex> lock(engine_mutex_);
    if (engine_ && !engine_->stopping()) return engine_.get();
    if (engine_) engine_->stop();
    detail::Limits limits;
    using std::chrono::microseconds;
    using std::chrono::seconds;
    limits.idle_timeout = seconds(keep_alive_timeout_sec_);
    limits.read_timeout = seconds(read_timeout_sec_) + microseconds(read_timeout_usec_);
    limits.write_timeout = seconds(write_timeout_sec_) + microseconds(write_timeout_usec_);
    limits.header_limit = options_.header_limit;
    limits.body_limit = std::min<std::uint64_t>(options_.body_limit, payload_max_length_);
    limits.max_connections = options_.max_connections;
    limits.threads = options_.threads != 0 ? options_.threads
                                           : std::max(1u, std::thread::hardware_concurrency());
    limits.reject = reject_;
    engine_ = std::make_unique<detail::Engine>(
        std::move(limits), [this](detail::Connection& c, const std::atomic<bool>& stopping) {
          return serve(c, stopping);
        });
    if (!engine_->start()) engine_.reset();
    return engine_.get();
  }

  void stop_engine() {
    std::unique_ptr<detail::Engine> engine;
    {
      std::lock_guard<std::mutex> lock(engine_mutex_);
      engine = std::move(engine_);
    }
    if (engine) engine->stop();
  }

  // A worker thread: httplib processes the complete request from memory, with the fields as
  // received published for the Approov check.
  bool serve(detail::Connection& c, const std::atomic<bool>& stopping) {
    for (const auto& [name, value] : c.framer.fields()) {
      c.fields.emplace_back(std::string_view(c.in.data() + name.offset, name.size),
                            std::string_view(c.in.data() + value.offset, value.size));
    }
    detail::RequestContext context;
    context.fields = &c.fields;
    const auto target = c.framer.target();
    context.target = std::string_view(c.in.data() + target.offset, target.size);
    const std::string_view body(c.in.data() + c.framer.head_size(),
                                c.framer.size() - c.framer.head_size());
    if (c.framer.chunked()) {
      detail::dechunk(body, c.body);
      context.body = c.body;
    } else {
      context.body = body;
    }
    detail::ReplayStream stream(
        c, c.framer.size(),
        std::chrono::seconds(write_timeout_sec_) + std::chrono::microseconds(write_timeout_usec_));
    ++c.served;
    const bool close = stopping.load() || c.peer_closed ||
                       (keep_alive_max_count_ != 0 && c.served >= keep_alive_max_count_);
    bool closed = false;
    bool ok = false;
    detail::current_request = &context;
    try {
      ok = process_request(stream, close, closed, [&context](httplib::Request& req) {
        context.request = &req;
        req.headers.erase("Expect");  // the engine has read the whole body already
      });
    } catch (...) {
      ok = false;
    }
    detail::current_request = nullptr;
    ok = stream.flush() && ok;
    return ok && !close && !closed;
  }

  ServerOptions options_;
  std::optional<FailureResponse> reject_;
  std::mutex engine_mutex_;
  std::unique_ptr<detail::Engine> engine_;
};

}  // namespace approov::cpphttplib
