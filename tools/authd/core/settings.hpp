// approov-authd settings: the Settings struct and their parsing from the command line and
// the config file (see docs/SIDECAR.md for the file format). Start-up and reload only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "approov/approov.hpp"
#include "core/routes.hpp"

namespace approov::authd {

/// Everything read from the config file and the command line. Start-up and reload only.
struct Settings {
  std::vector<std::string> listen;
  std::string admin_listen;
  std::size_t threads = 1;
  // Above what nginx forwards with its default large_client_header_buffers (4 x 8 KiB, plus
  // the X-Original-URI it adds), so a request nginx accepts is never refused here.
  std::uint32_t header_limit = 64 * 1024;
  std::size_t max_connections = 10000;
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds drain_timeout{10000};

  std::string token_header = "Approov-Token";
  std::string token_prefix;
  std::vector<std::string> binding_headers;  // simple mode: bind every route to these
  bool allow_missing_pay = false;
  std::int64_t leeway = 0;
  std::optional<std::string> audience;
  std::optional<std::string> issuer;
  std::string secret_file;  // empty: APPROOV_BASE64_SECRET / APPROOV_BASE64URL_SECRET
  // Of the secret file; unset: either alphabet (standard base64, else base64url), as the CLI.
  std::optional<SecretEncoding> secret_encoding;
  std::string env_file;  // empty: the first .env found from the working directory up

  FailureResponse failure;
  bool claim_headers = true;
  bool cors_preflight = false;
  bool report_only = false;  // every protected route logs and allows
  std::vector<std::string> uri_headers{"X-Original-URI", "X-Forwarded-Uri"};
  bool uri_headers_set = false;  // the first uri-header setting replaces the defaults
  std::vector<Route> routes;     // empty: simple mode
  double log_rate = 20;  // log lines per second (per process) for denials, and as many again
                         // for report-only failures; 0: none

  std::string config_path;
  bool check_config = false;
  bool help = false;
};

/// Parses the command line (reading the config file it names first, so flags override the
/// file). Messages name the flag, file and line, never a secret value.
[[nodiscard]] Configured<Settings> load_settings(const std::vector<std::string>& args);

/// Usage text for --help.
[[nodiscard]] std::string usage();

}  // namespace approov::authd
