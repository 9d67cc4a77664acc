// `approov-token verify`: the library's verdict on one token, as an exit status.
#include <cstdio>
#include <iostream>
#include <string>

#include "approov/keyset.hpp"
#include "approov/reason.hpp"
#include "approov/request_check.hpp"
#include "approov/token_verifier.hpp"
#include "commands.hpp"
#include "json_text.hpp"

namespace approov_cli {

namespace {

// Names of the top-level claims, in token order (the payload is already known to be strict JSON).
std::string claim_names(const approov::Claims& claims) {
  std::string names;
  for (const std::string& name : json_member_names(claims.payload_json())) {
    if (!names.empty()) names += ", ";
    // Names come from the token: keep terminal control bytes out of the output.
    for (const char c : name) {
      const auto u = static_cast<unsigned char>(c);
      names.push_back(u < 0x20 || u == 0x7F ? '?' : c);
    }
  }
  return names;
}

// A kid from the token, for the terminal: control bytes shown as '?'.
std::string printable_kid(std::string_view kid) {
  std::string out;
  for (const char c : kid) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7F ? '?' : c);
  }
  return out;
}

std::string relative(double seconds) {
  const bool past = seconds < 0;
  double s = past ? -seconds : seconds;
  char buf[64];
  if (s < 120) {
    std::snprintf(buf, sizeof buf, "%.0f s", s);
  } else if (s < 7200) {
    std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  } else if (s < 172800) {
    std::snprintf(buf, sizeof buf, "%.0f h", s / 3600);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f days", s / 86400);
  }
  return past ? std::string(buf) + " ago" : "in " + std::string(buf);
}

}  // namespace

int run_verify(const VerifyOptions& options) {
  if (options.allow_missing_pay && !options.bind) {
    std::cerr << "approov-token verify: --allow-missing-pay only makes sense with --bind\n";
    return kExitUsage;
  }
  if (const std::string bad_now = check_now_option(options.now); !bad_now.empty()) {
    std::cerr << "approov-token verify: " << bad_now << '\n';
    return kExitUsage;
  }
  approov::VerifierConfig config;
  config.leeway_seconds = options.leeway;
  config.audience = options.keyset.audience;
  config.issuer = options.keyset.issuer;
  std::string key_source;  // what verified, for the summary
  if (!options.keyset.file.empty()) {
    std::optional<approov::Algorithm> alg;
    if (options.keyset.alg) {
      alg = approov::algorithm_from_string(*options.keyset.alg);
      if (!alg) {
        std::cerr << "approov-token verify: --alg " << *options.keyset.alg
                  << ": not one of RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA "
                     "HS256\n";
        return kExitUsage;
      }
    }
    auto keys = approov::keys_from_file(options.keyset.file, options.keyset.kid, alg);
    if (!keys) {
      std::cerr << "approov-token verify: " << keys.error() << '\n';
      return kExitUsage;
    }
    config.keys = std::move(keys).value();
    key_source = "--jwks " + options.keyset.file;
  } else if (options.keyset.kid || options.keyset.alg) {
    std::cerr << "approov-token verify: --kid and --alg describe the key of --jwks FILE\n";
    return kExitUsage;
  }
  // The secret: required without a keyset; beside one, used when one is configured (a flag, the
  // environment or .env), as a server with both would.
  std::optional<ResolvedSecret> secret;
  if (config.keys.empty() || secret_configured(options.secret)) {
    auto resolved = resolve_secret(options.secret);
    if (!resolved) {
      std::cerr << "approov-token verify: " << resolved.error() << '\n';
      return kExitUsage;
    }
    config.secrets.push_back(resolved.value().secret);
    secret = std::move(resolved).value();
  }
  auto verifier = approov::TokenVerifier::create(std::move(config));
  if (!verifier) {
    std::cerr << "approov-token verify: " << verifier.error() << '\n';
    return kExitUsage;
  }

  std::string token;
  if (!read_token_argument(options.token, token)) return kExitUsage;
  const std::int64_t now = options.now ? *options.now : approov::unix_now();

  const approov::VerifyResult result = verifier.value().verify(token, now);
  approov::Reason reason = result.reason();
  if (reason == approov::Reason::ok && options.bind) {
    reason =
        approov::check_binding_value(result.claims(), *options.bind, options.allow_missing_pay);
  }
  if (reason != approov::Reason::ok) {
    std::cout << "invalid: " << approov::to_string(reason) << " (" << approov::describe(reason)
              << ")\n";
    return kExitInvalid;
  }

  const approov::Claims& claims = result.claims();
  std::cout << "valid\n";
  std::cout << "  token    " << approov::token_fingerprint(token).data() << " (sha256 prefix; "
            << token.size() << " bytes)\n";
  std::cout << "  exp      " << claims.exp_text();
  const std::string when = utc_time_text(claims.exp());
  if (!when.empty()) {
    std::cout << " (" << when << ", " << relative(claims.exp() - static_cast<double>(now)) << ")";
  }
  std::cout << '\n';
  std::cout << "  claims   " << claim_names(claims) << '\n';
  if (options.bind) {
    std::cout << "  binding  "
              << (claims.pay() ? "pay matches the bound value" : "no pay claim (allowed)") << '\n';
  }
  const std::string leeway =
      options.leeway != 0 ? ", leeway " + std::to_string(options.leeway) + " s" : "";
  bool from_keyset = false;
  for (const approov::VerificationKey& key : verifier.value().config().keys) {
    from_keyset |= key.key_id() == claims.key_id() && key.algorithm() == claims.algorithm();
  }
  if (!from_keyset) {
    std::cout << "  secret   " << (secret ? secret->description : std::string("?"))
              << (claims.key_id().empty() ? "" : ", kid " + printable_kid(claims.key_id()))
              << leeway << '\n';
  } else {
    std::cout << "  key      kid " << printable_kid(claims.key_id()) << ", "
              << approov::to_string(claims.algorithm()) << ", from " << key_source << leeway
              << '\n';
  }
  if (options.keyset.audience)
    std::cout << "  aud      matches " << *options.keyset.audience << '\n';
  if (options.keyset.issuer) std::cout << "  iss      matches " << *options.keyset.issuer << '\n';
  return kExitOk;
}

}  // namespace approov_cli
