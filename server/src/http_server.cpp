// The HTTP/1.1 engine behind approov::server::Server (see http_server.hpp for the model and
// the contracts): workers, connections, acceptors, the header-only request parser.
#include "approov/server/http_server.hpp"

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

namespace approov::server {

namespace asio = boost::asio;

namespace detail {

class ServerImpl;

int backlog(const ServerOptions& o) noexcept {
  return o.listen_backlog > 0 ? o.listen_backlog : asio::socket_base::max_listen_connections;
}

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
  Worker(ServerImpl& server, std::size_t index)
      : server_(server), index_(index), drain_timer_(ioc_), sweep_timer_(ioc_) {}
  asio::io_context& ioc() noexcept { return ioc_; }
  ServerImpl& server() noexcept { return server_; }
  std::size_t index() const noexcept { return index_; }
  bool stopping() const noexcept { return stopping_; }

  void add(const std::shared_ptr<ConnectionBase>& c) { conns_.insert(c.get()); }
  void remove(ConnectionBase* c);
  void begin_stop();
  void sweep();  // closes connections past their deadline, then re-arms
  std::vector<std::function<void()>> closers;  // close this worker's acceptors

 private:
  ServerImpl& server_;
  std::size_t index_;
  asio::io_context ioc_{1};
  asio::steady_timer drain_timer_;
  // Timeouts are deadlines checked by one coarse timer per worker, so a request costs no
  // timer operation (Beast's basic_stream arms and cancels a timer for every read and write).
  asio::steady_timer sweep_timer_;
  std::vector<ConnectionBase*> expired_;
  std::unordered_set<ConnectionBase*> conns_;
  bool stopping_ = false;
  friend class ServerImpl;
};

class ServerImpl {
 public:
  ServerImpl(ServerOptions options, Handler handler)
      : options_(std::move(options)), handler_(std::move(handler)) {
    if (options_.threads == 0) {
      options_.threads = std::max(1u, std::thread::hardware_concurrency());
    }
    for (std::size_t i = 0; i < options_.threads; ++i) {
      workers_.push_back(std::make_unique<Worker>(*this, i));
      guards_.emplace_back(asio::make_work_guard(workers_.back()->ioc()));
    }
  }
  ServerImpl(const ServerImpl&) = delete;
  ServerImpl& operator=(const ServerImpl&) = delete;
  ~ServerImpl() {
    stop();
    wait();
  }

  /// Adds a listener: "HOST:PORT" ("127.0.0.1:8080", "[::1]:0", "localhost:0") or
  /// "unix:/path" (a stale socket file there is replaced; any other file, or a socket another
  /// process listens on, is an error; the socket gets mode 0660, so the proxy's user needs
  /// the server's group). Call before start().
  /// Returns an empty string on success or a message naming the address and the problem.
  [[nodiscard]] std::string listen(const std::string& spec, std::uint16_t& bound_port) {
    bound_port = 0;
    try {
      if (spec.rfind("unix:", 0) == 0) return listen_unix(spec.substr(5));
      return listen_tcp(spec, bound_port);
    } catch (const std::exception& e) {
      return "cannot listen on " + spec + ": " + e.what();
    }
  }

  /// The port bound by the first TCP listener (after listen()), or 0.
  [[nodiscard]] std::uint16_t port() const noexcept { return first_port_; }

