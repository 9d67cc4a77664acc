#include "core/policy.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <utility>

#include "core/event_log.hpp"

#ifdef APPROOV_AUTHD_HAVE_JWKS_URL
#include "jwks_fetcher.hpp"
#endif

namespace approov::authd {

Configured<std::shared_ptr<const Policy>> build_policy(const Settings& s, std::uint64_t generation,
                                                       DotenvReload& dotenv,
                                                       const Policy* previous) {
  using R = Configured<std::shared_ptr<const Policy>>;
  // The .env file is read on every (re)load so that a rotated secret there takes effect.
  auto loaded = dotenv.reload(s.env_file);
  if (!loaded) return R::failure(loaded.error());
  // The same reader as the CLI's --secret-file: size limit, whitespace trimmed, the text wiped
  // once decoded, and without secret-encoding either alphabet. Several files: rotation (the
  // MAC picks the secret; a token's kid, when present, must name it).
  VerifierConfig vc;
  const bool keyset = !s.jwks_file.empty() || !s.jwks_url.empty();
  // With a keyset the shared secret is optional: used when set, never required.
  const bool secret_in_environment = std::getenv("APPROOV_BASE64_SECRET") != nullptr ||
                                     std::getenv("APPROOV_BASE64URL_SECRET") != nullptr;
  if (s.secret_files.empty() && (!keyset || secret_in_environment)) {
    Configured<Secret> secret = secret_from_environment();
    if (!secret) return R::failure(secret.error());
    vc.secrets.push_back(std::move(secret.value()));
  }
  if (!s.jwks_file.empty()) {
    auto keys = keys_from_file(s.jwks_file);
    if (!keys) return R::failure("jwks-file: " + keys.error());
    vc.keys = std::move(keys.value());
  }
  std::string jwks_spec;
  std::shared_ptr<JwksFetcher> fetcher;
  if (!s.jwks_url.empty()) {
    jwks_spec = s.jwks_url + "\n" + s.jwks_ca_file + "\n" + std::to_string(s.jwks_refresh_seconds);
#ifdef APPROOV_AUTHD_HAVE_JWKS_URL
    if (previous != nullptr && previous->jwks_spec == jwks_spec) {
      fetcher = previous->jwks_fetcher;
    } else {
      JwksFetcherOptions o;
      o.url = s.jwks_url;
      o.ca_file = s.jwks_ca_file;
      o.refresh_interval = std::chrono::seconds(s.jwks_refresh_seconds);
      o.min_refresh_gap = std::min(o.min_refresh_gap, o.refresh_interval);
      o.on_refresh = [log = EventLog()](const JwksRefresh& r) {
        log.jwks_refresh(to_string(r.trigger), to_string(r.outcome), r.message, r.keys);
      };
      auto started = JwksFetcher::start(KeySet::create(), std::move(o));
      if (!started) return R::failure("jwks-url: " + started.error());
      fetcher = std::shared_ptr<JwksFetcher>(std::move(started.value()));
    }
    vc.key_set = fetcher->key_set();
#else
    return R::failure("jwks-url: this build has no JWKS URL support (libcurl was not found)");
#endif
  }
  for (const SecretFile& f : s.secret_files) {
    Configured<Secret> secret = secret_from_file(f.path, s.secret_encoding, {}, f.key_id);
    if (!secret) return R::failure(secret.error());
    vc.secrets.push_back(std::move(secret.value()));
  }
  vc.leeway_seconds = s.leeway;
  vc.audience = s.audience;
  vc.issuer = s.issuer;
  auto verifier = TokenVerifier::create(std::move(vc));
  if (!verifier) return R::failure(verifier.error());
  TokenSource source;
  source.header = s.token_header;
  source.prefix = s.token_prefix;
  MessageSigningConfig signing;
  if (!s.account_signing_secret_file.empty()) {
    Configured<Secret> account =
        secret_from_file(s.account_signing_secret_file, std::nullopt,
                         "account-signing-secret-file " + s.account_signing_secret_file);
    if (!account) return R::failure(account.error());
    signing.account_secret = std::move(account.value());
  }
  signing.account_key_id = s.account_signing_key_id;
  signing.base_url = s.signature_base_url;
  signing.clock_skew_seconds = s.signature_skew;
  std::shared_ptr<ReplayStore> store;
  if (previous != nullptr && previous->replay_spec == s.replay_store) {
    store = previous->replay_store;
  } else {
    // A Redis store's unavailable/recovered events (rate limited by the store) as log lines.
    auto made = make_replay_store(
        s.replay_store,
        [log = EventLog()](const ReplayStoreEvent& e) {
          log.replay_store(e.kind == ReplayStoreEvent::Kind::recovered, e.message,
                           e.unavailable_answers);
        },
        "replay-store");
    if (!made) return R::failure(made.error());
    store = std::move(made.value());
  }
  std::shared_ptr<const RequestCheck> without_replay;
  if (store) {
    auto once = RequestCheck::create(verifier.value(), source, signing);
    if (!once) return R::failure(once.error());
    without_replay = std::make_shared<const RequestCheck>(std::move(once.value()));
  }
  signing.replay_store = store;
  signing.replay_fail_open = s.replay_fail_open;
  auto check = RequestCheck::create(std::move(verifier.value()), source, std::move(signing));
  if (!check) return R::failure(check.error());

  std::vector<Route> routes;
  if (s.routes.empty()) {
    Route all;
    all.prefix = "/";
    if (!s.binding_headers.empty()) {
      all.policy.protection = Protection::token_binding;
      all.policy.binding.headers = s.binding_headers;
    }
    if (s.message_signing != SigningMode::off) {
      all.policy =
          std::move(all.policy).with_signatures(s.message_signing == SigningMode::required);
    }
    routes.push_back(std::move(all));
  } else {
    routes = s.routes;
  }
  bool any_signing = false;
  for (Route& r : routes) {
    r.policy.binding.allow_missing_pay = s.allow_missing_pay;
    if (s.report_only && r.policy.protection != Protection::none) r.policy.report_only = true;
    any_signing = any_signing || r.policy.signing.enabled;
    if (auto err = RequestCheck::validate(r.policy); !err.empty()) {
      return R::failure((r.source.empty() ? "route " + r.prefix : r.source) + ": " + err);
    }
  }
  return std::shared_ptr<const Policy>(std::make_shared<Policy>(
      Policy{std::move(check.value()), RouteTable(std::move(routes)), s.failure, s.claim_headers,
             s.cors_preflight, s.uri_headers, generation, s.log_rate, any_signing, s.forwarded_body,
             s.replay_store, std::move(store), s.replay_fail_open, std::move(jwks_spec),
             std::move(fetcher), std::move(without_replay)}));
}

JwksCounts jwks_counts(const Policy& p) {
  JwksCounts out;
#ifdef APPROOV_AUTHD_HAVE_JWKS_URL
  if (p.jwks_fetcher) {
    const JwksRefreshCounters c = p.jwks_fetcher->counters();
    out = {true, c.updated, c.unchanged, c.failed};
  }
#else
  (void)p;
#endif
  return out;
}

void PolicyHolder::publish(std::shared_ptr<const Policy> p) {
  const std::uint64_t g = p->generation;
  std::atomic_store(&current_, std::move(p));
  generation_.store(g, std::memory_order_release);
}

}  // namespace approov::authd
