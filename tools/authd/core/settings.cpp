#include "core/settings.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <set>
#include <utility>

#include "approov/version.hpp"
#include "core/dotenv_reload.hpp"
#include "internal/text.hpp"

namespace approov::authd {
namespace {

using Result = Configured<Settings>;
using Apply = std::function<std::string(Settings&, const std::string&, const std::string&)>;

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_blank(s[i])) ++i;
    const std::size_t start = i;
    while (i < s.size() && !is_blank(s[i])) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

// Bare text ends at a `#` that starts the text or follows a blank: `a#b` keeps its `#`.
std::string_view strip_comment(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '#' && (i == 0 || is_blank(s[i - 1]))) return trim(s.substr(0, i));
  }
  return trim(s);
}

std::string bad(const std::string& where, const std::string& what) {
  return where + ": " + what;
}

bool parse_toggle(std::string_view text, bool& out) {
  static constexpr std::string_view kOn[] = {"on", "true", "yes", "1"};
  static constexpr std::string_view kOff[] = {"off", "false", "no", "0"};
  for (auto word : kOn) {
    if (text == word) return out = true;
  }
  for (auto word : kOff) {
    if (text == word) {
      out = false;
      return true;
    }
  }
  return false;
}

// A printable-ASCII check for values that end up in HTTP responses.
bool is_printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// ---- value parsers, one per kind of field ------------------------------------------------

template <class T>
Apply number(T Settings::*field, std::uint64_t min, std::uint64_t max, std::string expected) {
  return [=](Settings& s, const std::string& value, const std::string& where) {
    std::uint64_t n = 0;
    if (!text::parse_uint(value, max, n) || n < min) return bad(where, expected);
    s.*field = static_cast<T>(n);
    return std::string();
  };
}

Apply millis(std::chrono::milliseconds Settings::*field) {
  return [=](Settings& s, const std::string& value, const std::string& where) {
    std::uint64_t n = 0;
    if (!text::parse_uint(value, 3600000, n) || n == 0) return bad(where, "expected 1..3600000 ms");
    s.*field = std::chrono::milliseconds(static_cast<std::int64_t>(n));
    return std::string();
  };
}

Apply toggle(bool Settings::*field) {
  return [=](Settings& s, const std::string& value, const std::string& where) {
    if (!parse_toggle(value, s.*field)) {
      return bad(where, "expected on or off (or true/false, yes/no, 1/0), not \"" + value + "\"");
    }
    return std::string();
  };
}

Apply header_name(std::string Settings::*field) {
  return [=](Settings& s, const std::string& value, const std::string& where) {
    if (!text::is_token(value)) return bad(where, "not an HTTP header name");
    s.*field = value;
    return std::string();
  };
}

Apply header_names(std::vector<std::string> Settings::*field) {
  return [=](Settings& s, const std::string& value, const std::string& where) {
    if (!text::is_token(value)) return bad(where, "not an HTTP header name");
    (s.*field).push_back(value);
    return std::string();
  };
}

template <class T>
std::function<void(Settings&)> clear(std::vector<T> Settings::*field) {
  return [=](Settings& s) { (s.*field).clear(); };
}