  /// Starts the worker threads. Returns at once.
  void start() {
    for (auto& w : workers_) {
      Worker* wp = w.get();
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
      Worker* w = workers_[i].get();
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

  /// Connections closed at accept because `max_connections` were open (a relaxed read).
  [[nodiscard]] std::uint64_t refused_connections() const noexcept {
    return refused_.load(std::memory_order_relaxed);
  }

 private:
  friend class Worker;
  template <class Protocol>
  class Connection;
  template <class Protocol>
  class Acceptor;

  static std::size_t& current_worker_index() noexcept {
    thread_local std::size_t index = 0;
    return index;
  }

  std::string listen_tcp(const std::string& spec, std::uint16_t& bound_port);
  std::string listen_unix(const std::string& path);

  bool admit() noexcept {
    if (active_.fetch_add(1, std::memory_order_relaxed) >= options_.max_connections) {
      active_.fetch_sub(1, std::memory_order_relaxed);
      refused_.fetch_add(1, std::memory_order_relaxed);  // at accept only, never per request
      return false;
    }
    return true;
  }
  void release() noexcept { active_.fetch_sub(1, std::memory_order_relaxed); }

  ServerOptions options_;
  Handler handler_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::vector<std::shared_ptr<void>> acceptors_;
  std::atomic<std::size_t> active_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<bool> stop_requested_{false};
  std::uint16_t first_port_ = 0;
};

// ---- connection -------------------------------------------------------------------------------

template <class Protocol>
class ServerImpl::Connection final : public ConnectionBase,
                                     public std::enable_shared_from_this<Connection<Protocol>> {
 public:
  using Socket = typename Protocol::socket;
  Connection(Socket socket, Worker& worker)
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
      res_.result(static_cast<unsigned>(reject->status));
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
  Worker& worker_;
  const ServerOptions& options_;
  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
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
class ServerImpl::Acceptor final : public std::enable_shared_from_this<Acceptor<Protocol>> {
 public:
  // `home` runs the accept loop; `distribute` hands sockets round-robin to every worker.
  Acceptor(ServerImpl& server, Worker& home, typename Protocol::acceptor acceptor, bool distribute)
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
    Worker& target = distribute_ ? *server_.workers_[next_++ % server_.workers_.size()] : home_;
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

  void hand_over(typename Protocol::socket s, Worker& target) {
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

  ServerImpl& server_;
  Worker& home_;
  typename Protocol::acceptor acceptor_;
  bool distribute_;
  std::size_t next_ = 0;
  asio::steady_timer retry_;
};

// ---- worker / listen ------------------------------------------------------------------------

void Worker::remove(ConnectionBase* c) {
  conns_.erase(c);
  if (stopping_ && conns_.empty()) {
    drain_timer_.cancel();
    sweep_timer_.cancel();
  }
}

void Worker::sweep() {
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

void Worker::begin_stop() {
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

std::string parse_tcp_address(asio::io_context& ioc, const std::string& spec,
                              asio::ip::tcp::endpoint& ep) {
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
  asio::ip::tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto results = resolver.resolve(
      host, port_text, asio::ip::tcp::resolver::passive | asio::ip::tcp::resolver::numeric_service,
      ec);
  if (ec || results.empty()) return "cannot listen on " + spec + ": host not found";
  ep = results.begin()->endpoint();
  return {};
}

namespace {

// Says that the address is taken, for a bind that failed with EADDRINUSE.
std::string in_use(const std::string& spec) {
  return "cannot listen on " + spec +
         ": the address is already in use (another process listens on it; stop it or choose "
         "another port)";
}

}  // namespace

std::string ServerImpl::listen_tcp(const std::string& spec, std::uint16_t& bound_port) {
  asio::ip::tcp::endpoint ep;
  if (auto err = parse_tcp_address(workers_[0]->ioc(), spec, ep); !err.empty()) return err;

  // SO_REUSEPORT is only ever shared among this server's own workers. The kernel lets any
  // socket of the same user that sets it join the port, so a second server started on a busy
  // port would silently take part of the connections. One worker needs no SO_REUSEPORT (the
  // bind then fails on a busy port); several first probe the address with a socket without
  // it, which fails if anything else listens there, and only then bind their own sockets. A
  // port of 0 needs no probe: the kernel picks one that nobody uses.
  const std::size_t count = options_.reuse_port ? workers_.size() : 1;
  const bool reuse_port = count > 1;
  if (reuse_port && ep.port() != 0) {
    asio::ip::tcp::acceptor probe(workers_[0]->ioc());
    probe.open(ep.protocol());
    probe.set_option(asio::socket_base::reuse_address(true));
    boost::system::error_code ec;
    probe.bind(ep, ec);
    if (ec == boost::system::errc::address_in_use) return in_use(spec);
    if (ec) return "cannot listen on " + spec + ": " + ec.message();
  }
  for (std::size_t i = 0; i < count; ++i) {
    Worker& home = *workers_[i];
    asio::ip::tcp::acceptor acc(home.ioc());
    acc.open(ep.protocol());
    acc.set_option(asio::socket_base::reuse_address(true));
    if (reuse_port) {
      int one = 1;
      if (::setsockopt(acc.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        return "cannot listen on " + spec + ": SO_REUSEPORT not supported";
      }
    }
    boost::system::error_code ec;
    acc.bind(ep, ec);
    if (ec == boost::system::errc::address_in_use) return in_use(spec);
    if (ec) return "cannot listen on " + spec + ": " + ec.message();
    acc.listen(backlog(options_));
    if (i == 0) {
      ep = acc.local_endpoint();  // the other workers bind the port the kernel chose
      bound_port = ep.port();
      if (first_port_ == 0) first_port_ = ep.port();
    }
    auto a = std::make_shared<Acceptor<asio::ip::tcp>>(*this, home, std::move(acc),
                                                       !options_.reuse_port);
    acceptors_.push_back(a);
    asio::post(home.ioc(), [a] { a->start(); });
  }
  return {};
}

std::string ServerImpl::listen_unix(const std::string& path) {
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
  Worker& home = *workers_[0];
  asio::local::stream_protocol::acceptor acc(home.ioc());
  acc.open(ep.protocol());
  acc.bind(ep);
  // Owner and group may connect, others not, whatever the umask (before listen(), so no
  // client can connect in between).
  if (::chmod(path.c_str(), S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP) != 0) {
    return where + "cannot set the socket's mode to 0660";
  }
  acc.listen(backlog(options_));
  auto a = std::make_shared<Acceptor<asio::local::stream_protocol>>(*this, home, std::move(acc),
                                                                    workers_.size() > 1);
  acceptors_.push_back(a);
  asio::post(home.ioc(), [a] { a->start(); });
  return {};
}

}  // namespace detail

// ---- the public face ------------------------------------------------------------------------

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<detail::ServerImpl>(std::move(options), std::move(handler))) {}
Server::~Server() = default;
std::string Server::listen(const std::string& spec) {
  std::uint16_t ignored = 0;
  return impl_->listen(spec, ignored);
}
std::string Server::listen(const std::string& spec, std::uint16_t& bound_port) {
  return impl_->listen(spec, bound_port);
}
std::uint16_t Server::port() const noexcept {
  return impl_->port();
}
void Server::start() {
  impl_->start();
}
void Server::stop() {
  impl_->stop();
}
void Server::wait() {
  impl_->wait();
}
void Server::run() {
  impl_->run();
}
const ServerOptions& Server::options() const noexcept {
  return impl_->options();
}
std::size_t Server::threads() const noexcept {
  return impl_->threads();
}
std::size_t Server::worker_index() noexcept {
  return detail::ServerImpl::worker_index();
}
std::size_t Server::connections() const noexcept {
  return impl_->connections();
}
std::uint64_t Server::refused_connections() const noexcept {
  return impl_->refused_connections();
}

std::string check_listen_address(const std::string& spec, std::string* canonical) {
  if (spec.rfind("unix:", 0) == 0) {
    const std::string path = spec.substr(5);
    if (path.empty()) return "cannot listen on unix:: empty path";
    // What listen would refuse without creating anything: a file that is not a socket (never
    // replaced), or a directory that is not there.
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode)) {
      return "cannot listen on " + spec + ": the path exists and is not a socket";
    }
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return "cannot listen on " + spec + ": no directory " + dir;
    }
    if (canonical != nullptr) *canonical = spec;
    return {};
  }
  asio::io_context ioc(1);
  asio::ip::tcp::endpoint ep;
  if (auto err = detail::parse_tcp_address(ioc, spec, ep); !err.empty()) return err;
  if (canonical != nullptr) {
    *canonical = ep.port() == 0
                     ? std::string()
                     : "tcp:" + ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  return {};
}

}  // namespace approov::server
