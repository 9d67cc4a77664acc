// approov-authd: answers "may this request through?" for a reverse proxy (nginx auth_request,
// Caddy forward_auth, Traefik ForwardAuth, Envoy ext_authz, HAProxy). See docs/SIDECAR.md.
//
// Request path: per-thread cached Policy pointer (refreshed only when the reload generation
// changes), per-thread metrics (relaxed load+store, summed on scrape), per-thread log rate
// limit. No lock, no shared read-modify-write.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "approov/adapters/beast.hpp"
#include "approov/server/http_server.hpp"
#include "settings.hpp"

namespace approov::authd {
namespace {

namespace http = boost::beast::http;
using approov::server::Request;
using approov::server::Response;
using approov::server::Server;

// ---- the current policy ---------------------------------------------------------------------

class PolicyHolder {
 public:
  void publish(std::shared_ptr<const Policy> p) {
    const std::uint64_t g = p->generation;
    std::atomic_store(&current_, std::move(p));
    generation_.store(g, std::memory_order_release);
  }
  // The hot path: one acquire load of a read-mostly word; the shared_ptr is copied only
  // after a reload.
  const Policy& get() noexcept {
    thread_local std::shared_ptr<const Policy> cached;
    thread_local std::uint64_t cached_generation = ~std::uint64_t{0};
    if (generation_.load(std::memory_order_acquire) != cached_generation) {
      cached = std::atomic_load(&current_);
      cached_generation = cached->generation;
    }
    return *cached;
  }
  std::shared_ptr<const Policy> snapshot() const { return std::atomic_load(&current_); }

 private:
  std::shared_ptr<const Policy> current_;
  std::atomic<std::uint64_t> generation_{0};
};

// ---- metrics -------------------------------------------------------------------------------

enum Decision : std::size_t { kAllow, kDeny, kReportOnly, kDecisions };
constexpr std::array<const char*, kDecisions> kDecisionNames{"allow", "deny", "report_only"};
// Outcomes that are not token reasons.
enum Bypass : std::size_t { kUnprotected, kPreflight, kNoRoute, kBadUri, kBadRequest, kBypasses };
constexpr std::array<const char*, kBypasses> kBypassNames{"unprotected", "preflight", "no_route",
                                                          "bad_uri", "bad_request"};
constexpr std::array<double, 12> kBuckets{0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
                                          0.001,   0.0025,   0.005,   0.01,   0.05,    0.25};

using Counter = std::atomic<std::uint64_t>;
inline void bump(Counter& c, std::uint64_t by = 1) noexcept {
  // Only the owning worker writes: a plain add, no locked instruction.
  c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

// A token bucket for log lines (one per kind of line per worker).
struct LogBudget {
  double tokens = 0;
  std::chrono::steady_clock::time_point refill{};
  std::uint64_t suppressed = 0;
};

struct alignas(64) WorkerState {
  std::array<std::array<Counter, kReasonCount>, kDecisions> requests{};
  std::array<Counter, kBypasses> bypass{};  // allow for unprotected/preflight, deny otherwise
  std::array<Counter, kBuckets.size() + 1> latency{};
  Counter latency_ns{};
  // Log rate limiting (owner thread only): denials and report-only failures each have their
  // own budget, so a flood of denials never hides the report-only lines a rollout watches.
  LogBudget deny_log;
  LogBudget report_log;
  std::string path;    // reused normalization buffer
  std::string folded;  // reused buffer for the case-folded reading of the path
};

struct Service {
  PolicyHolder policy;
  std::vector<std::unique_ptr<WorkerState>> workers;
  Counter reloads_ok{0};
  Counter reloads_failed{0};
  std::atomic<bool> ready{false};
  std::size_t threads = 1;
};

Service* g_service = nullptr;

// ---- logging -------------------------------------------------------------------------------

void write_line(const std::string& line) {
  // One write(2) per line keeps lines from different threads whole.
  const ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count()));
  return buf;
}

// Values may come from the client (X-Original-Method): control bytes are escaped, and bytes
// of 0x80 and above become '?' (as in adapters/common guard.hpp), so a log line is always
// valid JSON in valid UTF-8 whatever the client sent.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(byte));
      out += buf;
    } else if (byte >= 0x80) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void log_event(const std::string& fields) {
  write_line("{\"ts\":\"" + timestamp() + "\"," + fields + "}\n");
}

