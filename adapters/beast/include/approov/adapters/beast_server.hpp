// A small, fast HTTP/1.1 server engine on Boost.Beast / Asio, shared by the example servers
// and the approov-authd sidecar. Header-only: needs the Boost headers (Asio and Beast; Debian
// Boost 1.74; no compiled Boost library since 1.69) and Threads::Threads.
//
// Model
//   * One io_context per worker thread; a connection lives on one worker for its whole life,
//     so the request path takes no lock and touches no shared atomic (the connection count
//     for `max_connections` is one relaxed atomic updated at accept and close only).
//   * TCP listeners: with `reuse_port` (the default) every worker binds its own SO_REUSEPORT
//     acceptor on the same address and the kernel spreads connections; otherwise worker 0
//     accepts and hands sockets round-robin to the workers. Unix-socket listeners always use
//     the second scheme. Port 0 binds an ephemeral port: read it back with `port()`.
//   * Keep-alive and pipelining: requests on one connection are parsed, handled and answered
//     strictly in order; bytes of the next request already read stay in the connection's
//     buffer and are parsed after the response is written.
//   * Buffers are per connection and reused: the read buffer, the response object (its body
//     keeps its capacity) and the serialized header. Requests are parsed with Beast's parser fed
//     from the connection's buffer; responses are written with one gathered write of the
//     header and the body. Timeouts are per-connection deadlines checked by one coarse timer
//     per worker, so a request costs no timer operation.
//
// Handler contract (read this, D):
//   using Request  = boost::beast::http::request<boost::beast::http::string_body>;
//   using Response = boost::beast::http::response<boost::beast::http::string_body>;
//   using Handler  = std::function<void(const Request&, Response&)>;
//   * Called on a worker thread, concurrently from all workers: it must be thread-safe (share
//     only immutable state, or per-thread state indexed by `Server::worker_index()`).
//   * `req` and `res` are valid only during the call; keep no reference to them.
//   * `res` arrives reset to 200 OK with no fields and an empty body (capacity retained);
//     set the status, fields and body. The server then sets the HTTP version (the request's),
//     keep-alive (the request's wish; "close" while stopping) and Content-Length (the body
//     size; a HEAD answer carries it without the body). Do not set Connection or
//     Content-Length yourself.
//   * It should not throw; if it does, the client gets an empty 500 and the connection closes.
//   * It must not block for long: it runs on the event loop.
//
// Requests the server refuses itself at the HTTP level (it answers, then closes the
// connection): header block over `header_limit` -> 431, body over `body_limit` -> 413, any
// other parse error (a control byte in a header value, a bad request line, ...) -> 400, each
// with an empty body; or, when `reject_response` (or `reject_handler`) is set, that response
// for all of them. A server that guards its routes sets it to its failure response, so that a
// request whose token header the parser refuses gets the same bytes as any other token
// failure (SPEC §6), and a proxy that maps only the failure status (nginx auth_request) never
// turns it into a 500.
// Trailer fields: a handler sees the fields of the header section only. Boost's parser
// (1.74) hands the trailer fields of a chunked request to the same hook as header fields, and
// `http::parser` inserts them into the same field list (next to a header field of the same
// name, so they cannot be told apart afterwards), where any code that reads a header (the
// token, a bound header, the original URI of a proxied request, Connection) would find them.
// The engine's parser stores a field only while the header section is being parsed and
// drops every trailer field, so a trailer can neither supply a header nor duplicate one: it
// never changes a decision (a request with a valid token header and any trailer is answered
// as without the trailer). Dropping was chosen over refusing such requests: HTTP lets a
// recipient discard trailer fields, and refusing would let a trailer change the answer to an
// otherwise valid request. A trailer the parser finds malformed (a framing field such as
// Content-Length, a control byte) still gets the request refused as below, like any
// malformed request.
//
// Timeouts: a connection waiting for the first byte of a request is closed after
// `idle_timeout`; once a request has started it must be complete within `read_timeout`
// (slow-loris clients are closed, other connections are unaffected); a response must be
// written within `write_timeout`.
//
// Lifetime: listen()* -> start() -> ... -> stop() -> wait() (or run(), which is start()+wait()).
// `stop()` is thread-safe and may be called more than once (not from a signal handler: use an
// asio::signal_set or a thread that calls it). It stops accepting, closes connections that are
// idle between requests, lets requests being read or handled finish and answers them with
// "Connection: close", then force-closes what is left after `drain_timeout`. `wait()` returns
// when every worker has finished. The Server must outlive its workers (destructor stops and
// joins).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace approov::beast {

