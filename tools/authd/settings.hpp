// approov-authd configuration: settings from the config file, the environment and flags, and
// the immutable Policy the request path reads. See docs/SIDECAR.md for the file format.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "approov/approov.hpp"

namespace approov::authd {

/// One `route` line: a path prefix and what it requires.
struct Route {
  /// Normalized like a request path (percent-decoded, slashes merged), no trailing slash
  /// except for `/` itself, ASCII only. Case as written: matching decides about case.
  std::string prefix;
  RoutePolicy policy;
  std::string source;  // "file:line", for configuration messages
};

/// Everything read from the config file and the command line. Start-up and reload only.
struct Settings {
  std::vector<std::string> listen;
  std::string admin_listen;
  std::size_t threads = 1;
  // Above what nginx forwards with its default large_client_header_buffers (4 x 8 KiB, plus
  // the X-Original-URI it adds), so a request nginx accepts is never refused here.
  std::uint32_t header_limit = 64 * 1024;
  std::size_t max_connections = 10000;
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds drain_timeout{10000};

  std::string token_header = "Approov-Token";
  std::string token_prefix;
  std::vector<std::string> binding_headers;  // simple mode: bind every route to these
  bool allow_missing_pay = false;
  std::int64_t leeway = 0;
  std::optional<std::string> audience;
  std::optional<std::string> issuer;
  std::string secret_file;  // empty: APPROOV_BASE64_SECRET / APPROOV_BASE64URL_SECRET
  SecretEncoding secret_encoding = SecretEncoding::base64;
  std::string env_file;  // empty: the first .env found from the working directory up

  FailureResponse failure;
  bool claim_headers = true;
  bool cors_preflight = false;
  bool report_only = false;  // every protected route logs and allows
  std::vector<std::string> uri_headers{"X-Original-URI", "X-Forwarded-Uri"};
  bool uri_headers_set = false;  // the first uri-header setting replaces the defaults
  std::vector<Route> routes;     // empty: simple mode
  double log_rate = 20;  // log lines per second (per process) for denials, and as many again
                         // for report-only failures; 0: none

  std::string config_path;
  bool check_config = false;
  bool help = false;
};

/// Parses the command line (reading the config file it names first, so flags override the
/// file). Messages name the flag, file and line, never a secret value.
[[nodiscard]] Configured<Settings> load_settings(const std::vector<std::string>& args);

/// What the request path reads: built whole, never modified, swapped atomically on reload.
struct Policy {
  RequestCheck check;
  std::vector<Route> routes;  // longest prefix first
  FailureResponse failure;
  bool claim_headers = true;
  bool cors_preflight = false;
  std::vector<std::string> uri_headers;
  std::uint64_t generation = 0;
  double log_rate = 20;  // per second, whole process, for each of denials and report-only

  /// The route for `path` as written (longest prefix matching whole segments: `/api` matches
  /// `/api` and `/api/x`, not `/apix`; bytes compared exactly), or nullptr if none matches
  /// (deny). `path` must be normalized.
  [[nodiscard]] const Route* match(std::string_view path) const noexcept;

  /// Every route that some reading of `path` selects, the routes a framework behind the
  /// proxy could serve the path from. The request must pass each of them: that is what makes
  /// matching fail closed, since a reading can only add routes to pass, never remove the
  /// route of the path as written. The readings, each the longest matching prefix:
  ///   - the path as written (`routes[0]`; none: `count` is 0 and the check denies);
  ///   - ASCII case-insensitively (many routers ignore case);
  ///   - both of those also with a suffix: `/api.json` and `/api.x/` read as `/api`
  ///     (Spring's suffix pattern match);
  ///   - when the path holds a character whose case folding gives ASCII letters (dotless i,
  ///     dotted capital I, long s, sharp s, Kelvin sign, the Latin ligatures): the path so
  ///     folded, case-insensitively, with and without the suffix (Java's equalsIgnoreCase,
  ///     full Unicode case folding).
  /// Trailing slashes need no reading: `/api/` matches `/api` on whole segments.
  /// `scratch` is a reused buffer for the folded path. `path` must be normalized.
  struct Matches {
    static constexpr std::size_t kMax = 6;
    std::array<const Route*, kMax> routes{};
    std::size_t count = 0;  // distinct routes in `routes`, the path as written first
  };
  [[nodiscard]] Matches match_readings(std::string_view path, std::string& scratch) const;
};

/// Normalizes a request target for route matching into `out`: drops the query and fragment,
/// decodes percent-escapes and merges repeated slashes. Returns false (the check denies with
/// `bad_uri`) for what proxies and upstreams may read differently, so that a path can never
/// match a more lenient route than the resource it reaches: a target that is not an
/// origin-form path, a bad escape, an encoded `/` or `\`, a backslash, a control byte, a `;`
/// (path parameters, raw or encoded), a `.` or `..` segment, a segment ending in a dot or a
/// space (Windows servers drop those: `/api.` is `/api` there), or an escape encoded twice
/// (`%2561`: a server that decodes twice reads `a`).
[[nodiscard]] bool normalize_path(std::string_view target, std::string& out);

/// Loads the secret (file or environment, after the .env file) and builds the policy.
[[nodiscard]] Configured<std::shared_ptr<const Policy>> build_policy(const Settings& settings,
                                                                     std::uint64_t generation);

/// Usage text for --help.
[[nodiscard]] std::string usage();

}  // namespace approov::authd