// Token bucket per worker and kind of line: the process-wide rate (for each kind) split evenly
// between workers.
bool may_log(LogBudget& b, const Policy& p) {
  if (p.log_rate <= 0) return false;
  const double rate = p.log_rate / static_cast<double>(g_service->threads);
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - b.refill).count();
  b.refill = now;
  b.tokens = std::min(std::max(rate, 1.0), b.tokens + elapsed * rate);
  if (b.tokens < 1) {
    ++b.suppressed;
    return false;
  }
  b.tokens -= 1;
  return true;
}

// `suppressed_before` for the line about to be written from budget `b`.
void add_suppressed(std::string& fields, LogBudget& b) {
  if (b.suppressed == 0) return;
  fields += ",\"suppressed_before\":" + std::to_string(b.suppressed);
  b.suppressed = 0;
}

// `event` is "deny" or "report_only"; each draws on its own budget.
void log_denial(WorkerState& w, const Policy& p, std::string_view event, std::string_view reason,
                const Route* route, const RequestView& headers, std::string_view method) {
  LogBudget& budget = event == "report_only" ? w.report_log : w.deny_log;
  if (!may_log(budget, p)) return;
  std::string fields = "\"event\":\"" + std::string(event) + "\",\"reason\":\"" +
                       std::string(reason) +
                       "\",\"route\":" + json_string(route != nullptr ? route->prefix : "") +
                       ",\"method\":" + json_string(method);
  std::string_view token;
  if (p.check.extract_token(headers, token) == Reason::ok && !token.empty()) {
    fields += ",\"token_fp\":\"" + std::string(token_fingerprint(token).data()) + "\"";
  }
  add_suppressed(fields, budget);
  log_event(fields);
}

// ---- the check -------------------------------------------------------------------------------

constexpr std::array<std::string_view, 6> kClaimHeaders{"Approov-Claim-Did",   "Approov-Claim-Ip",
                                                        "Approov-Claim-Arc",   "Approov-Claim-Ipk",
                                                        "Approov-Claim-Mskid", "Approov-Claim-Exp"};

// The largest claim value (`exp` text included) copied into a claim header. A longer one is
// sent empty, so the whole 200 answer stays under 6.5 KiB (six values of at most this size,
// with the names) whatever the token carries: a verified token may hold a claim of several
// KiB, and copied whole it would overflow a proxy's buffer for the auth answer (nginx's
// proxy_buffer_size defaults to 4 KiB) and turn a valid request into a 500. 1 KiB is above
// every claim Approov issues (an RSA-4096 `ipk` is about 740 bytes). In docs/SIDECAR.md.
constexpr std::size_t kMaxClaimHeaderValue = 1024;

// The claim value as a header value, or empty: absent, over the cap, or with a byte that
// could split or corrupt a header.
std::string_view header_safe(std::optional<std::string_view> v) {
  if (!v || v->size() > kMaxClaimHeaderValue) return {};
  for (char c : *v) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return {};  // never split a header
  }
  return *v;
}

void set_claim_headers(Response& res, const Claims* claims) {
  std::array<std::string_view, kClaimHeaders.size()> values{};
  if (claims != nullptr) {
    values = {header_safe(claims->did()),   header_safe(claims->ip()),
              header_safe(claims->arc()),   header_safe(claims->ipk()),
              header_safe(claims->mskid()), header_safe(claims->exp_text())};
  }
  for (std::size_t i = 0; i < kClaimHeaders.size(); ++i) {
    res.insert(boost::beast::string_view(kClaimHeaders[i].data(), kClaimHeaders[i].size()),
               boost::beast::string_view(values[i].data(), values[i].size()));
  }
}