namespace http = boost::beast::http;
namespace asio = boost::asio;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using Handler = std::function<void(const Request&, Response&)>;

/// A fixed answer for requests refused before any handler runs (see the header comment).
struct RejectResponse {
  unsigned status = 400;
  std::string content_type;  ///< empty: no Content-Type field
  std::string body;
};

struct ServerOptions {
  /// Worker threads (each with its own io_context). 0 means std::thread::hardware_concurrency().
  std::size_t threads = 1;
  /// Bind each worker's own SO_REUSEPORT acceptor for TCP listeners.
  bool reuse_port = true;
  /// Largest request line + header block, in bytes.
  std::uint32_t header_limit = 16 * 1024;
  /// Largest request body, in bytes.
  std::uint64_t body_limit = 64 * 1024;
  /// Open connections across all workers; connections beyond it are closed at once.
  std::size_t max_connections = 10000;
  /// Requests on one connection before it is closed (0: no limit).
  std::size_t max_requests_per_connection = 0;
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};
  std::chrono::milliseconds drain_timeout{10000};
  int listen_backlog = asio::socket_base::max_listen_connections;
  /// Answer to requests refused at the HTTP level (parse errors, limits); unset: the error's
  /// own status (400, 413, 431) with an empty body.
  std::optional<RejectResponse> reject_response;
  /// When set, writes that answer instead of `reject_response` (for an answer that changes at
  /// run time, such as a reloaded failure response). Called on the worker thread, concurrently
  /// from all workers, with the status the engine would send and a reset response; the same
  /// rules as for the Handler apply. If it throws, `reject_response` (or the default) is sent.
  std::function<void(http::status, Response&)> reject_handler;
};

class Server;

namespace detail {

class Worker;

// The request parser: `http::request_parser` that stores the fields of the header section
// only (see "Trailer fields" in the header comment). Boost calls on_field_impl for header and
// trailer fields alike, and the parser's state says which section is being read.
class RequestParser final : public http::request_parser<http::string_body> {
 private:
  void on_field_impl(http::field name, boost::beast::string_view name_string,
                     boost::beast::string_view value, boost::beast::error_code& ec) override {
    ec = {};
    if (this->is_header_done()) return;  // a trailer field: never stored, never seen
    this->get().insert(name, name_string, value);
  }
};

class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  virtual void on_stop() = 0;      // called on the worker's thread
  virtual void force_close() = 0;  // called on the worker's thread
  virtual void check_deadline(std::chrono::steady_clock::time_point now) = 0;
};

class Worker {
 public:
  Worker(Server& server, std::size_t index)
      : server_(server), index_(index), drain_timer_(ioc_), sweep_timer_(ioc_) {}
  asio::io_context& ioc() noexcept { return ioc_; }
  Server& server() noexcept { return server_; }
  std::size_t index() const noexcept { return index_; }
  bool stopping() const noexcept { return stopping_; }

  void add(const std::shared_ptr<ConnectionBase>& c) { conns_.insert(c.get()); }
  inline void remove(ConnectionBase* c);
  inline void begin_stop();
  inline void sweep();  // closes connections past their deadline, then re-arms
  std::vector<std::function<void()>> closers;  // close this worker's acceptors

