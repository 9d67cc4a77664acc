#include "core/settings.hpp"

#include <algorithm>
#include <fstream>
#include <utility>

#include "internal/text.hpp"

namespace approov::authd {
namespace {

using Result = Configured<Settings>;

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

bool parse_bool(std::string_view text, bool& out) {
  if (text == "on" || text == "true" || text == "yes" || text == "1") {
    out = true;
    return true;
  }
  if (text == "off" || text == "false" || text == "no" || text == "0") {
    out = false;
    return true;
  }
  return false;
}

// A printable-ASCII check for values that end up in HTTP responses.
bool is_printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// Applies one `key = value` setting (from a file line or a --key flag). `where` names the
// source for messages; values are quoted in messages only for non-secret keys (no key here
// holds a secret: secrets come from the environment or a secret file).
std::string apply(Settings& s, const std::string& key, const std::string& value,
                  const std::string& where) {
  auto bad = [&](const std::string& what) { return where + ": " + key + ": " + what; };
  std::uint64_t n = 0;
  if (key == "listen") {
    if (value.empty()) return bad("empty address");
    s.listen.push_back(value);
  } else if (key == "admin-listen") {
    s.admin_listen = value;
  } else if (key == "threads") {
    if (!text::parse_uint(value, 256, n) || n == 0) return bad("expected 1..256");
    s.threads = n;
  } else if (key == "header-limit") {
    if (!text::parse_uint(value, 1 << 20, n) || n < 1024)
      return bad("expected 1024..1048576 bytes");
    s.header_limit = static_cast<std::uint32_t>(n);
  } else if (key == "max-connections") {
    if (!text::parse_uint(value, 1000000, n) || n == 0) return bad("expected 1..1000000");
    s.max_connections = n;
  } else if (key == "idle-timeout-ms" || key == "read-timeout-ms" || key == "drain-timeout-ms") {
    if (!text::parse_uint(value, 3600000, n) || n == 0) return bad("expected 1..3600000 ms");
    auto& field = key == "idle-timeout-ms"   ? s.idle_timeout
                  : key == "read-timeout-ms" ? s.read_timeout
                                             : s.drain_timeout;
    field = std::chrono::milliseconds(static_cast<std::int64_t>(n));
  } else if (key == "token-header") {
    if (!text::is_token(value)) return bad("not an HTTP header name");
    s.token_header = value;
  } else if (key == "token-prefix") {
    if (!is_printable(value)) return bad("control characters");
    s.token_prefix = value;
  } else if (key == "token-binding-header") {
    if (!text::is_token(value)) return bad("not an HTTP header name");
    s.binding_headers.push_back(value);
  } else if (key == "allow-missing-pay" || key == "claim-headers" || key == "cors-preflight" ||
             key == "report-only") {
    bool b = false;
    if (!parse_bool(value, b)) return bad("expected on or off");
    (key == "allow-missing-pay" ? s.allow_missing_pay
     : key == "claim-headers"   ? s.claim_headers
     : key == "cors-preflight"  ? s.cors_preflight
                                : s.report_only) = b;
  } else if (key == "leeway") {
    if (!text::parse_uint(value, static_cast<std::uint64_t>(kMaxLeewaySeconds), n)) {
      return bad("expected 0..300 seconds");
    }
    s.leeway = static_cast<std::int64_t>(n);
  } else if (key == "audience") {
    s.audience = value;
  } else if (key == "issuer") {
    s.issuer = value;
  } else if (key == "secret-file") {
    if (value.empty()) return bad("empty path");
    s.secret_file = value;
  } else if (key == "secret-encoding") {
    if (value == "base64") {
      s.secret_encoding = SecretEncoding::base64;
    } else if (value == "base64url") {
      s.secret_encoding = SecretEncoding::base64url;
    } else {
      return bad("expected base64 or base64url");
    }
  } else if (key == "env-file") {
    s.env_file = value;
  } else if (key == "failure-status") {
    if (!text::parse_uint(value, 499, n) || n < 400) return bad("expected a 4xx status");
    s.failure.status = static_cast<int>(n);
  } else if (key == "failure-body") {
    s.failure.body = value;
  } else if (key == "failure-content-type") {
    if (value.empty() || !is_printable(value)) return bad("expected a media type");
    s.failure.content_type = value;
  } else if (key == "uri-header") {
    // Replaces the default list on first use, then appends.
    if (!text::is_token(value)) return bad("not an HTTP header name");
    if (!s.uri_headers_set) {
      s.uri_headers.clear();
      s.uri_headers_set = true;
    }
    s.uri_headers.push_back(value);
  } else if (key == "log-rate") {
    if (!text::parse_uint(value, 100000, n)) return bad("expected 0..100000 lines per second");
    s.log_rate = static_cast<double>(n);
  } else {
    return where + ": unknown setting " + key;
  }
  return {};
}

// route PREFIX [report-only] (protected | unprotected | binding HEADER...)
std::string parse_route(Settings& s, const std::vector<std::string>& w, const std::string& where) {
  if (w.size() < 2) return where + ": route: expected `route PREFIX MODE`";
  Route r;
  r.source = where;
  if (auto err = normalize_prefix(w[1], where, r.prefix); !err.empty()) return err;
  // Matching ignores ASCII case (see RouteTable::match_readings): two prefixes equal under that
  // folding would leave it to the order of the lines which one a path gets.
  for (const Route& existing : s.routes) {
    if (iequals(existing.prefix, r.prefix)) {
      return where + ": route " + w[1] + ": duplicate prefix: the same as " + existing.prefix +
             " at " + existing.source +
             " (prefixes compare after normalization and without regard to ASCII case)";
    }
  }
  std::size_t i = 2;
  if (i < w.size() && w[i] == "report-only") {
    r.policy.report_only = true;
    ++i;
  }
  if (i == w.size()) {
    if (!r.policy.report_only) return where + ": route: missing mode";
    r.policy.protection = Protection::token;  // `route /x report-only`
  } else if (w[i] == "protected" && i + 1 == w.size()) {
    r.policy.protection = Protection::token;
  } else if (w[i] == "unprotected" && i + 1 == w.size()) {
    if (r.policy.report_only) return where + ": route: report-only needs a checked mode";
    r.policy.protection = Protection::none;
  } else if (w[i] == "binding") {
    if (i + 1 == w.size()) return where + ": route: binding needs at least one header name";
    r.policy.protection = Protection::token_binding;
    r.policy.binding.headers.clear();
    for (std::size_t j = i + 1; j < w.size(); ++j) {
      if (!text::is_token(w[j])) return where + ": route: bad header name " + w[j];
      r.policy.binding.headers.push_back(w[j]);
    }
  } else {
    return where + ": route: expected protected, unprotected, binding HEADER..., or report-only";
  }
  s.routes.push_back(std::move(r));
  return {};
}

std::string read_file(Settings& s, const std::string& path) {
  std::ifstream in(path);
  if (!in) return "cannot read config file " + path;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string where = path + ":" + std::to_string(number);
    const std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    if (text.rfind("route", 0) == 0 && text.size() > 5 && (text[5] == ' ' || text[5] == '\t')) {
      auto err = parse_route(s, split_words(text), where);
      if (!err.empty()) return err;
      continue;
    }
    const auto eq = text.find('=');
    if (eq == std::string::npos) return where + ": expected `key = value` or `route ...`";
    const std::string key = trim(std::string_view(text).substr(0, eq));
    const std::string value = trim(std::string_view(text).substr(eq + 1));
    auto err = apply(s, key, value, where);
    if (!err.empty()) return err;
  }
  return {};
}

}  // namespace