void deny(Response& res, const Policy& p) {
  res.result(static_cast<unsigned>(p.failure.status));
  res.set(http::field::content_type, p.failure.content_type);
  res.body() = p.failure.body;
}

// An HTTP method token (RFC 9110 tchar+), as Access-Control-Request-Method must hold.
bool is_method_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// A CORS preflight: OPTIONS with exactly one non-empty Origin and exactly one
// Access-Control-Request-Method holding a method token. Nothing looser gets the bypass: an
// OPTIONS that is not a preflight may reach a handler that serves every method.
bool is_preflight(const RequestView& headers, std::string_view method) noexcept {
  if (method != "OPTIONS") return false;
  const FieldCount origin = count_fields(headers, "Origin");
  if (origin.count != 1 || origin.first.empty()) return false;
  const FieldCount wanted = count_fields(headers, "Access-Control-Request-Method");
  return wanted.count == 1 && is_method_token(wanted.first);
}

void handle(const Request& req, Response& res) {
  const auto start = std::chrono::steady_clock::now();
  Service& svc = *g_service;
  WorkerState& w = *svc.workers[Server::worker_index()];
  const Policy& p = svc.policy.get();
  const approov::beast::RequestAdapter<http::string_body> headers(req);

  // The original URI and method come from the proxy's headers (nginx's auth subrequest is
  // always a GET to the auth location). Method and URI are read from the same proxy's pair,
  // so a client header of the other pair cannot choose the method (the recipes strip the
  // pair their proxy does not set). Two fields of the URI or of its method header mean a
  // proxy appended instead of replacing: which one it acted on is unknown, so deny.
  std::string_view uri;
  std::string_view method;
  bool ambiguous = false;
  for (const std::string& h : p.uri_headers) {
    const FieldCount f = count_fields(headers, h);
    if (f.count == 0) continue;
    if (f.count > 1) {
      ambiguous = true;
      break;
    }
    if (f.first.empty()) continue;
    uri = f.first;
    const std::string_view method_header = iequals(h, "X-Original-URI")    ? "X-Original-Method"
                                           : iequals(h, "X-Forwarded-Uri") ? "X-Forwarded-Method"
                                                                           : std::string_view();
    if (!method_header.empty()) {
      const FieldCount m = count_fields(headers, method_header);
      ambiguous = m.count > 1;
      method = m.first;
    }
    break;
  }
  if (uri.empty()) uri = std::string_view(req.target().data(), req.target().size());
  if (method.empty()) {
    method = std::string_view(req.method_string().data(), req.method_string().size());
  }

  auto finish = [&] {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    const double seconds = static_cast<double>(ns) * 1e-9;
    std::size_t b = 0;
    while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
    bump(w.latency[b]);
    bump(w.latency_ns, static_cast<std::uint64_t>(ns));
  };

  if (ambiguous || !normalize_path(uri, w.path)) {
    bump(w.bypass[kBadUri]);
    log_denial(w, p, "deny", "bad_uri", nullptr, headers, method);
    deny(res, p);
    return finish();
  }
  if (p.cors_preflight && is_preflight(headers, method)) {
    bump(w.bypass[kPreflight]);
    if (p.claim_headers) set_claim_headers(res, nullptr);
    return finish();
  }
  const Policy::Matches routes = p.match_readings(w.path, w.folded);
  if (routes.count == 0) {
    bump(w.bypass[kNoRoute]);
    log_denial(w, p, "deny", "no_route", nullptr, headers, method);
    deny(res, p);
    return finish();
  }

  // The request must pass the route of every reading of its path (usually one route).
  thread_local Claims claims;  // 12 KiB: kept off the stack and reused
  const std::int64_t now = unix_now();
  bool checked = false;  // some route needed a token, and every such check so far passed
  Reason report_reason = Reason::ok;
  const Route* report_route = nullptr;
  for (std::size_t i = 0; i < routes.count; ++i) {
    const Route* route = routes.routes[i];
    if (route->policy.protection == Protection::none) continue;
    const Reason reason = p.check.check(headers, now, route->policy, claims);
    if (reason == Reason::ok) {
      checked = true;
    } else if (route->policy.report_only) {
      if (report_route == nullptr) {
        report_reason = reason;
        report_route = route;
      }
    } else {
      bump(w.requests[kDeny][static_cast<std::size_t>(reason)]);
      log_denial(w, p, "deny", to_string(reason), route, headers, method);
      deny(res, p);
      return finish();
    }
  }
  if (report_route != nullptr) {
    bump(w.requests[kReportOnly][static_cast<std::size_t>(report_reason)]);
    log_denial(w, p, "report_only", to_string(report_reason), report_route, headers, method);
    if (p.claim_headers) set_claim_headers(res, nullptr);
  } else if (checked) {
    bump(w.requests[kAllow][0]);
    if (p.claim_headers) set_claim_headers(res, &claims);
  } else {
    bump(w.bypass[kUnprotected]);
    if (p.claim_headers) set_claim_headers(res, nullptr);
  }
  finish();
}