 private:
  Server& server_;
  std::size_t index_;
  asio::io_context ioc_{1};
  asio::steady_timer drain_timer_;
  // Timeouts are deadlines checked by one coarse timer per worker, so a request costs no
  // timer operation (Beast's basic_stream arms and cancels a timer for every read and write).
  asio::steady_timer sweep_timer_;
  std::vector<ConnectionBase*> expired_;
  std::unordered_set<ConnectionBase*> conns_;
  bool stopping_ = false;
  friend class approov::beast::Server;
};

}  // namespace detail

class Server {
 public:
  Server(ServerOptions options, Handler handler)
      : options_(std::move(options)), handler_(std::move(handler)) {
    if (options_.threads == 0) {
      options_.threads = std::max(1u, std::thread::hardware_concurrency());
    }
    for (std::size_t i = 0; i < options_.threads; ++i) {
      workers_.push_back(std::make_unique<detail::Worker>(*this, i));
      guards_.emplace_back(asio::make_work_guard(workers_.back()->ioc()));
    }
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server() {
    stop();
    wait();
  }

  /// Adds a listener: "HOST:PORT" ("127.0.0.1:8080", "[::1]:0", "localhost:0") or
  /// "unix:/path" (a stale socket file there is replaced; any other file, or a socket another
  /// process listens on, is an error; the socket gets mode 0660, so the proxy's user needs
  /// the server's group). Call before start().
  /// Returns an empty string on success or a message naming the address and the problem.
  [[nodiscard]] std::string listen(const std::string& spec) {
    try {
      if (spec.rfind("unix:", 0) == 0) return listen_unix(spec.substr(5));
      return listen_tcp(spec);
    } catch (const std::exception& e) {
      return "cannot listen on " + spec + ": " + e.what();
    }
  }

  /// The port bound by the first TCP listener (after listen()), or 0.
  [[nodiscard]] std::uint16_t port() const noexcept { return first_port_; }

  /// Starts the worker threads. Returns at once.
  void start() {
    for (auto& w : workers_) {
      detail::Worker* wp = w.get();
      asio::post(wp->ioc(), [wp] { wp->sweep(); });
      threads_.emplace_back([wp] {
        current_worker_index() = wp->index();
        wp->ioc().run();
      });
    }
  }

  /// Graceful stop (see the header comment). Thread-safe, idempotent.
  void stop() {
    if (stop_requested_.exchange(true)) return;
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      detail::Worker* w = workers_[i].get();
      asio::post(w->ioc(), [w] { w->begin_stop(); });
    }
    guards_.clear();
  }