// route PREFIX [report-only] (protected | unprotected | binding HEADER...)
std::string apply_route(Settings& s, const std::string& value, const std::string& where) {
  const std::vector<std::string> w = split_words(value);
  if (w.empty()) return where + ": route: expected `route PREFIX MODE`";
  Route r;
  r.source = where;
  if (auto err = normalize_prefix(w[0], where, r.prefix); !err.empty()) return err;
  // Matching ignores ASCII case (see RouteTable::match_readings): two prefixes equal under that
  // folding would leave it to the order of the lines which one a path gets.
  for (const Route& existing : s.routes) {
    if (iequals(existing.prefix, r.prefix)) {
      return where + ": route " + w[0] + ": duplicate prefix: the same as " + existing.prefix +
             " at " + existing.source +
             " (prefixes compare after normalization and without regard to ASCII case)";
    }
  }
  std::size_t i = 1;
  if (i < w.size() && w[i] == "report-only") {
    r.policy.report_only = true;
    ++i;
  }
  // `message-signing`: check the request's signature too; `message-signing-required`: and
  // refuse a token that calls for none. Before the mode, so that it never reads as a header
  // name of a binding route.
  if (i < w.size() && (w[i] == "message-signing" || w[i] == "message-signing-required")) {
    r.policy.signing.enabled = true;
    r.policy.signing.require_signature = w[i] == "message-signing-required";
    ++i;
    if (i == w.size() && !r.policy.report_only) return where + ": route: missing mode";
  }
  if (i == w.size()) {
    if (!r.policy.report_only) return where + ": route: missing mode";
    r.policy.protection = Protection::token;  // `route /x report-only`
  } else if (w[i] == "protected" && i + 1 == w.size()) {
    r.policy.protection = Protection::token;
  } else if (w[i] == "unprotected" && i + 1 == w.size()) {
    if (r.policy.report_only) return where + ": route: report-only needs a checked mode";
    if (r.policy.signing.enabled) return where + ": route: message-signing needs a checked mode";
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
    return where +
           ": route: expected protected, unprotected or binding HEADER... (after report-only "
           "and message-signing[-required], when given)";
  }
  s.routes.push_back(std::move(r));
  return {};
}

// [KID=]PATH: a key id before the first `=` (a path holding `=` is written `=PATH`).
std::string apply_secret_file(Settings& s, const std::string& value, const std::string& where) {
  SecretFile f;
  const auto eq = value.find('=');
  if (eq != std::string::npos) {
    f.key_id = value.substr(0, eq);
    f.path = value.substr(eq + 1);
  } else {
    f.path = value;
  }
  if (f.path.empty()) return bad(where, "empty path");
  if (f.key_id.size() > kMaxKeyIdSize || !is_printable(f.key_id)) {
    return bad(where, "a key id is printable ASCII, at most 128 bytes");
  }
  for (const SecretFile& other : s.secret_files) {
    if (!f.key_id.empty() && other.key_id == f.key_id) {
      return bad(where, "key id \"" + f.key_id + "\" given twice");
    }
  }
  s.secret_files.push_back(std::move(f));
  return {};
}

SettingSpec spec(std::string_view name, SettingKind kind, std::string_view metavar,
                 std::string_view default_text, std::string_view help, Apply apply,
                 std::function<void(Settings&)> clear_list = {}, char separator = ',') {
  return SettingSpec{
      name, kind, metavar, default_text, help, std::move(apply), std::move(clear_list), separator};
}

