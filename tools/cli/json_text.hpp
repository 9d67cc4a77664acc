// JSON text helpers for the CLI: a strict checker that can also re-indent a document while
// keeping every number and string exactly as written (so `decode` shows `exp` digit for digit),
// and quoting for the values `gen` writes. Tools only; the verifier has its own parser.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace approov_cli {

/// What `check_json` found. `syntax` means "not JSON at all" (RFC 8259 grammar or UTF-8);
/// the other problems are JSON that the verifier's I-JSON rules would still reject.
enum class JsonProblem {
  none,
  syntax,            ///< not RFC 8259 JSON, or not valid UTF-8
  too_deep,          ///< nesting deeper than kMaxJsonDepth
  duplicate_member,  ///< an object repeats a member name (compared after unescaping)
  lone_surrogate,    ///< a \uD800-\uDFFF escape without its pair
};

inline constexpr int kMaxJsonDepth = 32;

struct JsonCheck {
  JsonProblem problem = JsonProblem::none;
  std::size_t offset = 0;  ///< byte offset of the first problem
  std::string detail;      ///< short human description (never the document itself)
  [[nodiscard]] bool ok() const noexcept { return problem == JsonProblem::none; }
};

/// Checks that `text` is exactly one JSON value (surrounding whitespace allowed). If `pretty`
/// is not null and the grammar is fine, writes a copy indented by two spaces per level, with
/// number and string texts verbatim. Duplicate members and lone surrogates are reported but
/// still formatted (so `decode` can show what is there); nesting beyond kMaxJsonDepth stops.
[[nodiscard]] JsonCheck check_json(std::string_view text, std::string* pretty = nullptr);

/// Unescaped names of the top-level members of a JSON object, in order (empty if not one).
[[nodiscard]] std::vector<std::string> json_member_names(std::string_view object_json);

/// True if `text` is valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;

/// `text` (valid UTF-8) as a JSON string literal, quotes included; control characters, `"` and
/// `\` are escaped, everything else is kept as UTF-8.
[[nodiscard]] std::string json_quote(std::string_view text);

/// True if `text` is a JSON number per RFC 8259 (e.g. "4708683205.891912", "-1e3").
[[nodiscard]] bool is_json_number(std::string_view text) noexcept;

}  // namespace approov_cli
