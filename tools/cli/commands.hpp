// The subcommands of `approov-token`. Each returns the process exit status:
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

/// A keyset from a file (`--jwks FILE`, with `--kid`/`--alg` for a PEM key or a JWK without
/// alg), and the optional audience and issuer checks.
struct KeysetOptions {
  std::string file;                     ///< --jwks: a JWKS, JWK or PEM public key file
  std::optional<std::string> kid;       ///< --kid
  std::optional<std::string> alg;       ///< --alg
  std::optional<std::string> audience;  ///< --aud
  std::optional<std::string> issuer;    ///< --iss
};

struct VerifyOptions {
  SecretOptions secret;
  KeysetOptions keyset;
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
  std::string key;                 ///< --key: a private key (PEM or JWK); empty: HS256 secret
  std::optional<std::string> alg;  ///< --alg, with --key
};

struct JwksOptions {
  std::string key;  ///< --key: a private (or public) key, PEM or JWK
  std::string kid;
  std::optional<std::string> alg;
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
[[nodiscard]] int run_jwks(const JwksOptions& options);

/// `gen --key`: mints an asymmetric token over the given header members and payload. Returns
/// the exit status (prints the token, or the usage error).
[[nodiscard]] int mint_with_key(const GenOptions& options, const std::string& payload,
                                const std::optional<std::string>& bind);

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
