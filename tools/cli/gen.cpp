// `approov-token gen`: mints example tokens the way Approov's `approov token -genExample` and
// `-setDataHashInToken` do, so integrations can be tested without an Approov account.
#include <iostream>
#include <string>
#include <vector>

#include "approov/config.hpp"
#include "approov/crypto.hpp"
#include "approov/request_check.hpp"
#include "approov/token_verifier.hpp"
#include "commands.hpp"
#include "json_text.hpp"

namespace approov_cli {

namespace {

constexpr std::int64_t kDefaultTtlSeconds = 3600;

// gen mints only what `verify` accepts, apart from the time rules (an expired or not yet valid
// token is a test case people ask for): the token goes through the library's verifier, and a
// refusal names the rule. Empty when the token is fine.
std::string refusal(const std::string& token, const approov::Secret& key,
                    const std::optional<std::string>& bind) {
  approov::VerifierConfig config;
  config.secrets.push_back(key);
  auto verifier = approov::TokenVerifier::create(std::move(config));
  if (!verifier) return verifier.error();
  approov::Claims claims;
  // Verified at the newest accepted exp, so that only an expired token can fail on time.
  approov::Reason reason = verifier.value().verify(token, approov::kMaxExp, claims);
  if (reason == approov::Reason::expired || reason == approov::Reason::not_yet_valid ||
      reason == approov::Reason::iat_future) {
    return {};
  }
  if (reason == approov::Reason::ok && bind) {
    reason = approov::check_binding_value(claims, *bind);
  }
  if (reason == approov::Reason::ok) return {};
  return "the token would be rejected by verify as " + std::string(approov::to_string(reason)) +
         " (" + std::string(approov::describe(reason)) + ")";
}

// `text` as a JSON string the verifier accepts, or an error naming the rule it breaks.
bool quoted_string(const std::string& what, std::string_view text, std::string& out,
                   std::string& error) {
  out = json_quote(text);
  const JsonCheck check = check_json(out);
  if (check.ok()) return true;
  // Offsets in the quoted text are one past the offsets in `text`.
  error = what + ": " + std::string(approov::json::describe(check.problem)) + " at byte " +
          std::to_string(check.offset == 0 ? 0 : check.offset - 1);
  return false;
}

// One --claim NAME=VALUE as a JSON member, or an error message naming the rule it breaks.
bool claim_member(const std::string& spec, std::string& name, std::string& member,
                  std::string& error) {
  const std::size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0) {
    error = "--claim expects NAME=VALUE, got an argument without a name before '='";
    return false;
  }
  name = spec.substr(0, eq);
  const std::string value = spec.substr(eq + 1);
  std::string quoted;
  if (!quoted_string("--claim " + name + ": the name", name, quoted, error)) return false;
  member = quoted + ':';
  const JsonCheck check = check_json(value);
  if (!check.is_json()) {
    // Not JSON: the text itself, as a string.
    if (!quoted_string("--claim " + name + ": the value", value, quoted, error)) return false;
    member += quoted;
  } else if (!check.ok()) {
    error = "--claim " + name + ": the value is JSON the verifier would reject (" +
            check.describe() + ")";
    return false;
  } else {
    // Keep the caller's JSON but drop surrounding whitespace so the payload stays compact.
    std::size_t b = 0;
    std::size_t e = value.size();
    while (b < e && (value[b] == ' ' || value[b] == '\t' || value[b] == '\n' || value[b] == '\r'))
      ++b;
    while (e > b && (value[e - 1] == ' ' || value[e - 1] == '\t' || value[e - 1] == '\n' ||
                     value[e - 1] == '\r'))
      --e;
    member += value.substr(b, e - b);
  }
  return true;
}

}  // namespace

int run_gen(const GenOptions& options) {
  const auto usage = [](const std::string& message) {
    std::cerr << "approov-token gen: " << message << '\n';
    return kExitUsage;
  };
  if (options.exp && !is_json_number(*options.exp)) {
    return usage("--exp must be a number of seconds since the Unix epoch, e.g. 4708683205.891912");
  }

  // Bounding both keeps now +/- ttl far from int64 overflow.
  if (const std::string bad_now = check_now_option(options.now); !bad_now.empty()) {
    return usage(bad_now);
  }
  if (options.ttl && (*options.ttl < -approov::kMaxExp || *options.ttl > approov::kMaxExp)) {
    return usage("--ttl must be between -" + std::to_string(approov::kMaxExp) + " and " +
                 std::to_string(approov::kMaxExp));
  }
  const std::int64_t now = options.now ? *options.now : approov::unix_now();
  std::string exp;
  if (options.exp) {
    exp = *options.exp;
  } else if (options.expired) {
    exp = std::to_string(now - kDefaultTtlSeconds);
  } else {
    exp = std::to_string(now + options.ttl.value_or(kDefaultTtlSeconds));
  }

  std::string payload = "{\"exp\":" + exp;
  std::vector<std::string> names{"exp"};
  for (const std::string& spec : options.claims) {
    std::string name, member, error;
    if (!claim_member(spec, name, member, error)) return usage(error);
    if (name == "exp") return usage("--claim exp=...: set exp with --exp, --ttl or --expired");
    if (name == "pay" && options.bind) return usage("--claim pay=... conflicts with --bind");
    for (const std::string& seen : names) {
      if (seen == name)
        return usage("--claim " + name +
                     " given twice (duplicate claims are "
                     "rejected by verifiers)");
    }
    names.push_back(name);
    payload += ',';
    payload += member;
  }
  if (options.bind) payload += ",\"pay\":" + json_quote(approov::pay_claim_for(*options.bind));
  payload += '}';

  if (!options.key.empty()) return mint_with_key(options, payload, options.bind);
  if (options.alg && *options.alg != "HS256") {
    return usage("--alg " + *options.alg + " needs --key (a secret signs HS256 only)");
  }

  std::string header = "{\"typ\":\"JWT\",\"alg\":\"HS256\"";
  if (options.kid) {
    std::string kid, error;
    if (!quoted_string("--kid", *options.kid, kid, error)) return usage(error);
    header += ",\"kid\":" + kid;
  }
  header += '}';

  // Resolve the secret last, so that usage errors are reported even without one.
  auto secret = resolve_secret(options.secret);
  if (!secret) return usage(secret.error());
  const approov::Secret& key = secret.value().secret;
  const std::string token =
      approov::mint_hs256(header, payload, key.bytes().data(), key.bytes().size());
  if (const std::string refused = refusal(token, key, options.bind); !refused.empty()) {
    return usage(refused);
  }
  std::cout << token << '\n';
  return kExitOk;
}

}  // namespace approov_cli
