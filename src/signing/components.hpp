// The derived components of RFC 9421 §2.2 computed from the parts of a request, as pure
// functions over text (no HTTP framework, no allocation: results are views into the inputs or
// text written into a caller buffer). Private to the library.
#pragma once

#include <cstddef>
#include <string_view>

namespace approov::signing {

/// A request target split at the first '?': the path (as sent) and the query without the '?'.
struct TargetParts {
  std::string_view path;
  std::string_view query;
  bool has_query = false;
};

/// Splits an origin-form request target ("/a/b?c=d"); a '#' fragment never reaches a server
/// and is not looked for.
[[nodiscard]] TargetParts split_target(std::string_view target) noexcept;

/// Where `out` lacks room: every writer below returns this instead of a size.
inline constexpr std::size_t kNoRoom = static_cast<std::size_t>(-1);

/// `@authority` (RFC 9421 §2.2.3): the host lowercased and the port dropped when it is the
/// scheme's default (80 for http, 443 for https). `scheme` must be lowercase. Returns the size
/// written into `out`, kNoRoom when it does not fit, or 0 for an empty or malformed authority
/// (userinfo, an empty host, a non-numeric or out-of-range port), which callers treat as an
/// absent component.
[[nodiscard]] std::size_t normalize_authority(std::string_view authority, std::string_view scheme,
                                              char* out, std::size_t capacity) noexcept;

/// Writes into `out` the value of query parameter `name` (RFC 9421 §2.2.8): the query is read
/// as application/x-www-form-urlencoded (split on '&', the first '=' splits name and value,
/// '+' is a space, percent-escapes decoded, invalid UTF-8 replaced by U+FFFD, as the WHATWG URL
/// standard does), then the value is re-encoded with the form percent-encode set and spaces as
/// "%20". `name` is compared in the same re-encoded form, so callers pass the identifier's
/// `name` parameter as written. Returns the size, kNoRoom when `out` is too small, or:
inline constexpr std::size_t kParamAbsent = kNoRoom - 1;    ///< no parameter of that name
inline constexpr std::size_t kParamRepeated = kNoRoom - 2;  ///< the name occurs more than once
[[nodiscard]] std::size_t query_param(std::string_view query, std::string_view name, char* out,
                                      std::size_t capacity) noexcept;

/// The RFC 9421 §2.2.8 encoding of raw (already percent-decoded) bytes: `encode_form(raw)`;
/// exposed for tests and for the CLI that signs requests.
[[nodiscard]] std::size_t encode_form(std::string_view decoded, char* out,
                                      std::size_t capacity) noexcept;

/// True for a scheme's default port.
[[nodiscard]] bool is_default_port(std::string_view scheme, std::string_view port) noexcept;

}  // namespace approov::signing
