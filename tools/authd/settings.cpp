#include "settings.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include <unistd.h>  // environ

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

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_header_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

bool parse_uint(std::string_view text, std::uint64_t max, std::uint64_t& out) {
  if (text.empty() || text.size() > 19) return false;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return false;
  out = v;
  return true;
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
    if (!parse_uint(value, 256, n) || n == 0) return bad("expected 1..256");
    s.threads = n;
  } else if (key == "header-limit") {
    if (!parse_uint(value, 1 << 20, n) || n < 1024) return bad("expected 1024..1048576 bytes");
    s.header_limit = static_cast<std::uint32_t>(n);
  } else if (key == "max-connections") {
    if (!parse_uint(value, 1000000, n) || n == 0) return bad("expected 1..1000000");
    s.max_connections = n;
  } else if (key == "idle-timeout-ms" || key == "read-timeout-ms" || key == "drain-timeout-ms") {
    if (!parse_uint(value, 3600000, n) || n == 0) return bad("expected 1..3600000 ms");
    auto& field = key == "idle-timeout-ms"   ? s.idle_timeout
                  : key == "read-timeout-ms" ? s.read_timeout
                                             : s.drain_timeout;
    field = std::chrono::milliseconds(static_cast<std::int64_t>(n));
  } else if (key == "token-header") {
    if (!is_header_name(value)) return bad("not an HTTP header name");
    s.token_header = value;
  } else if (key == "token-prefix") {
    if (!is_printable(value)) return bad("control characters");
    s.token_prefix = value;
  } else if (key == "token-binding-header") {
    if (!is_header_name(value)) return bad("not an HTTP header name");
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
    if (!parse_uint(value, static_cast<std::uint64_t>(kMaxLeewaySeconds), n)) {
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
    if (!parse_uint(value, 499, n) || n < 400) return bad("expected a 4xx status");
    s.failure.status = static_cast<int>(n);
  } else if (key == "failure-body") {
    s.failure.body = value;
  } else if (key == "failure-content-type") {
    if (value.empty() || !is_printable(value)) return bad("expected a media type");
    s.failure.content_type = value;
  } else if (key == "uri-header") {
    // Replaces the default list on first use, then appends.
    if (!is_header_name(value)) return bad("not an HTTP header name");
    if (!s.uri_headers_set) {
      s.uri_headers.clear();
      s.uri_headers_set = true;
    }
    s.uri_headers.push_back(value);
  } else if (key == "log-rate") {
    if (!parse_uint(value, 100000, n)) return bad("expected 0..100000 lines per second");
    s.log_rate = static_cast<double>(n);
  } else {
    return where + ": unknown setting " + key;
  }
  return {};
}

