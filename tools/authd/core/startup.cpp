#include "core/startup.hpp"

namespace approov::authd {

std::string describe(const Settings& s, const Policy& p) {
  std::string out = "configuration OK\n";
  for (const auto& l : s.listen) out += "  listen " + l + "\n";
  if (!s.admin_listen.empty()) out += "  admin-listen " + s.admin_listen + "\n";
  out += "  token header " + p.check.source().header +
         (p.check.source().prefix.empty() ? "" : " (prefix \"" + p.check.source().prefix + "\")") +
         "\n";
  out += std::string("  secret from ") +
         (s.secret_file.empty() ? "the environment" : "file " + s.secret_file) + "\n";
  out += "  failure " + std::to_string(p.failure.status) + " " + p.failure.content_type + "\n";
  for (const Route& r : p.routes.routes()) {
    out += "  route " + r.prefix + " ";
    if (r.policy.report_only) out += "report-only ";
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

std::string listening_line(const std::string& what, const std::string& spec, std::uint16_t port) {
  if (spec.rfind("unix:", 0) == 0) return "approov-authd " + what + " " + spec + "\n";
  const auto colon = spec.rfind(':');
  const std::string host = colon == std::string::npos ? spec : spec.substr(0, colon);
  return "approov-authd " + what + " " + host + ":" + std::to_string(port) + "\n";
}

}  // namespace approov::authd