std::vector<SettingSpec> make_specs() {
  using K = SettingKind;
  using S = Settings;
  std::vector<SettingSpec> t;
  // ---- listeners and limits (not reloaded)
  t.push_back(spec(
      "listen", K::list, "ADDR", "required", "check listener, HOST:PORT or unix:PATH (repeatable)",
      [](S& s, const std::string& v, const std::string& where) {
        if (v.empty()) return bad(where, "empty address");
        s.listen.push_back(v);
        return std::string();
      },
      clear(&S::listen)));
  t.push_back(spec("admin-listen", K::value, "ADDR", "off", "/healthz, /readyz, /metrics listener",
                   [](S& s, const std::string& v, const std::string&) {
                     s.admin_listen = v;
                     return std::string();
                   }));
  t.push_back(spec("threads", K::value, "N", "1", "worker threads, one event loop each",
                   number(&S::threads, 1, 256, "expected 1..256")));
  t.push_back(spec("header-limit", K::value, "BYTES", "65536", "request line + headers",
                   number(&S::header_limit, 1024, 1 << 20, "expected 1024..1048576 bytes")));
  t.push_back(spec("max-connections", K::value, "N", "10000",
                   "open connections; more are closed at once",
                   number(&S::max_connections, 1, 1000000, "expected 1..1000000")));
  t.push_back(spec("idle-timeout-ms", K::value, "MS", "60000",
                   "keep-alive connection idle between requests", millis(&S::idle_timeout)));
  t.push_back(spec("read-timeout-ms", K::value, "MS", "10000",
                   "a started request must be complete within this", millis(&S::read_timeout)));
  t.push_back(spec("drain-timeout-ms", K::value, "MS", "10000",
                   "graceful stop: in-flight requests get this long", millis(&S::drain_timeout)));
  // ---- the token and the secret
  t.push_back(spec("token-header", K::value, "NAME", "Approov-Token", "header holding the token",
                   header_name(&S::token_header)));
  t.push_back(spec("token-prefix", K::value, "TEXT", "none", "required prefix, e.g. \"Bearer \"",
                   [](S& s, const std::string& v, const std::string& where) {
                     if (!is_printable(v)) return bad(where, "control characters");
                     s.token_prefix = v;
                     return std::string();
                   }));
  t.push_back(spec("token-binding-header", K::list, "NAME", "none",
                   "simple mode: bind every route to this header (repeatable)",
                   header_names(&S::binding_headers), clear(&S::binding_headers)));
  t.push_back(spec("allow-missing-pay", K::toggle, "", "off",
                   "accept tokens without pay on binding routes", toggle(&S::allow_missing_pay)));
  t.push_back(spec("leeway", K::value, "SECONDS", "0", "clock leeway, 0..300",
                   number(&S::leeway, 0, static_cast<std::uint64_t>(kMaxLeewaySeconds),
                          "expected 0..300 seconds")));
  t.push_back(spec("audience", K::value, "TEXT", "none", "required aud",
                   [](S& s, const std::string& v, const std::string&) {
                     s.audience = v;
                     return std::string();
                   }));
  t.push_back(spec("issuer", K::value, "TEXT", "none", "required iss",
                   [](S& s, const std::string& v, const std::string&) {
                     s.issuer = v;
                     return std::string();
                   }));
  t.push_back(spec("secret-file", K::list, "[KID=]PATH", "environment",
                   "secret file; repeat for rotation (KID: the kid of its tokens)",
                   apply_secret_file, clear(&S::secret_files)));
  t.push_back(spec("secret-encoding", K::value, "base64|base64url", "either",
                   "the alphabet of the secret files",
                   [](S& s, const std::string& v, const std::string& where) {
                     if (v == "base64") {
                       s.secret_encoding = SecretEncoding::base64;
                     } else if (v == "base64url") {
                       s.secret_encoding = SecretEncoding::base64url;
                     } else {
                       return bad(where, "expected base64 or base64url");
                     }
                     return std::string();
                   }));
  t.push_back(spec("env-file", K::value, "PATH", "search",
                   ".env file with the secret (default: first .env from the cwd up)",
                   [](S& s, const std::string& v, const std::string&) {
                     s.env_file = v;
                     return std::string();
                   }));
  // ---- keysets
  t.push_back(spec("jwks-file", K::value, "PATH", "none",
                   "JWKS of the token keys (read again on SIGHUP)",
                   [](S& s, const std::string& v, const std::string&) {
                     s.jwks_file = v;
                     return std::string();
                   }));
  t.push_back(spec("jwks-url", K::value, "URL", "none",
                   "https URL of a JWKS, refreshed in the background",
                   [](S& s, const std::string& v, const std::string&) {
                     s.jwks_url = v;
                     return std::string();
                   }));
  t.push_back(spec("jwks-ca-file", K::value, "PATH", "system",
                   "CA bundle (PEM) to trust for the JWKS URL",
                   [](S& s, const std::string& v, const std::string&) {
                     s.jwks_ca_file = v;
                     return std::string();
                   }));
  t.push_back(spec("jwks-refresh-seconds", K::value, "SECONDS", "300",
                   "refresh interval of the JWKS URL, 1..86400",
                   number(&S::jwks_refresh_seconds, 1, 86400, "expected 1..86400 seconds")));
  // ---- message signatures
  t.push_back(spec("message-signing", K::value, "off|on|required", "off",
                   "simple mode: check message signatures on every route\n"
                   "(required: refuse tokens that call for none)",
                   [](S& s, const std::string& v, const std::string& where) {
                     if (v == "off") {
                       s.message_signing = SigningMode::off;
                     } else if (v == "on") {
                       s.message_signing = SigningMode::on;
                     } else if (v == "required") {
                       s.message_signing = SigningMode::required;
                     } else {
                       return bad(where, "expected off, on or required");
                     }
                     return std::string();
                   }));
  t.push_back(spec("account-signing-secret-file", K::value, "PATH", "none",
                   "account message-signing secret (base64 or base64url)",
                   [](S& s, const std::string& v, const std::string&) {
                     s.account_signing_secret_file = v;
                     return std::string();
                   }));
  t.push_back(spec("account-signing-key-id", K::value, "ID", "any",
                   "the mskid tokens must name for account signatures",
                   [](S& s, const std::string& v, const std::string& where) {
                     if (v.size() > kMaxKeyIdSize || !is_printable(v)) {
                       return bad(where, "printable ASCII, at most 128 bytes");
                     }
                     s.account_signing_key_id = v;
                     return std::string();
                   }));
  t.push_back(spec("signature-base-url", K::value, "URL", "forwarded",
                   "public scheme://host[:port] signatures are made for\n"
                   "(instead of X-Forwarded-Proto and X-Forwarded-Host)",
                   [](S& s, const std::string& v, const std::string&) {
                     s.signature_base_url = v;  // checked by RequestCheck::create
                     return std::string();
                   }));
  t.push_back(spec(
      "signature-skew", K::value, "SECONDS", "60", "clock skew allowed on created/expires, 0..300",
      number(&S::signature_skew, 0, static_cast<std::uint64_t>(kMaxSignatureSkewSeconds),
             "expected 0..300 seconds")));
  t.push_back(spec("forwarded-body", K::toggle, "", "off",
                   "the gateway sends the client's body with the check\n"
                   "(Envoy with_request_body): Content-Digest is checked",
                   toggle(&S::forwarded_body)));
  t.push_back(spec("replay-store", K::value, "none|memory|URL", "none",
                   "remember signatures so each is accepted once: memory (this\n"
                   "process), redis://[USER:PASS@]HOST[:PORT][/DB] or unix:PATH[?db=N]\n"
                   "(shared by every instance)",
                   [](S& s, const std::string& v, const std::string&) {
                     s.replay_store = v;  // checked by make_replay_store; may hold a password
                     return std::string();
                   }));
  t.push_back(spec("replay-fail", K::value, "open|closed", "closed",
                   "when the replay store cannot answer: refuse (closed) or let through",
                   [](S& s, const std::string& v, const std::string& where) {
                     if (v != "open" && v != "closed") return bad(where, "expected open or closed");
                     s.replay_fail_open = v == "open";
                     return std::string();
                   }));
  // ---- the answer
  t.push_back(spec("failure-status", K::value, "N", "401", "deny status, 4xx",
                   [](S& s, const std::string& v, const std::string& where) {
                     std::uint64_t n = 0;
                     if (!text::parse_uint(v, 499, n) || n < 400) {
                       return bad(where, "expected a 4xx status");
                     }
                     s.failure.status = static_cast<int>(n);
                     return std::string();
                   }));
  t.push_back(spec("failure-body", K::value, "TEXT", "{}", "deny body",
                   [](S& s, const std::string& v, const std::string&) {
                     s.failure.body = v;
                     return std::string();
                   }));
  t.push_back(spec("failure-content-type", K::value, "TYPE", "application/json",
                   "deny Content-Type", [](S& s, const std::string& v, const std::string& where) {
                     if (v.empty() || !is_printable(v)) return bad(where, "expected a media type");
                     s.failure.content_type = v;
                     return std::string();
                   }));
  t.push_back(spec("claim-headers", K::toggle, "", "on", "Approov-Claim-* headers on allow",
                   toggle(&S::claim_headers)));
  t.push_back(spec("cors-preflight", K::toggle, "", "off",
                   "let CORS preflights through (OPTIONS, one Origin, one\n"
                   "Access-Control-Request-Method holding a method)",
                   toggle(&S::cors_preflight)));
  t.push_back(spec("report-only", K::toggle, "", "off",
                   "log failures but allow, on every checked route", toggle(&S::report_only)));
  t.push_back(spec("uri-header", K::list, "NAME", "X-Original-URI, X-Forwarded-Uri",
                   "header with the original URI (repeatable)", header_names(&S::uri_headers),
                   clear(&S::uri_headers)));
  t.push_back(spec("route", K::list, "\"PREFIX MODE\"", "none: every path protected",
                   "a route line, e.g. \"/api protected\" (repeatable;\n"
                   "in APPROOV_AUTHD_ROUTE separated by ;)",
                   apply_route, clear(&S::routes), ';'));
  t.push_back(spec("log-rate", K::value, "N", "20",
                   "log lines per second for denials, and again for\nreport-only failures; 0: none",
                   number(&S::log_rate, 0, 100000, "expected 0..100000 lines per second")));
  return t;
}

