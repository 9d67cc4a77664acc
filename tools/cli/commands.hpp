// The four subcommands of `approov-token`. Each returns the process exit status:
// 0 success (token valid), 1 token invalid or undecodable, 2 usage or configuration error.
// Nothing here prints a secret; `verify` never prints the token (at most its fingerprint).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "secret_source.hpp"

namespace approov_cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUsage = 2;

struct VerifyOptions {
  SecretOptions secret;
  std::string token;  ///< "-" reads it from stdin
  std::optional<std::int64_t> now;
  std::int64_t leeway = 0;
  std::optional<std::string> bind;  ///< present (even empty) turns binding on
  bool allow_missing_pay = false;
};

struct GenOptions {
  SecretOptions secret;
  std::optional<std::string> exp;  ///< JSON number text, used verbatim
  std::optional<std::int64_t> ttl;
  bool expired = false;
  std::optional<std::int64_t> now;
  std::optional<std::string> bind;
  std::vector<std::string> claims;  ///< NAME=VALUE
  std::optional<std::string> kid;
};

struct DecodeOptions {
  std::string token;  ///< "-" reads it from stdin
};

struct BenchOptions {
  SecretOptions secret;
  std::uint64_t iterations = 1000000;
  std::string token;  ///< empty: mint a realistic token
};

[[nodiscard]] int run_verify(const VerifyOptions& options);
[[nodiscard]] int run_gen(const GenOptions& options);
[[nodiscard]] int run_decode(const DecodeOptions& options);
[[nodiscard]] int run_bench(const BenchOptions& options);

// Shared helpers.

/// `arg` itself, or for "-" the whole of stdin with surrounding whitespace trimmed.
/// Returns false (with a message on stderr) if stdin cannot be read.
[[nodiscard]] bool read_token_argument(const std::string& arg, std::string& token);

/// The `--now` values `gen` and `verify` accept: 0 .. approov::kMaxExp (year 9999). Outside it,
/// `now +/- leeway or ttl` would reach the int64 ends, where the library saturates.
/// Returns an empty string, or the usage message.
[[nodiscard]] std::string check_now_option(const std::optional<std::int64_t>& now);

/// "2119-03-18T05:33:25Z" for a Unix time, or "" when out of the printable range.
[[nodiscard]] std::string utc_time_text(double epoch);

}  // namespace approov_cli
