// A small, fast HTTP/1.1 server engine on Boost.Beast / Asio, shared by the example servers
// and the approov-authd sidecar: the compiled library `approov_server` (server/src). It is the
// project's own engine, not part of the installed API: applications bring their own server and
// use an adapter (approov::beast works with any Beast loop). Needs the Boost headers (Asio and
// Beast; Debian Boost 1.74; no compiled Boost library since 1.69) and Threads::Threads.
//
// Model
//   * One io_context per worker thread; a connection lives on one worker for its whole life,
//     so the request path takes no lock and touches no shared atomic (the connection count
//     for `max_connections` is one relaxed atomic updated at accept and close only).
//   * TCP listeners: with `reuse_port` (the default) every worker binds its own SO_REUSEPORT
//     acceptor on the same address and the kernel spreads connections; otherwise worker 0
//     accepts and hands sockets round-robin to the workers. Unix-socket listeners always use
//     the second scheme. Port 0 binds an ephemeral port: read it back with `port()`.
//     SO_REUSEPORT is shared among the server's own workers only: an address another socket
//     is bound to (another server, or a second copy of this one) is an error, never a port
//     shared with it (one worker binds without SO_REUSEPORT; several probe the address
//     without it first).
//   * Keep-alive and pipelining: requests on one connection are parsed, handled and answered
//     strictly in order; bytes of the next request already read stay in the connection's
//     buffer and are parsed after the response is written.
//   * Buffers are per connection and reused: the read buffer, the response object (its body
//     keeps its capacity) and the serialized header. Requests are parsed with Beast's parser fed
//     from the connection's buffer; responses are written with one gathered write of the
//     header and the body. Timeouts are per-connection deadlines checked by one coarse timer
//     per worker, so a request costs no timer operation.
//
// Handler contract :
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
// failure (docs/BEHAVIOUR.md §6), and a proxy that maps only the failure status (nginx
// auth_request) never turns it into a 500. Trailer fields: a handler sees the fields of the header
// section only. Boost's parser (1.74) hands the trailer fields of a chunked request to the same
// hook as header fields, and `http::parser` inserts them into the same field list (next to a header
// field of the same name, so they cannot be told apart afterwards), where any code that reads a
// header (the token, a bound header, the original URI of a proxied request, Connection) would find
// them. The engine's parser stores a field only while the header section is being parsed and drops
// every trailer field, so a trailer can neither supply a header nor duplicate one: it never changes
// a decision (a request with a valid token header and any trailer is answered as without the
// trailer). Dropping was chosen over refusing such requests: HTTP lets a recipient discard trailer
// fields, and refusing would let a trailer change the answer to an otherwise valid request. A
// trailer the parser finds malformed (a framing field such as Content-Length, a control byte) still
// gets the request refused as below, like any malformed request.
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

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "approov/request_check.hpp"  // FailureResponse

namespace approov::server {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using Handler = std::function<void(const Request&, Response&)>;

struct ServerOptions {
  /// Worker threads (each with its own io_context). 0 means std::thread::hardware_concurrency().
  std::size_t threads = 1;
  /// Bind each worker's own SO_REUSEPORT acceptor for TCP listeners (with one worker, a plain
  /// acceptor). Never shared with another process: a busy address is an error.
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
  /// listen(2) backlog; 0: the system maximum (SOMAXCONN).
  int listen_backlog = 0;
  /// Answer to requests refused at the HTTP level (parse errors, limits): a guarded server sets
  /// its failure response here; unset: the error's own status (400, 413, 431), empty body.
  std::optional<FailureResponse> reject_response;
  /// When set, writes that answer instead of `reject_response` (for an answer that changes at
  /// run time, such as a reloaded failure response). Called on the worker thread, concurrently
  /// from all workers, with the status the engine would send and a reset response; the same
  /// rules as for the Handler apply. If it throws, `reject_response` (or the default) is sent.
  std::function<void(http::status, Response&)> reject_handler;
};

namespace detail {
class ServerImpl;
}

/// Validates a listen address as `Server::listen` reads it (the form, the port, the host
/// resolved as for a bind) without binding anything: empty, or the message `listen` would
/// give. `canonical`, when given, receives a text equal for two specs of the same address
/// ("tcp:IP:PORT" or "unix:PATH"; empty for port 0, which never collides).
[[nodiscard]] std::string check_listen_address(const std::string& spec,
                                               std::string* canonical = nullptr);

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  /// Stops and joins the workers.
  ~Server();

  /// Adds a listener: "HOST:PORT" ("127.0.0.1:8080", "[::1]:0", "localhost:0") or
  /// "unix:/path" (a stale socket file there is replaced; any other file, or a socket another
  /// process listens on, is an error; the socket gets mode 0660, so the proxy's user needs
  /// the server's group). Call before start().
  /// Returns an empty string on success or a message naming the address and the problem.
  [[nodiscard]] std::string listen(const std::string& spec);
  /// The same, and on success `bound_port` is the port this listener bound (the one the kernel
  /// chose for port 0; 0 for a unix socket), so that a server with several listeners can say
  /// where each one is.
  [[nodiscard]] std::string listen(const std::string& spec, std::uint16_t& bound_port);

  /// The port bound by the first TCP listener (after listen()), or 0.
  [[nodiscard]] std::uint16_t port() const noexcept;

  /// Starts the worker threads. Returns at once.
  void start();
  /// Graceful stop (see the header comment). Thread-safe, idempotent.
  void stop();
  /// Joins the worker threads (returns once stop() has drained them).
  void wait();
  /// start() then wait().
  void run();

  [[nodiscard]] const ServerOptions& options() const noexcept;
  [[nodiscard]] std::size_t threads() const noexcept;

  /// Index (0..threads()-1) of the worker running the calling thread; 0 elsewhere. Use it to
  /// index per-thread state (counters) from the handler without sharing cache lines.
  [[nodiscard]] static std::size_t worker_index() noexcept;

  /// Open connections now (a relaxed read, for metrics).
  [[nodiscard]] std::size_t connections() const noexcept;

  /// Connections closed at accept because `max_connections` were open, since the start (a
  /// relaxed read, for metrics).
  [[nodiscard]] std::uint64_t refused_connections() const noexcept;

 private:
  std::unique_ptr<detail::ServerImpl> impl_;
};

}  // namespace approov::server