// A request the HTTP parser refused (a control byte in a header value, a header block over
// header-limit, a malformed request line): it gets the failure response in force, like any
// token failure, never a status of its own that a proxy would turn into a 500.
void reject(http::status status, Response& res) {
  Service& svc = *g_service;
  WorkerState& w = *svc.workers[Server::worker_index()];
  const Policy& p = svc.policy.get();
  bump(w.bypass[kBadRequest]);
  if (may_log(w.deny_log, p)) {
    std::string fields = "\"event\":\"deny\",\"reason\":\"bad_request\",\"http_status\":" +
                         std::to_string(static_cast<unsigned>(status));
    add_suppressed(fields, w.deny_log);
    log_event(fields);
  }
  deny(res, p);
}

// ---- admin ---------------------------------------------------------------------------------

std::string metrics_text(const Service& svc, std::size_t connections) {
  std::string out;
  out.reserve(8192);
  out +=
      "# HELP approov_authd_requests_total Checks answered, by decision and reason.\n"
      "# TYPE approov_authd_requests_total counter\n";
  auto line = [&out](const char* decision, std::string_view reason, std::uint64_t v) {
    out += "approov_authd_requests_total{decision=\"";
    out += decision;
    out += "\",reason=\"";
    out += reason;
    out += "\"} " + std::to_string(v) + "\n";
  };
  for (std::size_t d = 0; d < kDecisions; ++d) {
    for (std::size_t r = 0; r < kReasonCount; ++r) {
      if ((d == kAllow) != (r == 0)) continue;
      std::uint64_t sum = 0;
      for (const auto& w : svc.workers) sum += w->requests[d][r].load(std::memory_order_relaxed);
      line(kDecisionNames[d], to_string(static_cast<Reason>(r)), sum);
    }
  }
  for (std::size_t b = 0; b < kBypasses; ++b) {
    std::uint64_t sum = 0;
    for (const auto& w : svc.workers) sum += w->bypass[b].load(std::memory_order_relaxed);
    line(b == kUnprotected || b == kPreflight ? "allow" : "deny", kBypassNames[b], sum);
  }
  out +=
      "# HELP approov_authd_check_duration_seconds Time to answer a check, in the service.\n"
      "# TYPE approov_authd_check_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
    for (const auto& w : svc.workers) cumulative += w->latency[b].load(std::memory_order_relaxed);
    char le[32];
    if (b < kBuckets.size()) {
      std::snprintf(le, sizeof le, "%g", kBuckets[b]);
    } else {
      std::snprintf(le, sizeof le, "+Inf");
    }
    out += "approov_authd_check_duration_seconds_bucket{le=\"" + std::string(le) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  std::uint64_t ns = 0;
  for (const auto& w : svc.workers) ns += w->latency_ns.load(std::memory_order_relaxed);
  char sum[64];
  std::snprintf(sum, sizeof sum, "%.9f", static_cast<double>(ns) * 1e-9);
  out += "approov_authd_check_duration_seconds_sum " + std::string(sum) + "\n";
  out += "approov_authd_check_duration_seconds_count " + std::to_string(cumulative) + "\n";
  out +=
      "# HELP approov_authd_config_reloads_total SIGHUP reloads, by result.\n"
      "# TYPE approov_authd_config_reloads_total counter\n"
      "approov_authd_config_reloads_total{result=\"ok\"} " +
      std::to_string(svc.reloads_ok.load()) +
      "\n"
      "approov_authd_config_reloads_total{result=\"rejected\"} " +
      std::to_string(svc.reloads_failed.load()) + "\n";
  out +=
      "# HELP approov_authd_config_generation Generation of the configuration in force.\n"
      "# TYPE approov_authd_config_generation gauge\n"
      "approov_authd_config_generation " +
      std::to_string(svc.policy.snapshot()->generation) + "\n";
  out +=
      "# HELP approov_authd_connections Open connections on the check listeners.\n"
      "# TYPE approov_authd_connections gauge\n"
      "approov_authd_connections " +
      std::to_string(connections) + "\n";
  return out;
}

