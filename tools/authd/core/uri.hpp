// How approov-authd reads a request path: the normalization every path (and every route
// prefix) goes through before matching, and the readings of a path that matching must
// consider because a framework behind the proxy may read the path that way. Security
// relevant: a path must never match a more lenient route than the resource it reaches.
#pragma once

#include <string>
#include <string_view>

namespace approov::authd {

/// Normalizes a request target for route matching into `out`: drops the query and fragment,
/// decodes percent-escapes and merges repeated slashes. Refuses (the check denies with
/// `bad_uri`) what proxies and upstreams may read differently, so that a path can never match
/// a more lenient route than the resource it reaches: a target that is not an origin-form
/// path, a bad escape, an encoded `/` or `\`, a backslash, a control byte, a `;` (path
/// parameters, raw or encoded), a `.` or `..` segment, a segment ending in a dot or a space
/// (Windows servers drop those: `/api.` is `/api` there), or an escape encoded twice (`%2561`:
/// a server that decodes twice reads `a`).
/// Returns nullptr when the target is accepted, else why it is refused, as a phrase for
/// configuration messages ("a backslash"); `out` is then unspecified. Reuses `out`'s capacity.
[[nodiscard]] const char* normalize_path_why(std::string_view target, std::string& out);

/// `normalize_path_why(target, out) == nullptr`: whether the target is accepted.
[[nodiscard]] inline bool normalize_path(std::string_view target, std::string& out) {
  return normalize_path_why(target, out) == nullptr;
}

/// A way a router may read a path when it looks for the handler of a prefix.
struct Reading {
  bool any_case = false;  ///< ASCII case-insensitively (many routers ignore case)
  bool suffix = false;    ///< `/api.json` and `/api.x/` read as `/api` (Spring's suffix match)
};

/// Whether `prefix` (normalized, no trailing slash unless it is `/`) covers the normalized
/// `path` on whole segments under `reading`: `/api` covers `/api` and `/api/x`, not `/apix`;
/// with `suffix` also `/api.rest` where rest has no `/` but maybe a final one. Bytes are
/// compared exactly unless `any_case`.
[[nodiscard]] bool covers(std::string_view prefix, std::string_view path, Reading reading) noexcept;

/// Writes `path` with every character whose case mapping or full case folding gives ASCII
/// letters replaced by those letters (lower case) into `out`: dotted capital I and dotless i
/// (Java's equalsIgnoreCase takes both for i), long s, sharp s and capital sharp s (ss under
/// full folding and toUpperCase), the Kelvin sign, and the Latin ligatures U+FB00..U+FB06.
/// Returns false (and `out` unspecified) if the path holds none; a path without a byte of
/// 0x80 or above returns at once without touching `out`.
[[nodiscard]] bool fold_to_ascii(std::string_view path, std::string& out);

}  // namespace approov::authd