const SettingSpec* find_spec(std::string_view name) {
  for (const SettingSpec& s : setting_specs()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// ---- sources -------------------------------------------------------------------------------

struct Given {
  std::string value;
  std::string where;
};
// The values one source gives, by setting.
using Layer = std::map<const SettingSpec*, std::vector<Given>>;

std::string read_config_file(const std::string& path, Layer& layer) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read config file " + path;
  std::string line;
  int number = 0;
  std::map<const SettingSpec*, std::string> first_at;
  while (std::getline(in, line)) {
    ++number;
    const std::string at = path + ":" + std::to_string(number);
    std::string_view text = line;
    if (number == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a BOM
    text = trim(text);
    if (text.empty() || text[0] == '#') continue;
    if (text.size() > 5 && text.substr(0, 5) == "route" && is_blank(text[5])) {
      layer[find_spec("route")].push_back({std::string(strip_comment(text.substr(5))), at});
      continue;
    }
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) return at + ": expected `key = value` or `route ...`";
    const std::string key(trim(text.substr(0, eq)));
    const std::string where = at + ": " + key;
    if (key == "config") return where + ": only as --config or APPROOV_AUTHD_CONFIG";
    const SettingSpec* spec = find_spec(key);
    if (spec == nullptr) return at + ": unknown setting " + key;
    std::string value;
    std::string error;
    if (!parse_config_value(text.substr(eq + 1), value, error)) return bad(where, error);
    if (spec->kind != SettingKind::list) {
      // Once per file: a second line would silently win over the first.
      const auto [first, fresh] = first_at.emplace(spec, at);
      if (!fresh) return bad(where, "set twice (first at " + first->second + ")");
    }
    // Route messages name the route themselves ("FILE:LINE: route ...").
    layer[spec].push_back({std::move(value), spec->name == "route" ? at : where});
  }
  return {};
}

// APPROOV_AUTHD_* variables: a list's values are separated by its separator (blanks around
// each value dropped, empty ones skipped); a variable set to "" gives an empty list, or "" to
// a single-valued setting.
// The variables the library and the example servers read, taken by the sidecar too (below its
// own APPROOV_AUTHD_* name for the same setting), so that one environment configures either.
const char* shared_variable(std::string_view setting) {
  static constexpr std::pair<std::string_view, const char*> kShared[] = {
      {"jwks-file", "APPROOV_JWKS_FILE"},
      {"jwks-url", "APPROOV_JWKS_URL"},
      {"jwks-ca-file", "APPROOV_JWKS_CA_FILE"},
      {"audience", "APPROOV_AUDIENCE"},
      {"issuer", "APPROOV_ISSUER"},
      {"replay-store", "APPROOV_REPLAY_STORE"},
      {"replay-fail", "APPROOV_REPLAY_FAIL"},
      {"signature-base-url", "APPROOV_SIGNATURE_BASE_URL"},
  };
  for (const auto& [name, variable] : kShared) {
    if (name == setting) return variable;
  }
  return nullptr;
}

void read_environment(const std::map<std::string, std::string>& env, Layer& layer) {
  for (const SettingSpec& spec : setting_specs()) {
    std::string name = environment_name(spec.name);
    auto it = env.find(name);
    if (it == env.end()) {
      const char* shared = shared_variable(spec.name);
      if (shared == nullptr || (it = env.find(shared)) == env.end()) continue;
      name = shared;
    }
    auto& values = layer[&spec];
    if (spec.kind != SettingKind::list) {
      values.push_back({it->second, name});
      continue;
    }
    std::string_view rest = it->second;
    while (!rest.empty()) {
      // A newline separates values too (no value holds one): a variable written over lines.
      const auto cut = rest.find_first_of(std::string{spec.separator, '\n'});
      const std::string_view part = trim(rest.substr(0, cut));
      if (!part.empty()) values.push_back({std::string(part), name});
      if (cut == std::string_view::npos) break;
      rest.remove_prefix(cut + 1);
    }
  }
}

// The command line, parsed by CLI11: every setting as `--name VALUE` / `--name=VALUE`, a
// toggle as `--name`, `--no-name` or `--name=off`; plus --config, --check-config, --help,
// --version. Values are collected as text and validated like the file's and the variables'.
std::string read_command_line(const std::vector<std::string>& given, Settings& s, Layer& layer,
                              std::string& config) {
  const auto& specs = setting_specs();
  // Two rewrites before CLI11 sees the arguments:
  //  - `--name=` (an empty value): CLI11 2.1 would take the next argument as the value;
  //    pass an explicit empty argument instead (`--failure-body=` is an empty body).
  //  - `--toggle WORD`: the sidecar takes no positional argument, so a word after a toggle
  //    is its value (`--cors-preflight on`, as earlier versions required) and is validated as
  //    one; `--cors-preflight --threads 2` stays a plain switch.
  std::vector<std::string> args{"approov-authd"};
  for (std::size_t i = 0; i < given.size(); ++i) {
    const std::string& a = given[i];
    if (a.size() > 3 && a.rfind("--", 0) == 0 && a.find('=') == a.size() - 1) {
      args.push_back(a.substr(0, a.size() - 1));
      args.emplace_back();
      continue;
    }
    const bool negated = a.rfind("--no-", 0) == 0;
    const SettingSpec* t = a.rfind("--", 0) == 0 ? find_spec(a.substr(negated ? 5 : 2)) : nullptr;
    if (t != nullptr && t->kind == SettingKind::toggle && i + 1 < given.size() &&
        !given[i + 1].empty() && given[i + 1][0] != '-') {
      args.push_back(a + "=" + given[++i]);
      continue;
    }
    args.push_back(a);
  }

  CLI::App app{"", "approov-authd"};
  app.set_help_flag();  // usage() is the help, from the table
  app.add_flag("-h,--help", s.help);
  app.add_flag("--version", s.version);
  app.add_flag("--check-config", s.check_config);
  app.add_option("--config", config)->expected(1);
  std::vector<std::vector<std::string>> raw(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const std::string name(specs[i].name);
    if (specs[i].kind == SettingKind::toggle) {
      app.add_flag("--" + name + "{true},!--no-" + name, raw[i]);
    } else {
      // One value per occurrence: a vector target would otherwise also take the arguments
      // that follow (`--listen a stray` would listen on "stray").
      app.add_option("--" + name, raw[i])
          ->expected(1)
          ->allow_extra_args(false)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    }
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    if (what.rfind("The following argument", 0) == 0) what += " (see --help)";
    return what;
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const std::string where = "--" + std::string(specs[i].name);
    for (std::string& v : raw[i]) layer[&specs[i]].push_back({std::move(v), where});
  }
  return {};
}

}  // namespace