// ---- start-up ------------------------------------------------------------------------------

std::string describe(const Settings& s, const Policy& p) {
  std::string out = "configuration OK\n";
  for (const auto& l : s.listen) out += "  listen " + l + "\n";
  if (!s.admin_listen.empty()) out += "  admin-listen " + s.admin_listen + "\n";
  out += "  token header " + p.check.source().header +
         (p.check.source().prefix.empty() ? "" : " (prefix \"" + p.check.source().prefix + "\")") +
         "\n";
  out += std::string("  secret from ") +
         (s.secret_file.empty() ? "the environment" : "file " + s.secret_file) + "\n";
  out += "  failure " + std::to_string(p.failure.status) + " " + p.failure.content_type + "\n";
  for (const Route& r : p.routes) {
    out += "  route " + r.prefix + " ";
    if (r.policy.report_only) out += "report-only ";
    switch (r.policy.protection) {
      case Protection::none:
        out += "unprotected";
        break;
      case Protection::token:
        out += "protected";
        break;
      case Protection::token_binding:
        out += "binding";
        for (const auto& h : r.policy.binding.headers) out += " " + h;
        break;
    }
    out += "\n";
  }
  return out;
}

// nginx auth_request accepts only 401 and 403 as a deny (any other status becomes a 500 for
// the client), and the nginx recipe answers 401 for both: say so before it surprises anyone.
std::string failure_status_warning(const Policy& p) {
  if (p.failure.status == 401 || p.failure.status == 403) return {};
  return "failure-status " + std::to_string(p.failure.status) +
         " is not 401 or 403: behind nginx auth_request every deny becomes a 500 for the "
         "client (nginx accepts only 2xx, 401 and 403 from an auth service); Caddy, Traefik, "
         "Envoy and HAProxy pass it on (docs/gateways/nginx.md)";
}

std::string host_of(const std::string& spec) {
  const auto colon = spec.rfind(':');
  return colon == std::string::npos ? spec : spec.substr(0, colon);
}