  /// Joins the worker threads (returns once stop() has drained them).
  void wait() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }

  /// start() then wait().
  void run() {
    start();
    wait();
  }

  [[nodiscard]] const ServerOptions& options() const noexcept { return options_; }
  [[nodiscard]] std::size_t threads() const noexcept { return workers_.size(); }

  /// Index (0..threads()-1) of the worker running the calling thread; 0 elsewhere. Use it to
  /// index per-thread state (counters) from the handler without sharing cache lines.
  [[nodiscard]] static std::size_t worker_index() noexcept { return current_worker_index(); }

  /// Open connections now (a relaxed read, for metrics).
  [[nodiscard]] std::size_t connections() const noexcept {
    return active_.load(std::memory_order_relaxed);
  }

 private:
  friend class detail::Worker;
  template <class Protocol>
  class Connection;
  template <class Protocol>
  class Acceptor;

  static std::size_t& current_worker_index() noexcept {
    thread_local std::size_t index = 0;
    return index;
  }

  inline std::string listen_tcp(const std::string& spec);
  inline std::string listen_unix(const std::string& path);

  bool admit() noexcept {
    if (active_.fetch_add(1, std::memory_order_relaxed) >= options_.max_connections) {
      active_.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  void release() noexcept { active_.fetch_sub(1, std::memory_order_relaxed); }

  ServerOptions options_;
  Handler handler_;
  std::vector<std::unique_ptr<detail::Worker>> workers_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::vector<std::shared_ptr<void>> acceptors_;
  std::atomic<std::size_t> active_{0};
  std::atomic<bool> stop_requested_{false};
  std::uint16_t first_port_ = 0;
};

// ---- connection -------------------------------------------------------------------------------

template <class Protocol>
class Server::Connection final : public detail::ConnectionBase,
                                 public std::enable_shared_from_this<Connection<Protocol>> {
 public:
  using Socket = typename Protocol::socket;
  Connection(Socket socket, detail::Worker& worker)
      : socket_(std::move(socket)),
        worker_(worker),
        options_(worker.server().options_),
        buffer_(static_cast<std::size_t>(options_.header_limit) +
                static_cast<std::size_t>(std::min<std::uint64_t>(options_.body_limit, 1u << 20)) +
                4096) {}

  ~Connection() override { worker_.server().release(); }

  void start() {
    worker_.add(this->shared_from_this());
    wait_for_request();
  }

  void on_stop() override {
    stopping_ = true;
    if (state_ == State::idle) close();
  }
  void force_close() override { close(); }
  void check_deadline(std::chrono::steady_clock::time_point now) override {
    if (state_ != State::closed && now >= deadline_) close();
  }

 private:
  enum class State : std::uint8_t { idle, reading, writing, closed };
  using Clock = std::chrono::steady_clock;

  // Between requests: wait for the first byte under the idle timeout. Bytes of a pipelined
  // request already buffered are parsed at once.
  void wait_for_request() {
    if (stopping_ || worker_.stopping()) return close();
    begin_request();
    if (buffer_.size() > 0) return parse();
    state_ = State::idle;
    deadline_ = Clock::now() + options_.idle_timeout;
    read_more();
  }

  void begin_request() {
    parser_.emplace();
    parser_->header_limit(options_.header_limit);
    parser_->body_limit(options_.body_limit);
    parser_->eager(true);
    request_started_ = false;
  }

  void read_more() {
    boost::asio::mutable_buffer space;
    try {
      space = buffer_.prepare(std::min<std::size_t>(
          std::max<std::size_t>(buffer_.capacity() - buffer_.size(), 1024), 64 * 1024));
    } catch (const std::length_error&) {
      // The request does not fit in the buffer (header block or body too large).
      return fail(parser_->is_header_done() ? http::status::payload_too_large
                                            : http::status::request_header_fields_too_large);
    }
    socket_.async_read_some(
        space, [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t n) {
          if (ec || self->state_ == State::closed) return self->close();
          self->buffer_.commit(n);
          self->parse();
        });
  }

  // Feeds buffered bytes to the parser; the read deadline is set once per request, when its
  // first byte arrives, so a client that trickles bytes cannot extend it.
  void parse() {
    if (!request_started_) {
      request_started_ = true;
      state_ = State::reading;
      deadline_ = Clock::now() + options_.read_timeout;
    }
    for (;;) {
      boost::beast::error_code ec;
      const std::size_t n = parser_->put(buffer_.data(), ec);
      buffer_.consume(n);
      if (ec == http::error::need_more) break;
      if (ec) {
        if (ec == http::error::header_limit) {
          return fail(http::status::request_header_fields_too_large);
        }
        if (ec == http::error::body_limit) return fail(http::status::payload_too_large);
        return fail(http::status::bad_request);
      }
      if (parser_->is_done()) return on_request();
      if (n == 0 || buffer_.size() == 0) break;
    }
    read_more();
  }

  void on_request() {
    const Request& req = parser_->get();
    reset_response();
    bool ok = true;
    try {
      worker_.server().handler_(req, res_);
    } catch (...) {
      ok = false;
    }
    if (!ok) {
      reset_response();
      res_.result(http::status::internal_server_error);
    }
    ++served_;
    const bool limit_reached = options_.max_requests_per_connection != 0 &&
                               served_ >= options_.max_requests_per_connection;
    keep_alive_ = ok && req.keep_alive() && !stopping_ && !worker_.stopping() && !limit_reached;
    res_.version(req.version() == 10 ? 10 : 11);
    send_body_ = req.method() != http::verb::head;
    write();
  }

  void fail(http::status status) {
    reset_response();
    if (options_.reject_handler) {
      try {
        options_.reject_handler(status, res_);
        return send_reject();
      } catch (...) {
        reset_response();
      }
    }
    if (const auto& reject = options_.reject_response) {
      res_.result(reject->status);
      if (!reject->content_type.empty()) res_.set(http::field::content_type, reject->content_type);
      res_.body() = reject->body;
    } else {
      res_.result(status);
    }
    send_reject();
  }

  void send_reject() {
    res_.version(11);
    keep_alive_ = false;
    send_body_ = true;
    write();
  }

  void reset_response() {
    res_.clear();  // the fields; the body string keeps its capacity
    res_.body().clear();
    res_.result(http::status::ok);
  }

  // Serializes the header into a reused string and writes header and body with one gathered
  // write: no serializer, no per-request composed-operation state beyond Asio's own.
  void write() {
    state_ = State::writing;
    deadline_ = Clock::now() + options_.write_timeout;
    head_.clear();
    head_ += res_.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    append_number(head_, res_.result_int());
    head_ += ' ';
    const auto reason = http::obsolete_reason(res_.result());
    head_.append(reason.data(), reason.size());
    head_ += "\r\n";
    for (const auto& field : res_) {
      // The framing headers are the server's (written below, never stored in the fields).
      const http::field id = field.name();
      if (id == http::field::content_length || id == http::field::connection ||
          id == http::field::transfer_encoding) {
        continue;
      }
      const auto name = field.name_string();
      const auto value = field.value();
      head_.append(name.data(), name.size());
      head_ += ": ";
      head_.append(value.data(), value.size());
      head_ += "\r\n";
    }
    if (!keep_alive_ && res_.version() != 10) head_ += "Connection: close\r\n";
    if (keep_alive_ && res_.version() == 10) head_ += "Connection: keep-alive\r\n";
    head_ += "Content-Length: ";
    append_number(head_, static_cast<std::uint64_t>(res_.body().size()));
    head_ += "\r\n\r\n";
    std::array<boost::asio::const_buffer, 2> buffers{
        boost::asio::buffer(head_),
        send_body_ ? boost::asio::buffer(res_.body()) : boost::asio::const_buffer()};
    boost::asio::async_write(
        socket_, buffers,
        [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
          if (ec || self->state_ == State::closed) return self->close();
          if (!self->keep_alive_) return self->shutdown();
          self->wait_for_request();
        });
  }

  static void append_number(std::string& out, std::uint64_t v) {
    char digits[20];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0) out += digits[--n];
  }

  void shutdown() {
    boost::beast::error_code ignored;
    socket_.shutdown(Socket::shutdown_send, ignored);
    close();
  }

  void close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    boost::beast::error_code ignored;
    socket_.close(ignored);
    worker_.remove(this);
  }

  Socket socket_;
  detail::Worker& worker_;
  const ServerOptions& options_;
  boost::beast::flat_buffer buffer_;
  std::optional<detail::RequestParser> parser_;
  Response res_;
  std::string head_;
  Clock::time_point deadline_{};
  std::size_t served_ = 0;
  State state_ = State::idle;
  bool keep_alive_ = false;
  bool stopping_ = false;
  bool send_body_ = true;
  bool request_started_ = false;
};