const std::vector<SettingSpec>& setting_specs() {
  static const std::vector<SettingSpec> specs = make_specs();
  return specs;
}

std::string environment_name(std::string_view name) {
  std::string out = "APPROOV_AUTHD_";
  for (char c : name) {
    out += c == '-' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return out;
}

bool parse_config_value(std::string_view text, std::string& value, std::string& error) {
  value.clear();
  text = trim(text);
  if (text.empty() || (text[0] != '"' && text[0] != '\'')) {
    value = std::string(strip_comment(text));
    return true;
  }
  const char quote = text[0];
  std::size_t i = 1;
  bool closed = false;
  while (i < text.size()) {
    const char c = text[i++];
    if (c == quote) {
      closed = true;
      break;
    }
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      error = "control character in a quoted value";
      return false;
    }
    if (c != '\\' || quote == '\'') {
      value += c;
      continue;
    }
    if (i == text.size()) break;
    const char e = text[i++];
    switch (e) {
      case '"':
      case '\\':
        value += e;
        break;
      case 't':
        value += '\t';
        break;
      case 'n':
        value += '\n';
        break;
      case 'r':
        value += '\r';
        break;
      case 'u': {
        std::uint32_t cp = 0;
        for (int k = 0; k < 4; ++k) {
          const int d = i < text.size() ? text::hex_digit(static_cast<unsigned char>(text[i])) : -1;
          if (d < 0) {
            error = "\\u needs four hex digits";
            return false;
          }
          cp = cp * 16 + static_cast<std::uint32_t>(d);
          ++i;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
          error = "\\u names a surrogate, not a character";
          return false;
        }
        if (cp < 0x80) {
          value += static_cast<char>(cp);
        } else if (cp < 0x800) {
          value += static_cast<char>(0xC0 | (cp >> 6));
          value += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          value += static_cast<char>(0xE0 | (cp >> 12));
          value += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          value += static_cast<char>(0x80 | (cp & 0x3F));
        }
        break;
      }
      default:
        error = std::string("unknown escape \\") + e + " (write \\\\ for a backslash)";
        return false;
    }
  }
  if (!closed) {
    error = std::string("missing the closing ") + quote;
    return false;
  }
  const std::string_view rest = trim(text.substr(i));
  if (!rest.empty() && rest[0] != '#') {
    error = "only a comment may follow a quoted value";
    return false;
  }
  return true;
}

