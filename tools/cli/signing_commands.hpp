// The message-signing commands of `approov-token`: `keygen` (an installation key pair, as the
// SDK makes on a device), `sign` (the RFC 9421 headers the SDK adds to a request), and gen's
// `--ipk`, `--ipk-key` and `--mskid` (the claims that call for a signature). Each registers
// itself on the CLI11 app so that main.cpp only wires them in.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "approov/config.hpp"
#include "pkey/signing_key.hpp"

namespace approov_cli {

/// A registered subcommand: its CLI11 node and what to run once the command line is parsed.
struct Subcommand {
  CLI::App* command = nullptr;
  std::function<int()> run;
};

/// `approov-token keygen [--out FILE]`.
[[nodiscard]] Subcommand add_keygen_command(CLI::App& app);

/// `approov-token sign (--key FILE | --account-secret B64) --method M --url URL ...`.
[[nodiscard]] Subcommand add_sign_command(CLI::App& app);

/// The `ipk` claim value of a key: standard base64 (padded) of its DER SubjectPublicKeyInfo.
[[nodiscard]] std::string ipk_of(const approov::detail::SigningKey& key);

/// Reads a private key (PEM or JWK) from `path` for the flag `flag`; the message names the flag
/// and the file, never the key.
[[nodiscard]] approov::Configured<approov::detail::SigningKey> read_private_key(
    const std::string& path, const std::string& flag);

/// gen's message-signing claims. `add_gen_signing_options` adds the flags to `gen`; `apply`
/// appends the claims they ask for (as gen's NAME=VALUE specs, so that gen's own duplicate
/// check sees them) and returns 0, or prints a usage error and returns the exit status.
class GenSigningOptions {
 public:
  [[nodiscard]] int apply(std::vector<std::string>& claims) const;

 private:
  friend std::shared_ptr<GenSigningOptions> add_gen_signing_options(CLI::App& gen);
  std::string ipk_, ipk_key_, mskid_;
  CLI::Option* ipk_opt_ = nullptr;
  CLI::Option* mskid_opt_ = nullptr;
};
[[nodiscard]] std::shared_ptr<GenSigningOptions> add_gen_signing_options(CLI::App& gen);

}  // namespace approov_cli