// ---- acceptor -----------------------------------------------------------------------------------

template <class Protocol>
class Server::Acceptor final : public std::enable_shared_from_this<Acceptor<Protocol>> {
 public:
  // `home` runs the accept loop; `distribute` hands sockets round-robin to every worker.
  Acceptor(Server& server, detail::Worker& home, typename Protocol::acceptor acceptor,
           bool distribute)
      : server_(server),
        home_(home),
        acceptor_(std::move(acceptor)),
        distribute_(distribute),
        retry_(home.ioc()) {}

  void start() {
    auto self = this->shared_from_this();
    home_.closers.emplace_back([self] {
      boost::beast::error_code ignored;
      self->acceptor_.close(ignored);
      self->retry_.cancel();
    });
    accept();
  }

 private:
  void accept() {
    detail::Worker& target =
        distribute_ ? *server_.workers_[next_++ % server_.workers_.size()] : home_;
    acceptor_.async_accept(target.ioc(),
                           [self = this->shared_from_this(), &target](boost::beast::error_code ec,
                                                                      typename Protocol::socket s) {
                             if (!self->acceptor_.is_open()) return;
                             if (ec) {
                               // EMFILE and friends: back off instead of spinning.
                               self->retry_.expires_after(std::chrono::milliseconds(50));
                               self->retry_.async_wait([self](boost::beast::error_code e) {
                                 if (!e && self->acceptor_.is_open()) self->accept();
                               });
                               return;
                             }
                             self->hand_over(std::move(s), target);
                             self->accept();
                           });
  }

