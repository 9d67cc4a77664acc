// approov-authd settings: the Settings struct, the table that declares every setting once (its
// name as config-file key, `--flag` and `APPROOV_AUTHD_*` variable, its help and its parser),
// and the loading of the three sources with their precedence (docs/SIDECAR.md,
// "Configuration"). Start-up and reload only.
//
// Adding a setting: a field in Settings (its default is the field's initializer) and one row
// in the table in settings.cpp. The row gives it its flag, its variable, its config-file key,
// its line in --help and its validation; nothing else needs to change.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "approov/approov.hpp"
#include "core/routes.hpp"

namespace approov::authd {

/// The largest client body a gateway may forward with a check (forwarded-body).
inline constexpr std::uint64_t kMaxForwardedBody = 1024 * 1024;

/// A secret file and the key id a token's `kid` must name to use it (empty: none).
struct SecretFile {
  std::string path;
  std::string key_id;
};

/// Message signatures in simple mode (no route lines): on every checked route, or not.
enum class SigningMode : std::uint8_t {
  off,
  on,        ///< check a signature when the token calls for one (`ipk`, or `mskid`)
  required,  ///< and refuse a token that calls for none (`missing_signature`)
};

/// Everything read from the config file, the environment and the command line.
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
  // Empty: APPROOV_BASE64_SECRET / APPROOV_BASE64URL_SECRET. Several: rotation.
  std::vector<SecretFile> secret_files;
  // Of the secret files; unset: either alphabet (standard base64, else base64url), as the CLI.
  std::optional<SecretEncoding> secret_encoding;
  std::string env_file;  // empty: the first .env found from the working directory up
  // Keysets (docs/KEYSETS.md): a JWKS file (read again on every reload) and/or a JWKS URL
  // (fetched at start-up, then refreshed in the background). With either, the HS256 secret
  // is optional: the token's alg and kid pick the key.
  std::string jwks_file;
  std::string jwks_url;
  std::string jwks_ca_file;  // a CA bundle for the JWKS URL instead of the system's
  std::int64_t jwks_refresh_seconds = 300;

  // Message signatures (docs/SIDECAR.md, "Message signing"). Per route: the route line's
  // `message-signing` word; simple mode: `message-signing = on|required`.
  SigningMode message_signing = SigningMode::off;
  std::string account_signing_secret_file;  // empty: no account signatures
  std::string account_signing_key_id;       // a token's mskid must equal it when set
  std::string signature_base_url;           // scheme://authority replacing the forwarded ones
  std::int64_t signature_skew = 60;
  // The gateway sends the client's body with the check (Envoy with_request_body): the body
  // and its own Content-Length are the client's, and Content-Digest is checked against it.
  bool forwarded_body = false;
  // The replay store (make_replay_store's text: none, memory, redis://..., unix:...) and
  // whether a store that cannot answer lets requests through.
  std::string replay_store = "none";
  bool replay_fail_open = false;

  FailureResponse failure;
  bool claim_headers = true;
  bool cors_preflight = false;
  bool report_only = false;  // every protected route logs and allows
  std::vector<std::string> uri_headers{"X-Original-URI", "X-Forwarded-Uri"};
  std::vector<Route> routes;  // empty: simple mode
  double log_rate = 20;       // log lines per second (per process) for denials, and as many again
                              // for report-only failures; 0: none

  std::string config_path;
  bool check_config = false;
  bool help = false;
  bool version = false;
};

/// How a setting takes values.
enum class SettingKind {
  value,   ///< one value; `--name VALUE`
  list,    ///< repeatable; each source's list replaces a lower source's
  toggle,  ///< on/off: `--name`, `--no-name`, `--name=off`; `name = on` in the file
};

/// One setting, declared once: `name` is its config-file key, its flag (`--name`) and, upper
/// case with `-` as `_`, its environment variable (`APPROOV_AUTHD_NAME`).
struct SettingSpec {
  std::string_view name;
  SettingKind kind;
  std::string_view metavar;  // in --help: `--name METAVAR`
  std::string_view default_text;
  std::string_view help;
  /// Applies one value to `s`, or returns a message that starts with `where` (the value's
  /// source: "FILE:LINE: name", "--name" or "APPROOV_AUTHD_NAME") and never holds a secret.
  std::function<std::string(Settings& s, const std::string& value, const std::string& where)> apply;
  /// Lists only: empties the list (its default included) before a source's values.
  std::function<void(Settings& s)> clear;
  /// Between the values of a list in one environment variable.
  char separator = ',';
};

/// Every setting, in --help order.
[[nodiscard]] const std::vector<SettingSpec>& setting_specs();

/// `APPROOV_AUTHD_` + `name` upper case with `-` as `_`.
[[nodiscard]] std::string environment_name(std::string_view name);

/// Loads the settings: defaults, then the config file (`--config` or APPROOV_AUTHD_CONFIG),
/// then the APPROOV_AUTHD_* variables of `environment`, then the flags in `args`; for each
/// setting the highest source that gives it wins (a list from a higher source replaces the
/// lower one's). Messages name the flag, variable or file and line, never a secret value.
[[nodiscard]] Configured<Settings> load_settings(
    const std::vector<std::string>& args, const std::map<std::string, std::string>& environment);

/// The same with the process environment as it is now.
[[nodiscard]] Configured<Settings> load_settings(const std::vector<std::string>& args);

/// Usage text for --help, from the table.
[[nodiscard]] std::string usage();

/// "approov-authd X.Y.Z\n" for --version.
[[nodiscard]] std::string version_text();

/// The value of a config-file line's right-hand side (after `=`): a "basic" string (with
/// \" \\ \t \n \r \uXXXX escapes), a 'literal' string, or bare text up to a ` #` comment,
/// surrounding blanks dropped; after a quoted string only blanks and a comment may follow.
/// Returns false with `error` set when the text is malformed. Exposed for the unit tests.
[[nodiscard]] bool parse_config_value(std::string_view text, std::string& value,
                                      std::string& error);

}  // namespace approov::authd