// Hex digit value, or -1.
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// normalize_path (see settings.hpp), saying why a target is refused: nullptr if it is not.
// Also normalizes route prefixes, so both sides of a match are read alike.
const char* normalize(std::string_view target, std::string& out) {
  out.clear();
  const auto end = target.find_first_of("?#");
  if (end != std::string_view::npos) target = target.substr(0, end);
  if (target.empty() || target[0] != '/') return "not a path starting with /";
  for (std::size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (c == '%') {
      if (i + 2 >= target.size()) return "a bad percent-escape";
      const int hi = hex_value(target[i + 1]);
      const int lo = hex_value(target[i + 2]);
      if (hi < 0 || lo < 0) return "a bad percent-escape";
      c = static_cast<char>(hi * 16 + lo);
      // An encoded separator is read differently by different servers: refuse to guess.
      if (c == '/' || c == '\\') return "an encoded / or \\ (%2F, %5C)";
      i += 2;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "a control byte";
    if (c == '\\') return "a backslash";
    // Path parameters: Tomcat, Jetty and Spring serve /api;x/secret as /api/secret, which
    // would otherwise fall to the route of `/`. Encoded (%3B) too: some servers decode
    // before they split parameters off.
    if (c == ';') return "a ; (path parameters)";
    if (c == '/' && !out.empty() && out.back() == '/') continue;  // merge slashes
    out.push_back(c);
  }
  // Per segment: dot segments (the proxy and the upstream may resolve them differently), and
  // a trailing dot or space (Windows servers drop them, serving /api. and /api%20 as /api).
  std::size_t seg = 1;
  while (seg <= out.size()) {
    std::size_t next = out.find('/', seg);
    if (next == std::string::npos) next = out.size();
    const std::string_view s(out.data() + seg, next - seg);
    if (s == "." || s == "..") return "a . or .. dot segment";
    if (!s.empty() && (s.back() == '.' || s.back() == ' ')) {
      return "a segment ending in a dot or a space";
    }
    seg = next + 1;
  }
  // An escape encoded twice (%2561 decodes to %61): a server that decodes again reads `a`.
  for (std::size_t i = out.find('%'); i != std::string::npos; i = out.find('%', i + 1)) {
    if (i + 2 < out.size() && hex_value(out[i + 1]) >= 0 && hex_value(out[i + 2]) >= 0) {
      return "a percent-escape encoded twice (%25 before two hex digits)";
    }
  }
  return nullptr;
}

// A route prefix as matched: normalized like a request path, without a trailing slash, ASCII.
// Anything that would make the route match nothing (or other than what the line says) is an
// error naming the line, never a route that silently fails open.
std::string route_prefix(const std::string& written, const std::string& where, std::string& out) {
  auto bad = [&](const std::string& what) { return where + ": route " + written + ": " + what; };
  if (written.empty() || written[0] != '/') return bad("the prefix must start with /");
  for (char c : written) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return bad("the prefix holds a control byte");
    if (c == '?') return bad("a query (?) is not part of a path: give the path alone");
    if (c == '#') return bad("a fragment (#) never reaches the server: give the path alone");
    if (c == '*') {
      return bad("prefixes are literal (no wildcard): `/api` already covers `/api/...`");
    }
  }
  if (const char* why = normalize(written, out)) {
    return bad(std::string("the prefix has ") + why +
               ", which every request path is denied for, so the route could never match");
  }
  for (char c : out) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return bad(
          "the prefix must be ASCII (after percent-decoding): routers disagree on the case "
          "and Unicode forms of non-ASCII paths, so such a route cannot be matched fail-closed; "
          "route its ASCII parent instead");
    }
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();  // `/admin/` also covers `/admin`
  return {};
}

