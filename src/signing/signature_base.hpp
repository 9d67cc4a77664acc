// The RFC 9421 §2.5 signature base: one line per covered component, then the
// `@signature-params` line, built from a parsed `Signature-Input` member and the request.
// Private to the library; shared by the verifier and by the CLI that signs test requests.
#pragma once

#include <cstddef>
#include <string_view>

#include "approov/reason.hpp"
#include "approov/request.hpp"
#include "sf/structured_fields.hpp"

namespace approov::signing {

/// Largest signature base built, in bytes; a larger one is refused as `bad_component`.
inline constexpr std::size_t kMaxSignatureBase = 64 * 1024;

/// The scheme and authority that `@target-uri`, `@authority` and `@scheme` use: the request's
/// own, or those of a configured public base URL (already validated and lowercased).
struct UriBase {
  std::string_view scheme;     ///< empty: the request's scheme
  std::string_view authority;  ///< empty: the request's authority
};

/// Splits "https://api.example.com[:port][/]" into a UriBase (scheme lowercased into
/// `scheme_out`, the authority normalised into `authority_out`). False when the URL is not an
/// absolute http(s) URL without path, query, fragment or userinfo.
[[nodiscard]] bool parse_base_url(std::string_view url, std::string& scheme_out,
                                  std::string& authority_out);

/// Where a base is written: `data` of `capacity` bytes (at least kMaxSignatureBase).
struct BaseBuffer {
  char* data;
  std::size_t capacity;
};

/// Builds the signature base for the covered components `items` (the Inner List of one
/// `Signature-Input` member) and its parameters `params`, reading the components from
/// `request`. Writes the base into `out` and its size into `size`. Returns `Reason::ok`, or:
/// `bad_component` (an identifier that is not a lowercase String, an unknown derived
/// component, `@status`, `;req`, `;tr`, an unknown or malformed parameter, `;sf`/`;key` on a
/// field whose structured type is not known, `;bs` with `;sf`/`;key`, a repeated query
/// parameter, a base over the limit) or `missing_component` (a covered header the request
/// lacks, a `;key` the dictionary lacks, an absent query parameter, no authority).
[[nodiscard]] Reason build_signature_base(const RequestView& request, const UriBase& uri,
                                          sf::Span<sf::Item> items, sf::Parameters params,
                                          BaseBuffer out, std::size_t& size) noexcept;

/// True when two component identifiers are the same (name and parameters, as serialized).
[[nodiscard]] bool same_identifier(const sf::Item& a, const sf::Item& b) noexcept;

/// True when `item` is the identifier `name` with no parameters.
[[nodiscard]] bool is_plain_identifier(const sf::Item& item, std::string_view name) noexcept;

/// All field lines named `name`, each trimmed, joined with ", " into `out` (RFC 9421 §2.1).
/// Returns the number of lines (0: absent), and `size`; `overflow` when `out` is too small.
std::size_t join_field_lines(const RequestView& request, std::string_view name, char* out,
                             std::size_t capacity, std::size_t& size, bool& overflow) noexcept;

}  // namespace approov::signing