Configured<Settings> load_settings(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& environment) {
  Settings s;
  Layer flags;
  std::string config;
  if (auto err = read_command_line(args, s, flags, config); !err.empty()) {
    return Result::failure(err);
  }
  if (s.help || s.version) return s;
  if (config.empty()) {
    const auto it = environment.find(environment_name("config"));
    if (it != environment.end()) config = it->second;
  }
  s.config_path = config;
  Layer file;
  if (!config.empty()) {
    if (auto err = read_config_file(config, file); !err.empty()) return Result::failure(err);
  }
  Layer env;
  read_environment(environment, env);

  // Each setting from the highest source that gives it: flag > variable > file > default.
  for (const SettingSpec& spec : setting_specs()) {
    const std::vector<Given>* values = nullptr;
    for (const Layer* layer : {&flags, &env, &file}) {
      const auto it = layer->find(&spec);
      if (it != layer->end()) {
        values = &it->second;
        break;
      }
    }
    if (values == nullptr) continue;
    if (spec.clear) spec.clear(s);
    for (const Given& g : *values) {
      if (auto err = spec.apply(s, g.value, g.where); !err.empty()) return Result::failure(err);
    }
  }
  if (s.listen.empty()) {
    return Result::failure(
        "no listener: give --listen HOST:PORT or unix:PATH (or listen = ... in the config file, "
        "or APPROOV_AUTHD_LISTEN)");
  }
  if (!s.routes.empty() && s.message_signing != SigningMode::off) {
    return Result::failure(
        "message-signing applies to simple mode only: with routes, write message-signing on "
        "the route lines (route /api message-signing protected)");
  }
  if (!s.routes.empty() && !s.binding_headers.empty()) {
    return Result::failure(
        "token-binding-header applies to simple mode only: with routes, give the headers on the "
        "binding routes");
  }
  return s;
}