// route PREFIX [report-only] (protected | unprotected | binding HEADER...)
std::string parse_route(Settings& s, const std::vector<std::string>& w, const std::string& where) {
  if (w.size() < 2) return where + ": route: expected `route PREFIX MODE`";
  Route r;
  r.source = where;
  if (auto err = route_prefix(w[1], where, r.prefix); !err.empty()) return err;
  // Matching ignores ASCII case (see Policy::match_readings): two prefixes equal under that
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
      if (!is_header_name(w[j])) return where + ": route: bad header name " + w[j];
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

namespace {

// Whether `prefix` (normalized, no trailing slash unless it is `/`) covers `path` on whole
// segments, ASCII case-insensitively if `any_case`, and with `suffix` also as `prefix.rest`
// where rest has no `/` but maybe a final one (`/api.json`, `/api.x/` for `/api`).
bool covers(std::string_view prefix, std::string_view path, bool any_case, bool suffix) noexcept {
  if (path.size() < prefix.size()) return false;
  const std::string_view head = path.substr(0, prefix.size());
  if (any_case ? !iequals(head, prefix) : head != prefix) return false;
  if (path.size() == prefix.size() || prefix.size() == 1 || path[prefix.size()] == '/') {
    return true;
  }
  if (!suffix || path[prefix.size()] != '.') return false;
  const std::size_t slash = path.find('/', prefix.size());
  return slash == std::string_view::npos || slash + 1 == path.size();
}

// Routes are sorted longest prefix first, so the first that covers is the longest; two
// prefixes never cover the same path at one length (equal under case folding are refused).
const Route* longest(const std::vector<Route>& routes, std::string_view path, bool any_case,
                     bool suffix) noexcept {
  for (const Route& r : routes) {
    if (covers(r.prefix, path, any_case, suffix)) return &r;
  }
  return nullptr;
}

// Characters whose case mapping or full case folding is ASCII letters, as UTF-8, with the
// lower-case ASCII they stand for: dotted capital I and dotless i (Java's equalsIgnoreCase
// takes both for i), long s, sharp s and capital sharp s (ss under full folding and
// toUpperCase), the Kelvin sign, and the Latin ligatures U+FB00..U+FB06.
struct Fold {
  std::string_view utf8;
  std::string_view ascii;
};
constexpr std::array<Fold, 13> kFolds{{{"\xC4\xB0", "i"},
                                       {"\xC4\xB1", "i"},
                                       {"\xC5\xBF", "s"},
                                       {"\xC3\x9F", "ss"},
                                       {"\xE1\xBA\x9E", "ss"},
                                       {"\xE2\x84\xAA", "k"},
                                       {"\xEF\xAC\x80", "ff"},
                                       {"\xEF\xAC\x81", "fi"},
                                       {"\xEF\xAC\x82", "fl"},
                                       {"\xEF\xAC\x83", "ffi"},
                                       {"\xEF\xAC\x84", "ffl"},
                                       {"\xEF\xAC\x85", "st"},
                                       {"\xEF\xAC\x86", "st"}}};

// Writes `path` with every kFolds character replaced into `out`; false (and `out`
// unspecified) if the path has none. Paths without a byte of 0x80 or above return at once.
bool fold_to_ascii(std::string_view path, std::string& out) {
  if (std::all_of(path.begin(), path.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return false;
  }
  out.clear();
  bool folded = false;
  for (std::size_t i = 0; i < path.size();) {
    const Fold* hit = nullptr;
    if (static_cast<unsigned char>(path[i]) >= 0x80) {
      for (const Fold& f : kFolds) {
        if (path.compare(i, f.utf8.size(), f.utf8) == 0) {
          hit = &f;
          break;
        }
      }
    }
    if (hit == nullptr) {
      out.push_back(path[i++]);
      continue;
    }
    out.append(hit->ascii);
    i += hit->utf8.size();
    folded = true;
  }
  return folded;
}

}  // namespace

const Route* Policy::match(std::string_view path) const noexcept {
  return longest(routes, path, false, false);
}

Policy::Matches Policy::match_readings(std::string_view path, std::string& scratch) const {
  Matches m;
  auto add = [&m](const Route* r) {
    if (r == nullptr) return;
    for (std::size_t i = 0; i < m.count; ++i) {
      if (m.routes[i] == r) return;
    }
    m.routes[m.count++] = r;
  };
  m.routes[0] = match(path);
  if (m.routes[0] == nullptr) return m;  // no route as written: denied whatever else
  m.count = 1;
  if (routes.size() == 1) return m;  // `/` alone (simple mode): every reading gives it
  // The suffix readings differ from the others only for a path with a dot.
  const bool dotted = path.find('.') != std::string_view::npos;
  add(longest(routes, path, true, false));
  if (dotted) {
    add(longest(routes, path, false, true));
    add(longest(routes, path, true, true));
  }
  if (fold_to_ascii(path, scratch)) {
    add(longest(routes, scratch, true, false));
    add(longest(routes, scratch, true, true));
  }
  return m;
}

bool normalize_path(std::string_view target, std::string& out) {
  return normalize(target, out) == nullptr;
}

namespace {

using Environment = std::map<std::string, std::string>;

Environment environment_snapshot() {
  Environment out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return out;
}

// Variables a .env load has changed, with the value each had before the first load touched it
// (nullopt: unset). Start-up and reload run on one thread, one at a time.
std::map<std::string, std::optional<std::string>>& dotenv_originals() {
  static std::map<std::string, std::optional<std::string>> originals;
  return originals;
}

// Reads the .env file as if for the first time: a variable removed from it (or renamed, say
// APPROOV_BASE64_SECRET to APPROOV_BASE64URL_SECRET) must stop being in force, not linger from
// the previous load. So every variable an earlier load set goes back to its value from before
// any load (or is unset) first, and what this load changes is recorded.
Configured<int> reload_dotenv(const std::string& env_file) {
  auto& originals = dotenv_originals();
  for (const auto& [key, value] : originals) {
    if (value) {
      ::setenv(key.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(key.c_str());
    }
  }
  const Environment before = environment_snapshot();
  auto loaded = env_file.empty() ? load_dotenv_if_present() : load_dotenv(env_file);
  for (const auto& [key, value] : environment_snapshot()) {
    const auto old = before.find(key);
    if (old != before.end() && old->second == value) continue;
    if (originals.count(key) == 0) {
      originals.emplace(
          key, old == before.end() ? std::nullopt : std::optional<std::string>(old->second));
    }
  }
  return loaded;
}

}  // namespace

Configured<std::shared_ptr<const Policy>> build_policy(const Settings& s,
                                                       std::uint64_t generation) {
  using R = Configured<std::shared_ptr<const Policy>>;
  // The .env file is read on every (re)load so that a rotated secret there takes effect.
  auto loaded = reload_dotenv(s.env_file);
  if (!loaded) return R::failure(loaded.error());
  std::optional<Configured<Secret>> secret;
  if (!s.secret_file.empty()) {
    std::ifstream in(s.secret_file, std::ios::binary);
    if (!in) return R::failure("cannot read secret file " + s.secret_file);
    std::ostringstream text;
    text << in.rdbuf();
    std::string contents = text.str();
    secret.emplace(decode_secret(contents, s.secret_encoding, "secret file " + s.secret_file));
    std::fill(contents.begin(), contents.end(), '\0');
  } else {
    secret.emplace(secret_from_environment());
  }
  if (!secret->ok()) return R::failure(secret->error());

  VerifierConfig vc;
  vc.secrets.push_back(std::move(secret->value()));
  vc.leeway_seconds = s.leeway;
  vc.audience = s.audience;
  vc.issuer = s.issuer;
  auto verifier = TokenVerifier::create(std::move(vc));
  if (!verifier) return R::failure(verifier.error());
  TokenSource source;
  source.header = s.token_header;
  source.prefix = s.token_prefix;
  auto check = RequestCheck::create(std::move(verifier.value()), source);
  if (!check) return R::failure(check.error());

  auto p = std::make_shared<Policy>(Policy{std::move(check.value()),
                                           {},
                                           s.failure,
                                           s.claim_headers,
                                           s.cors_preflight,
                                           s.uri_headers,
                                           generation,
                                           s.log_rate});
  if (s.routes.empty()) {
    Route all;
    all.prefix = "/";
    if (!s.binding_headers.empty()) {
      all.policy.protection = Protection::token_binding;
      all.policy.binding.headers = s.binding_headers;
    }
    p->routes.push_back(std::move(all));
  } else {
    p->routes = s.routes;
  }
  for (Route& r : p->routes) {
    r.policy.binding.allow_missing_pay = s.allow_missing_pay;
    if (s.report_only && r.policy.protection != Protection::none) r.policy.report_only = true;
  }
  std::stable_sort(p->routes.begin(), p->routes.end(), [](const Route& a, const Route& b) {
    return a.prefix.size() > b.prefix.size();
  });
  return std::shared_ptr<const Policy>(std::move(p));
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
  --secret-encoding base64|base64url   encoding of --secret-file (base64)
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
