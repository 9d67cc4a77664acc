#include "core/startup.hpp"

#include <cstdlib>
#include <utility>
#include <vector>

#include "approov/server/http_server.hpp"

namespace approov::authd {

namespace {

// Whether two canonical addresses (server::check_listen_address) would take the same socket:
// the same text, or TCP on the same port where one is the wildcard address of the family.
bool collide(const std::string& a, const std::string& b) {
  if (a == b) return true;
  if (a.rfind("tcp:", 0) != 0 || b.rfind("tcp:", 0) != 0) return false;
  const auto port = [](const std::string& c) { return c.substr(c.rfind(':')); };
  const auto host = [](const std::string& c) { return c.substr(4, c.rfind(':') - 4); };
  const auto wildcard = [](const std::string& h) { return h == "0.0.0.0" || h == "::"; };
  return port(a) == port(b) && (wildcard(host(a)) || wildcard(host(b)));
}

}  // namespace

std::string check_listeners(const Settings& s) {
  std::vector<std::pair<std::string, std::string>> seen;  // canonical address, its setting
  auto check = [&seen](const std::string& setting, const std::string& spec) -> std::string {
    std::string canonical;
    if (auto err = server::check_listen_address(spec, &canonical); !err.empty()) {
      return setting + ": " + err;
    }
    if (canonical.empty()) return {};  // port 0: a fresh port each time
    for (const auto& [other, given] : seen) {
      if (!collide(canonical, other)) continue;
      if (setting == "admin-listen") {
        return "admin-listen " + spec + " is the address of " + given +
               ": the admin listener needs an address of its own";
      }
      return setting + " " + spec + ": the same address is given twice (as " + given + ")";
    }
    seen.emplace_back(canonical, setting + " " + spec);
    return {};
  };
  for (const std::string& l : s.listen) {
    if (auto err = check("listen", l); !err.empty()) return err;
  }
  if (!s.admin_listen.empty()) return check("admin-listen", s.admin_listen);
  return {};
}

Configured<std::shared_ptr<const Policy>> prepare(const Settings& s, DotenvReload& dotenv) {
  if (auto err = check_listeners(s); !err.empty()) {
    return Configured<std::shared_ptr<const Policy>>::failure(err);
  }
  return build_policy(s, 1, dotenv);
}

std::string describe(const Settings& s, const Policy& p) {
  std::string out = "configuration OK\n";
  if (!s.config_path.empty()) out += "  config " + s.config_path + "\n";
  for (const auto& l : s.listen) out += "  listen " + l + "\n";
  if (!s.admin_listen.empty()) out += "  admin-listen " + s.admin_listen + "\n";
  out += "  threads " + std::to_string(s.threads) + "\n";
  out += "  token header " + p.check.source().header +
         (p.check.source().prefix.empty() ? "" : " (prefix \"" + p.check.source().prefix + "\")") +
         "\n";
  const bool keyset = !s.jwks_file.empty() || !s.jwks_url.empty();
  if (!s.jwks_file.empty()) out += "  keyset from file " + s.jwks_file + "\n";
  if (!s.jwks_url.empty()) out += "  keyset from " + s.jwks_url + "\n";
  if (s.secret_files.empty() && keyset && std::getenv("APPROOV_BASE64_SECRET") == nullptr &&
      std::getenv("APPROOV_BASE64URL_SECRET") == nullptr) {
    out += "  no shared secret (keyset only)\n";
  } else if (s.secret_files.empty()) {
    out += "  secret from the environment\n";
  } else {
    out += s.secret_files.size() == 1 ? "  secret from file " : "  secrets from files ";
    for (std::size_t i = 0; i < s.secret_files.size(); ++i) {
      const SecretFile& f = s.secret_files[i];
      out += (i ? ", " : "") + (f.key_id.empty() ? "" : f.key_id + "=") + f.path;
    }
    out += "\n";
  }
  out += "  failure " + std::to_string(p.failure.status) + " " + p.failure.content_type + "\n";
  if (p.replay_store) {
    out += "  replay store " + p.replay_store->description() +
           (p.replay_fail_open ? " (fail-open)" : " (fail-closed)") + "\n";
  }
  out += std::string("  claim headers ") + (p.claim_headers ? "on" : "off") + "\n";
  out += std::string("  cors preflight ") + (p.cors_preflight ? "on" : "off") + "\n";
  for (const Route& r : p.routes.routes()) {
    out += "  route " + r.prefix + " ";
    if (r.policy.report_only) out += "report-only ";
    if (r.policy.signing.enabled) {
      out += r.policy.signing.require_signature ? "message-signing-required " : "message-signing ";
    }
    switch (r.policy.protection) {
      case Protection::none:
        out += "unprotected";
        break;
      case Protection::token:
        out += "protected";
        break;
      case Protection::token_binding:
        out += "binding";
        for (const auto& h : r.policy.binding.headers) out += " " + h;
        break;
    }
    out += "\n";
  }
  return out;
}

std::string failure_status_warning(const Policy& p) {
  if (p.failure.status == 401 || p.failure.status == 403) return {};
  return "failure-status " + std::to_string(p.failure.status) +
         " is not 401 or 403: behind nginx auth_request every deny becomes a 500 for the "
         "client (nginx accepts only 2xx, 401 and 403 from an auth service); Caddy, Traefik, "
         "Envoy and HAProxy pass it on (docs/gateways/nginx.md)";
}

std::string account_signing_warning(const Policy& p) {
  if (p.check.signing().account_secret) return {};
  std::size_t optional = 0;
  std::size_t required = 0;
  for (const Route& r : p.routes.routes()) {
    if (r.policy.protection == Protection::none || !r.policy.signing.enabled) continue;
    ++(r.policy.signing.require_signature ? required : optional);
  }
  if (optional + required == 0) return {};
  std::string out =
      "message signing is on for " + std::to_string(optional + required) +
      " route(s) but no account-signing-secret-file is set: tokens with mskid and no ipk "
      "(account-signed apps) cannot have their signatures checked";
  if (optional != 0) {
    out += "; on " + std::to_string(optional) + " message-signing route(s) they pass unsigned";
  }
  if (required != 0) {
    out += "; on " + std::to_string(required) +
           " message-signing-required route(s) they are refused (missing_signature)";
  }
  return out;
}

std::string bound_address(const std::string& spec, std::uint16_t port) {
  if (spec.rfind("unix:", 0) == 0) return spec;
  const auto colon = spec.rfind(':');
  const std::string host = colon == std::string::npos ? spec : spec.substr(0, colon);
  return host + ":" + std::to_string(port);
}

}  // namespace approov::authd