int run(const std::vector<std::string>& args) {
  auto settings = load_settings(args);
  if (!settings) {
    std::cerr << "approov-authd: configuration error: " << settings.error() << "\n";
    return 2;
  }
  if (settings.value().help) {
    std::cout << usage();
    return 0;
  }
  const Settings& s = settings.value();
  std::uint64_t generation = 1;
  auto policy = build_policy(s, generation);
  if (!policy) {
    std::cerr << "approov-authd: configuration error: " << policy.error() << "\n";
    return 2;
  }
  const std::string warning = failure_status_warning(*policy.value());
  if (s.check_config) {
    std::cout << describe(s, *policy.value());
    if (!warning.empty()) std::cerr << "approov-authd: warning: " << warning << "\n";
    return 0;
  }

  Service svc;
  svc.threads = s.threads;
  for (std::size_t i = 0; i < s.threads; ++i)
    svc.workers.push_back(std::make_unique<WorkerState>());
  svc.policy.publish(policy.value());
  g_service = &svc;

  approov::server::ServerOptions opts;
  opts.threads = s.threads;
  opts.header_limit = s.header_limit;
  opts.body_limit = 64 * 1024;  // a check needs no body; Envoy may forward part of one
  opts.max_connections = s.max_connections;
  opts.idle_timeout = s.idle_timeout;
  opts.read_timeout = s.read_timeout;
  opts.write_timeout = s.read_timeout;
  opts.drain_timeout = s.drain_timeout;
  opts.reject_handler = reject;  // the failure response in force, reloads included
  Server server(opts, handle);
  for (const auto& l : s.listen) {
    auto err = server.listen(l);
    if (!err.empty()) {
      std::cerr << "approov-authd: " << err << "\n";
      return 2;
    }
  }
  approov::server::ServerOptions admin_opts;
  admin_opts.threads = 1;
  admin_opts.max_connections = 64;
  std::unique_ptr<Server> admin;
  if (!s.admin_listen.empty()) {
    admin =
        std::make_unique<Server>(admin_opts, [&svc, &server](const Request& req, Response& res) {
          res.set(http::field::content_type, "text/plain; charset=utf-8");
          const std::string_view target(req.target().data(), req.target().size());
          if (target == "/healthz") {
            res.body() = "ok\n";
          } else if (target == "/readyz") {
            const bool ready = svc.ready.load();
            res.result(ready ? http::status::ok : http::status::service_unavailable);
            res.body() = ready ? "ready\n" : "not ready\n";
          } else if (target == "/metrics") {
            res.set(http::field::content_type, "text/plain; version=0.0.4");
            res.body() = metrics_text(svc, server.connections());
          } else {
            res.result(http::status::not_found);
            res.body() = "not found\n";
          }
        });
    auto err = admin->listen(s.admin_listen);
    if (!err.empty()) {
      std::cerr << "approov-authd: admin: " << err << "\n";
      return 2;
    }
  }

  boost::asio::io_context main_ioc(1);
  boost::asio::signal_set signals(main_ioc, SIGHUP, SIGTERM, SIGINT);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP) {
          auto fresh = load_settings(args);
          std::string error;
          if (!fresh) {
            error = fresh.error();
          } else {
            auto next = build_policy(fresh.value(), generation + 1);
            if (!next) {
              error = next.error();
            } else {
              ++generation;
              svc.policy.publish(next.value());
              bump(svc.reloads_ok);
              log_event("\"event\":\"reload\",\"result\":\"ok\",\"generation\":" +
                        std::to_string(generation));
            }
          }
          if (!error.empty()) {
            bump(svc.reloads_failed);
            log_event("\"event\":\"reload\",\"result\":\"rejected\",\"generation\":" +
                      std::to_string(generation) + ",\"error\":" + json_string(error));
          }
          signals.async_wait(on_signal);
          return;
        }
        log_event("\"event\":\"stopping\",\"signal\":" + std::to_string(sig));
        svc.ready.store(false);
        server.stop();
        signals.cancel();
      };
  signals.async_wait(on_signal);

  server.start();
  if (admin) admin->start();
  svc.ready.store(true);
  for (const auto& l : s.listen) {
    if (l.rfind("unix:", 0) == 0) {
      std::cout << "approov-authd listening on " << l << "\n";
    } else {
      std::cout << "approov-authd listening on " << host_of(l) << ":" << server.port() << "\n";
    }
  }
  if (admin) {
    std::cout << "approov-authd admin on " << host_of(s.admin_listen) << ":" << admin->port()
              << "\n";
  }
  std::cout << std::flush;
  log_event("\"event\":\"started\",\"generation\":1,\"threads\":" + std::to_string(s.threads));
  if (!warning.empty()) log_event("\"event\":\"warning\",\"message\":" + json_string(warning));

  main_ioc.run();
  server.wait();
  if (admin) {
    admin->stop();
    admin->wait();
  }
  log_event("\"event\":\"stopped\"");
  g_service = nullptr;
  return 0;
}

}  // namespace
}  // namespace approov::authd

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return approov::authd::run(args);
  } catch (const std::exception& e) {
    std::cerr << "approov-authd: " << e.what() << "\n";
    return 1;
  }
}
