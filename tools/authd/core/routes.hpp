// approov-authd routes: a path prefix and what it requires, the validation of the prefixes
// written in the config file, and matching a normalized request path against them (see
// docs/SIDECAR.md, "Route matching").
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "approov/request_check.hpp"

namespace approov::authd {

/// One `route` line: a path prefix and what it requires.
struct Route {
  /// Normalized like a request path (percent-decoded, slashes merged), no trailing slash
  /// except for `/` itself, ASCII only. Case as written: matching decides about case.
  std::string prefix;
  RoutePolicy policy;
  std::string source;  // "file:line", for configuration messages
};

/// The prefix `written` on a route line as matched, into `out`: normalized like a request
/// path (normalize_path), without a trailing slash (`/admin/` also covers `/admin`), ASCII.
/// Anything that would make the route match nothing (or other than what the line says) is
/// refused: returns a message naming `where` and the prefix, never a route that silently fails
/// open. Returns an empty string on success.
[[nodiscard]] std::string normalize_prefix(const std::string& written, const std::string& where,
                                           std::string& out);

/// The routes of a policy, longest prefix first, and the matching of request paths.
class RouteTable {
 public:
  RouteTable() = default;
  /// Sorts `routes` longest prefix first (stable). Prefixes must come from normalize_prefix,
  /// and no two may be equal ignoring ASCII case (the config parser refuses those): then the
  /// first route that covers a path under a reading is the only longest one.
  explicit RouteTable(std::vector<Route> routes);

  [[nodiscard]] const std::vector<Route>& routes() const noexcept { return routes_; }

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

 private:
  std::vector<Route> routes_;
};

}  // namespace approov::authd
