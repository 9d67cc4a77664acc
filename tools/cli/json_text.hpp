// JSON for the CLI, on the library's one JSON reader (src/internal/json.hpp), so that the CLI
// judges JSON exactly as the verifier does: checking `gen`'s claim values, pretty printing in
// `decode` (numbers and strings kept verbatim, so `exp` shows digit for digit), claim names in
// `verify`, and quoting for the values `gen` writes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "internal/json.hpp"

namespace approov_cli {

/// What `check_json` found. `problem == none`: JSON the verifier accepts (as a value inside a
/// token). Otherwise the first problem and its byte offset: either `is_json()` is false (not
/// RFC 8259 JSON at all), or the text is JSON that the verifier's I-JSON rules refuse
/// (duplicate names, noncharacters, lone surrogates).
struct JsonCheck {
  approov::json::Problem problem = approov::json::Problem::none;
  std::size_t offset = 0;
  [[nodiscard]] bool ok() const noexcept { return problem == approov::json::Problem::none; }
  /// True when the grammar, UTF-8 and nesting are fine (the only problems are I-JSON ones).
  [[nodiscard]] bool is_json() const noexcept;
  /// "duplicate member name at byte 12"
  [[nodiscard]] std::string describe() const;
};

/// Largest text the CLI reads as JSON (a claim value or a decoded token segment).
inline constexpr std::size_t kMaxCliJson = 1 << 20;

/// Checks that `text` is exactly one JSON value (surrounding whitespace allowed), under the
/// verifier's rules. If `pretty` is not null and the text is JSON (`is_json()`), writes a
/// copy indented by two spaces per level, with number and string texts verbatim; I-JSON
/// problems are reported but the text is still formatted, so `decode` can show what is there.
[[nodiscard]] JsonCheck check_json(std::string_view text, std::string* pretty = nullptr);

/// Unescaped names of the top-level members of a strict JSON object, in order (empty if the
/// text is not one).
[[nodiscard]] std::vector<std::string> json_member_names(std::string_view object_json);

/// The raw text of top-level member `name` of a JSON object (strings without their quotes),
/// with its type, or nothing.
[[nodiscard]] std::optional<approov::json::Value> json_member(std::string_view object_json,
                                                              std::string_view name);

/// `text` as a JSON string literal, quotes included; control characters, `"` and `\` are
/// escaped, everything else is kept as it is (so invalid UTF-8 stays invalid: check the
/// result with `check_json`).
[[nodiscard]] std::string json_quote(std::string_view text);

/// True if `text` is exactly one JSON number per RFC 8259 (e.g. "4708683205.891912", "-1e3").
[[nodiscard]] bool is_json_number(std::string_view text);

}  // namespace approov_cli