Configured<Settings> load_settings(const std::vector<std::string>& args) {
  return load_settings(args, environment_snapshot());
}

std::string version_text() {
  return std::string("approov-authd ") + APPROOV_VERSION_STRING + "\n";
}

std::string usage() {
  std::string out =
      R"(approov-authd: the Approov token check as an HTTP auth service (nginx auth_request,
Caddy forward_auth, Traefik ForwardAuth, Envoy ext_authz, HAProxy).

usage: approov-authd --listen HOST:PORT|unix:PATH [options]
       approov-authd --config FILE [options] [--check-config]
       approov-authd --help | --version

Answers 200 (empty body) when the request carries a valid Approov token, else the failure
response (default 401 {} application/json). The secret comes from APPROOV_BASE64_SECRET or
APPROOV_BASE64URL_SECRET (environment or .env) or from --secret-file, the keys of other
tokens from a keyset (--jwks-file, --jwks-url). SIGHUP reloads the config file, the .env file,
the secret files and the JWKS file; SIGTERM/SIGINT stop gracefully.

Every setting below is a flag, an environment variable (APPROOV_AUTHD_ and the name in
capitals with _ for -: APPROOV_AUTHD_CORS_PREFLIGHT=on; a list separated by commas) and a
config-file line (name = value). Precedence: flag, then variable, then file, then default.
A switch is on when given alone (--cors-preflight), off with no- before its name
(--no-cors-preflight) or with =off.

  --config FILE                 config file (flag or APPROOV_AUTHD_CONFIG only)
)";
  auto row = [&out](const std::string& left, std::string_view help, std::string_view def) {
    std::string text(help);
    if (!def.empty()) {
      // The default on the help's last line, or on a line of its own when it would not fit.
      const std::size_t last = text.size() - (text.rfind('\n') + 1);
      text += (32 + last + def.size() + 3 > 100 ? "\n(" : " (") + std::string(def) + ")";
    }
    out += "  " + left;
    if (left.size() < 30) {
      out += std::string(30 - left.size(), ' ');
    } else {
      out += "\n" + std::string(32, ' ');
    }
    for (char c : text) {
      out += c;
      if (c == '\n') out += std::string(32, ' ');
    }
    out += "\n";
  };
  for (const SettingSpec& spec : setting_specs()) {
    const std::string flag = "--" + std::string(spec.name);
    if (spec.kind == SettingKind::toggle) {
      row(flag + ", --no-" + std::string(spec.name), spec.help, spec.default_text);
    } else {
      row(flag + " " + std::string(spec.metavar), spec.help, spec.default_text);
    }
  }
  row("--check-config", "validate everything start-up does but binding; exit 0 or 2", "");
  row("--version", "print the version", "");
  row("-h, --help", "this text", "");
  out += R"(
Config file: `name = value` lines and # comments (after a value: a # after a blank); values
bare or quoted ("..." with \" \\ \t \n \r \uXXXX escapes, or '...' as written); and route
lines (longest prefix on whole segments wins; a path no route matches is denied):
  route /health unprotected
  route /api protected
  route /api/pay binding Authorization X-Device-Id
  route /beta report-only [binding HEADER...]
  route /v1/orders message-signing protected   (message-signing-required: no unsigned)
)";
  return out;
}

}  // namespace approov::authd