  void hand_over(typename Protocol::socket s, detail::Worker& target) {
    if (!server_.admit()) {
      boost::beast::error_code ignored;
      s.close(ignored);
      return;
    }
    if constexpr (std::is_same_v<Protocol, asio::ip::tcp>) {
      boost::beast::error_code ignored;
      s.set_option(asio::ip::tcp::no_delay(true), ignored);
    }
    if (&target == &home_) {
      std::make_shared<Connection<Protocol>>(std::move(s), target)->start();
      return;
    }
    asio::post(target.ioc(), [sock = std::make_shared<typename Protocol::socket>(std::move(s)),
                              &target]() mutable {
      auto c = std::make_shared<Connection<Protocol>>(std::move(*sock), target);
      c->start();
    });
  }

  Server& server_;
  detail::Worker& home_;
  typename Protocol::acceptor acceptor_;
  bool distribute_;
  std::size_t next_ = 0;
  asio::steady_timer retry_;
};

// ---- worker / listen ------------------------------------------------------------------------

inline void detail::Worker::remove(ConnectionBase* c) {
  conns_.erase(c);
  if (stopping_ && conns_.empty()) {
    drain_timer_.cancel();
    sweep_timer_.cancel();
  }
}

inline void detail::Worker::sweep() {
  const auto& o = server_.options_;
  auto tick = std::min({o.idle_timeout, o.read_timeout, o.write_timeout}) / 4;
  tick = std::max(std::chrono::milliseconds(10), std::min(tick, std::chrono::milliseconds(250)));
  sweep_timer_.expires_after(tick);
  sweep_timer_.async_wait([this](boost::beast::error_code ec) {
    if (ec) return;
    const auto now = std::chrono::steady_clock::now();
    expired_.assign(conns_.begin(), conns_.end());
    for (ConnectionBase* c : expired_) {
      if (conns_.count(c) != 0) c->check_deadline(now);
    }
    expired_.clear();
    if (stopping_ && conns_.empty()) return;
    sweep();
  });
}

inline void detail::Worker::begin_stop() {
  stopping_ = true;
  for (auto& close : closers) close();
  closers.clear();
  // on_stop may close (and remove) the connection: iterate over a copy.
  std::vector<ConnectionBase*> snapshot(conns_.begin(), conns_.end());
  for (ConnectionBase* c : snapshot) {
    if (conns_.count(c) != 0) c->on_stop();
  }
  if (conns_.empty()) {
    sweep_timer_.cancel();
    return;
  }
  drain_timer_.expires_after(server_.options_.drain_timeout);
  drain_timer_.async_wait([this](boost::beast::error_code ec) {
    if (ec) return;
    std::vector<ConnectionBase*> left(conns_.begin(), conns_.end());
    for (ConnectionBase* c : left) {
      if (conns_.count(c) != 0) c->force_close();
    }
  });
}

