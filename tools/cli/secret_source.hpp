// Where the CLI gets its HMAC secret, in this order (also printed by --help):
//   1. --secret B64, --secret-url B64URL or --secret-file PATH (at most one of them);
//   2. otherwise APPROOV_BASE64_SECRET / APPROOV_BASE64URL_SECRET, after a `.env` file found in
//      the working directory or a parent has been loaded over the environment, as the
//      quickstart servers do (skipped with --no-dotenv).
// Error messages name the flag, file or variable and what is wrong, never the secret.
#pragma once

#include <string>

#include "approov/config.hpp"

namespace approov_cli {

struct SecretOptions {
  std::string base64;      ///< --secret
  std::string base64url;   ///< --secret-url
  std::string file;        ///< --secret-file
  bool no_dotenv = false;  ///< --no-dotenv
};

/// The public secret the Approov quickstarts publish for their example tokens (not an account
/// secret). `bench` falls back to it when nothing is configured.
inline constexpr const char* kPublicTestSecret =
    "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww==";

enum class SecretOrigin { flag, environment, public_test };

struct ResolvedSecret {
  approov::Secret secret;
  SecretOrigin origin = SecretOrigin::flag;
  std::string description;  ///< e.g. "APPROOV_BASE64_SECRET" or "--secret-file /path" (no value)
};

/// True if a secret is configured at all: a flag, or a variable in the environment (after the
/// .env file, unless --no-dotenv). Whether it is well-formed is resolve_secret's business.
[[nodiscard]] bool secret_configured(const SecretOptions& options);

/// Resolves the secret as described above. With `public_fallback`, "nothing configured" gives
/// the public test secret instead of an error (a malformed secret is still an error).
[[nodiscard]] approov::Configured<ResolvedSecret> resolve_secret(const SecretOptions& options,
                                                                 bool public_fallback = false);

}  // namespace approov_cli