Configured<Settings> load_settings(const std::vector<std::string>& args) {
  Settings s;
  // Split flags into (key, value) first so that the config file is read before the flags that
  // override it, wherever --config appears.
  std::vector<std::pair<std::string, std::string>> flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      s.help = true;
      continue;
    }
    if (a == "--check-config") {
      s.check_config = true;
      continue;
    }
    if (a.rfind("--", 0) != 0 || a.size() == 2) return Result::failure("unexpected argument " + a);
    std::string key = a.substr(2);
    std::string value;
    const auto eq = key.find('=');
    if (eq != std::string::npos) {
      value = key.substr(eq + 1);
      key.resize(eq);
    } else {
      if (i + 1 == args.size()) return Result::failure("--" + key + ": missing value");
      value = args[++i];
    }
    flags.emplace_back(key, value);
  }
  for (const auto& [key, value] : flags) {
    if (key == "config") s.config_path = value;
  }
  if (!s.config_path.empty()) {
    auto err = read_file(s, s.config_path);
    if (!err.empty()) return Result::failure(err);
  }
  // Flags given on the command line replace the file's list settings rather than extend them.
  bool listen_from_flags = false;
  for (const auto& [key, value] : flags) {
    if (key == "config") continue;
    if (key == "listen" && !listen_from_flags) {
      s.listen.clear();
      listen_from_flags = true;
    }
    auto err = apply(s, key, value, "--" + key);
    if (!err.empty()) return Result::failure(err.substr(0, 2) == "--" ? err : "--" + err);
  }
  if (s.help) return s;
  if (s.listen.empty()) return Result::failure("no listener: give --listen HOST:PORT or unix:PATH");
  if (!s.routes.empty() && !s.binding_headers.empty()) {
    return Result::failure(
        "--token-binding-header applies to simple mode only: with route lines, give the headers "
        "on the binding routes");
  }
  return s;
}