inline std::string Server::listen_tcp(const std::string& spec) {
  const auto colon = spec.rfind(':');
  if (colon == std::string::npos || colon + 1 == spec.size()) {
    return "cannot listen on " + spec + ": expected HOST:PORT or unix:/path";
  }
  std::string host = spec.substr(0, colon);
  const std::string port_text = spec.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  for (char ch : port_text) {
    if (ch < '0' || ch > '9') return "cannot listen on " + spec + ": bad port";
  }
  if (port_text.size() > 5 || std::stoul(port_text) > 65535) {
    return "cannot listen on " + spec + ": bad port";
  }
  asio::ip::tcp::resolver resolver(workers_[0]->ioc());
  auto results = resolver.resolve(
      host, port_text, asio::ip::tcp::resolver::passive | asio::ip::tcp::resolver::numeric_service);
  if (results.empty()) return "cannot listen on " + spec + ": host not found";
  asio::ip::tcp::endpoint ep = results.begin()->endpoint();

  const std::size_t count = options_.reuse_port ? workers_.size() : 1;
  for (std::size_t i = 0; i < count; ++i) {
    detail::Worker& home = *workers_[i];
    asio::ip::tcp::acceptor acc(home.ioc());
    acc.open(ep.protocol());
    acc.set_option(asio::socket_base::reuse_address(true));
    if (options_.reuse_port) {
      int one = 1;
      if (::setsockopt(acc.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        return "cannot listen on " + spec + ": SO_REUSEPORT not supported";
      }
    }
    acc.bind(ep);
    acc.listen(options_.listen_backlog);
    if (i == 0) {
      ep = acc.local_endpoint();  // the other workers bind the port the kernel chose
      if (first_port_ == 0) first_port_ = ep.port();
    }
    auto a = std::make_shared<Acceptor<asio::ip::tcp>>(*this, home, std::move(acc),
                                                       !options_.reuse_port);
    acceptors_.push_back(a);
    asio::post(home.ioc(), [a] { a->start(); });
  }
  return {};
}

inline std::string Server::listen_unix(const std::string& path) {
  if (path.empty()) return "cannot listen on unix:: empty path";
  const std::string where = "cannot listen on unix:" + path + ": ";
  const asio::local::stream_protocol::endpoint ep(path);
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    // Only a stale socket is ever removed: a mistyped path must not delete a file.
    if (!S_ISSOCK(st.st_mode)) return where + "the path exists and is not a socket";
    asio::local::stream_protocol::socket probe(workers_[0]->ioc());
    boost::beast::error_code ec;
    probe.connect(ep, ec);
    if (!ec) return where + "another process is listening on this socket";
    if (::unlink(path.c_str()) != 0) return where + "cannot remove the stale socket";
  }
  detail::Worker& home = *workers_[0];
  asio::local::stream_protocol::acceptor acc(home.ioc());
  acc.open(ep.protocol());
  acc.bind(ep);
  // Owner and group may connect, others not, whatever the umask (before listen(), so no
  // client can connect in between).
  if (::chmod(path.c_str(), S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP) != 0) {
    return where + "cannot set the socket's mode to 0660";
  }
  acc.listen(options_.listen_backlog);
  auto a = std::make_shared<Acceptor<asio::local::stream_protocol>>(*this, home, std::move(acc),
                                                                    workers_.size() > 1);
  acceptors_.push_back(a);
  asio::post(home.ioc(), [a] { a->start(); });
  return {};
}

}  // namespace approov::beast
