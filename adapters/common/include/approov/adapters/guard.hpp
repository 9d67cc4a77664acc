// The part of every framework adapter that knows no framework: run the request check for a
// route, log a rejection in one line, and say whether the request may go on. Each adapter
// (beast.hpp, httplib.hpp, microhttpd.hpp) only turns its framework's request into a
// HeaderSource and a Decision into its framework's response.
#pragma once

#include <array>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <string_view>
#include <utility>

#include "approov/reason.hpp"
#include "approov/request_check.hpp"
#include "approov/token_verifier.hpp"

namespace approov::adapters {

/// What is known about one rejected request, for a log line or a metric. Never holds the
/// token: `fingerprint` is `approov::token_fingerprint` (16 hex characters), or empty when
/// no token could be read. The views live only for the duration of the logger call.
struct Rejection {
  Reason reason = Reason::ok;
  std::string_view fingerprint;
  std::string_view method;
  std::string_view path;     ///< request target without its query string (it may carry secrets)
  bool report_only = false;  ///< the request was let through (RoutePolicy::report_only)
};

/// Receives every rejection. Called on the serving thread, possibly from several threads at
/// once: it must be thread-safe and should be quick. Exceptions it throws are swallowed.
using RejectionLogger = std::function<void(const Rejection&)>;

/// Default logger: one line on stderr, e.g.
/// `approov: rejected reason=bad_signature token=1f2e3d4c5b6a7980 GET /`.
/// Control bytes in the method or path are replaced so that a client cannot forge log lines.
inline void log_rejection_to_stderr(const Rejection& r) noexcept {
  std::array<char, 320> line{};
  std::size_t n = 0;
  auto put = [&](std::string_view s, std::size_t limit) {
    for (std::size_t i = 0; i < s.size() && i < limit && n + 1 < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      line[n++] = (c < 0x20 || c >= 0x7f) ? '?' : static_cast<char>(c);
    }
  };
  put(r.report_only ? "approov: report-only reason=" : "approov: rejected reason=", 64);
  put(to_string(r.reason), 64);
  put(" token=", 16);
  put(r.fingerprint.empty() ? std::string_view("-") : r.fingerprint, 16);
  if (!r.method.empty()) {
    put(" ", 1);
    put(r.method, 16);
    put(" ", 1);
    put(r.path, 160);
  }
  line[n++] = '\n';
  // One fwrite of the whole line: concurrent lines never interleave.
  std::fwrite(line.data(), 1, n, stderr);
}

/// Outcome of `Guard::decide` for one request.
struct Decision {
  Reason reason = Reason::ok;
  /// True when the protected handler may run: the check passed, the route is unprotected, or
  /// the route is report-only (then `reason` still says what failed and the claims are not
  /// meaningful).
  bool allow = true;
  [[nodiscard]] bool verified() const noexcept { return reason == Reason::ok; }
};

/// A request check plus what to do on failure: the response to send (byte-identical for every
/// reason, SPEC §6) and where to log. Immutable after construction and safe to share between
/// serving threads; `decide` is noexcept and does not allocate (the logger may).
class Guard {
 public:
  explicit Guard(RequestCheck check, FailureResponse failure = {},
                 RejectionLogger logger = log_rejection_to_stderr)
      : check_(std::move(check)), failure_(std::move(failure)), logger_(std::move(logger)) {}

  /// Runs the check that `route` asks for at the current time, writing the claims on success,
  /// and logs a rejection. `method` and `path` only feed the log line.
  [[nodiscard]] Decision decide(const HeaderSource& headers, const RoutePolicy& route,
                                Claims& claims, std::string_view method = {},
                                std::string_view path = {}) const noexcept {
    return decide_at(headers, route, claims, unix_now(), method, path);
  }

  /// Same with a fixed clock (tests).
  [[nodiscard]] Decision decide_at(const HeaderSource& headers, const RoutePolicy& route,
                                   Claims& claims, std::int64_t now, std::string_view method = {},
                                   std::string_view path = {}) const noexcept {
    const Reason reason = check_.check(headers, now, route, claims);
    if (reason == Reason::ok) return {};
    if (logger_) {
      std::string_view token;
      std::array<char, 17> fp{};
      std::string_view fingerprint;
      if (check_.extract_token(headers, token) == Reason::ok && !token.empty()) {
        fp = token_fingerprint(token);
        fingerprint = std::string_view(fp.data(), 16);
      }
      const auto query = path.find('?');
      if (query != std::string_view::npos) path = path.substr(0, query);
      try {
        logger_(Rejection{reason, fingerprint, method, path, route.report_only});
      } catch (...) {  // a failing logger must not turn a rejection into a crash
      }
    }
    return {reason, route.report_only};
  }

  [[nodiscard]] const RequestCheck& check() const noexcept { return check_; }
  [[nodiscard]] const FailureResponse& failure() const noexcept { return failure_; }

 private:
  RequestCheck check_;
  FailureResponse failure_;
  RejectionLogger logger_;
};

}  // namespace approov::adapters