std::string usage() {
  return R"(approov-authd: the Approov token check as an HTTP auth service (nginx auth_request,
Caddy forward_auth, Traefik ForwardAuth, Envoy ext_authz, HAProxy).

usage: approov-authd --listen HOST:PORT|unix:PATH [options]
       approov-authd --config FILE [options] [--check-config]

Answers 200 (empty body) when the request carries a valid Approov token, else the failure
response (default 401 {} application/json). The secret comes from APPROOV_BASE64_SECRET or
APPROOV_BASE64URL_SECRET (environment or .env) or --secret-file. SIGHUP reloads the config
file, the .env file and the secret; SIGTERM/SIGINT stop gracefully.

options (each also a `key = value` line in the config file, without the dashes):
  --config FILE               config file (key = value lines and route lines)
  --listen ADDR               HOST:PORT or unix:PATH (repeatable)
  --admin-listen ADDR         /healthz, /readyz, /metrics listener (off if not given)
  --threads N                 worker threads (1)
  --token-header NAME         header holding the token (Approov-Token)
  --token-prefix TEXT         required prefix, e.g. "Bearer " (none)
  --token-binding-header NAME simple mode: bind every route to this header (repeatable)
  --allow-missing-pay on|off  accept tokens without pay on binding routes (off)
  --leeway SECONDS            clock leeway, 0..300 (0)
  --audience TEXT, --issuer TEXT
  --secret-file PATH          read the secret from a file instead of the environment
  --secret-encoding base64|base64url   encoding of --secret-file (default: either)
  --env-file PATH             .env file to read (default: first .env from the cwd upwards)
  --failure-status N, --failure-body TEXT, --failure-content-type TYPE   (401, {}, application/json)
  --claim-headers on|off      Approov-Claim-* headers on allow (on)
  --cors-preflight on|off     let CORS preflights through: OPTIONS with one Origin and one
                              Access-Control-Request-Method method token (off)
  --report-only on|off        log failures but allow, on every checked route (off)
  --uri-header NAME           header with the original URI (X-Original-URI, X-Forwarded-Uri)
  --header-limit BYTES, --max-connections N
  --idle-timeout-ms MS, --read-timeout-ms MS, --drain-timeout-ms MS
  --log-rate N                log lines per second for denials, and again for report-only
                              failures, 0 = none (20)
  --check-config              validate everything, print a summary, exit 0 or 2

config-file route lines (longest prefix on whole segments wins; a path no route matches is
denied; prefixes are ASCII, normalized like paths, compared without regard to case; a path
must pass the route of each way a framework may read it: case, suffix, case folding):
  route /health unprotected
  route /api protected
  route /api/pay binding Authorization X-Device-Id
  route /beta report-only [binding HEADER...]
)";
}

}  // namespace approov::authd
