#include "approov.h"

#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "approov/approov.hpp"
#include "internal/json.hpp"
#include "internal/text.hpp"

// Both enums come from approov/reason_list.h; these checks catch a hand edit of either side.
#define APPROOV_REASON(name, NAME, value, text)                                               \
  static_assert(                                                                              \
      APPROOV_##NAME == static_cast<int>(approov::Reason::name) && APPROOV_##NAME == (value), \
      "C and C++ reason codes must agree: " #name);
#include "approov/reason_list.h"
#undef APPROOV_REASON
static_assert(APPROOV_REASON_COUNT == approov::kReasonCount, "every reason needs a C name");

struct approov_verifier {
  approov::TokenVerifier verifier;
};

struct approov_check {
  approov::RequestCheck check;
};

struct approov_route {
  approov::RoutePolicy route = approov::RoutePolicy::token_check();
};

struct approov_claims {
  approov::Claims claims;
  bool valid = false;
};

struct approov_config {
  approov::VerifierConfig config;
};

namespace {

void write_error(char* error, std::size_t size, const std::string& message) noexcept {
  if (error == nullptr || size == 0) return;
  const std::size_t n = message.size() < size - 1 ? message.size() : size - 1;
  std::memcpy(error, message.data(), n);
  error[n] = '\0';
}

// The one place a C verifier is built: every failure becomes a message in the caller's buffer.
approov_verifier* make_verifier(const approov::VerifierConfig& config, char* error,
                                std::size_t error_size) noexcept {
  try {
    auto verifier = approov::TokenVerifier::create(config);
    if (!verifier) {
      write_error(error, error_size, verifier.error());
      return nullptr;
    }
    return new approov_verifier{std::move(verifier).value()};
  } catch (const std::bad_alloc&) {
    write_error(error, error_size, "out of memory");
  } catch (...) {
    write_error(error, error_size, "internal error");
  }
  return nullptr;
}

approov_verifier* make_verifier(approov::Configured<approov::Secret> secret,
                                std::int64_t leeway_seconds, char* error,
                                std::size_t error_size) noexcept {
  if (!secret) {
    write_error(error, error_size, secret.error());
    return nullptr;
  }
  try {
    approov::VerifierConfig config;
    config.secrets.push_back(std::move(secret).value());
    config.leeway_seconds = leeway_seconds;
    return make_verifier(config, error, error_size);
  } catch (const std::bad_alloc&) {
    write_error(error, error_size, "out of memory");
  }
  return nullptr;
}

std::string_view view(const char* p, std::size_t n) noexcept {
  return p == nullptr ? std::string_view() : std::string_view(p, n);
}

// Runs a configuration step: 0, or -1 with its message (exceptions never cross the C API).
template <class Step>
int config_step(approov_config* config, char* error, std::size_t error_size, Step&& step) noexcept {
  if (config == nullptr) {
    write_error(error, error_size, "no configuration (NULL)");
    return -1;
  }
  try {
    const std::string problem = step(config->config);
    if (problem.empty()) return 0;
    write_error(error, error_size, problem);
  } catch (const std::bad_alloc&) {
    write_error(error, error_size, "out of memory");
  } catch (...) {
    write_error(error, error_size, "internal error");
  }
  return -1;
}

// An algorithm name from the C API, or a message.
std::string algorithm_of(std::string_view name, std::optional<approov::Algorithm>& out) {
  out = approov::algorithm_from_string(name);
  if (!out) {
    return "unknown algorithm \"" + std::string(name.substr(0, 32)) +
           "\" (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)";
  }
  return {};
}

template <class T>
std::string append(std::vector<T>& to, approov::Configured<std::vector<T>> from) {
  if (!from) return from.error();
  for (T& item : from.value()) to.push_back(std::move(item));
  return {};
}

// The claims Claims keeps unescaped views of: outer nullopt for other names, inner nullopt
// when the claim is absent or not a string.
std::optional<std::optional<std::string_view>> known_string_claim(const approov::Claims& c,
                                                                  std::string_view n) noexcept {
  if (n == "ip") return c.ip();
  if (n == "did") return c.did();
  if (n == "arc") return c.arc();
  if (n == "ipk") return c.ipk();
  if (n == "pay") return c.pay();
  if (n == "mskid") return c.mskid();
  if (n == "iss") return c.iss();
  if (n == "sub") return c.sub();
  if (n == "aud") return c.aud();
  return std::nullopt;
}

// The C request as the core's RequestView: the caller's callback reports the field lines.
class CRequest final : public approov::RequestView {
 public:
  explicit CRequest(const approov_request& r) noexcept : r_(r) {}
  std::string_view method() const noexcept override { return view(r_.method, r_.method_len); }
  std::string_view scheme() const noexcept override { return view(r_.scheme, r_.scheme_len); }
  std::string_view authority() const noexcept override {
    return view(r_.authority, r_.authority_len);
  }
  std::string_view target() const noexcept override { return view(r_.target, r_.target_len); }
  std::size_t fields(std::string_view name, approov::FieldLineSink& sink) const noexcept override {
    if (r_.fields == nullptr) return 0;
    return r_.fields(r_.context, name.data(), name.size(), &CRequest::line, &sink);
  }
  std::optional<std::string_view> body() const noexcept override {
    if (r_.body_available == 0) return std::nullopt;
    return view(r_.body, r_.body_len);
  }

 private:
  static void line(void* sink, const char* value, size_t value_len) {
    static_cast<approov::FieldLineSink*>(sink)->line(view(value, value_len));
  }
  const approov_request& r_;
};

}  // namespace

extern "C" {

approov_verifier* approov_verifier_new(const char* secret, size_t secret_len,
                                       approov_secret_encoding encoding, int64_t leeway_seconds,
                                       char* error, size_t error_size) {
  try {
    const bool url = encoding == APPROOV_SECRET_BASE64URL;
    return make_verifier(approov::decode_secret(view(secret, secret_len),
                                                url ? approov::SecretEncoding::base64url
                                                    : approov::SecretEncoding::base64,
                                                url ? "the base64url secret" : "the base64 secret"),
                         leeway_seconds, error, error_size);
  } catch (...) {
    write_error(error, error_size, "out of memory");
    return nullptr;
  }
}

approov_verifier* approov_verifier_new_from_env(int64_t leeway_seconds, char* error,
                                                size_t error_size) {
  try {
    return make_verifier(approov::secret_from_environment(), leeway_seconds, error, error_size);
  } catch (...) {
    write_error(error, error_size, "out of memory");
    return nullptr;
  }
}

approov_config* approov_config_new(void) {
  return new (std::nothrow) approov_config();
}

void approov_config_free(approov_config* config) {
  delete config;
}

int approov_config_add_secret(approov_config* config, const char* secret, size_t secret_len,
                              approov_secret_encoding encoding, const char* key_id,
                              size_t key_id_len, char* error, size_t error_size) {
  return config_step(config, error, error_size, [&](approov::VerifierConfig& c) {
    const bool url = encoding == APPROOV_SECRET_BASE64URL;
    auto decoded = approov::decode_secret(
        view(secret, secret_len),
        url ? approov::SecretEncoding::base64url : approov::SecretEncoding::base64,
        url ? "the base64url secret" : "the base64 secret", std::string(view(key_id, key_id_len)));
    if (!decoded) return decoded.error();
    c.secrets.push_back(std::move(decoded).value());
    return std::string();
  });
}

int approov_config_add_jwks(approov_config* config, const char* jwks, size_t jwks_len, char* error,
                            size_t error_size) {
  return config_step(config, error, error_size, [&](approov::VerifierConfig& c) {
    return append(c.keys, approov::keys_from_jwks(view(jwks, jwks_len)));
  });
}

int approov_config_add_pem_key(approov_config* config, const char* pem, size_t pem_len,
                               const char* key_id, size_t key_id_len, const char* alg,
                               size_t alg_len, char* error, size_t error_size) {
  return config_step(config, error, error_size, [&](approov::VerifierConfig& c) {
    std::optional<approov::Algorithm> algorithm;
    if (std::string bad = algorithm_of(view(alg, alg_len), algorithm); !bad.empty()) return bad;
    auto key = approov::key_from_pem(view(pem, pem_len), std::string(view(key_id, key_id_len)),
                                     *algorithm);
    if (!key) return key.error();
    c.keys.push_back(std::move(key).value());
    return std::string();
  });
}

int approov_config_add_key_file(approov_config* config, const char* path, size_t path_len,
                                const char* key_id, size_t key_id_len, const char* alg,
                                size_t alg_len, char* error, size_t error_size) {
  return config_step(config, error, error_size, [&](approov::VerifierConfig& c) {
    std::optional<approov::Algorithm> algorithm;
    if (alg != nullptr && alg_len != 0) {
      if (std::string bad = algorithm_of(view(alg, alg_len), algorithm); !bad.empty()) return bad;
    }
    std::optional<std::string> kid;
    if (key_id != nullptr && key_id_len != 0) kid = std::string(key_id, key_id_len);
    return append(c.keys,
                  approov::keys_from_file(std::string(view(path, path_len)), kid, algorithm));
  });
}

int approov_config_set_audience(approov_config* config, const char* audience, size_t audience_len,
                                char* error, size_t error_size) {
  return config_step(config, error, error_size, [&](approov::VerifierConfig& c) {
    if (audience == nullptr || audience_len == 0) return std::string("the audience is empty");
    c.audience = std::string(audience, audience_len);
    return std::string();
  });
}

int approov_config_set_issuer(approov_config* config, const char* issuer, size_t issuer_len,
                              char* error, size_t error_size) {
  return config_step(config, error, error_size, [&](approov::VerifierConfig& c) {
    if (issuer == nullptr || issuer_len == 0) return std::string("the issuer is empty");
    c.issuer = std::string(issuer, issuer_len);
    return std::string();
  });
}

int approov_config_set_leeway(approov_config* config, int64_t seconds, char* error,
                              size_t error_size) {
  return config_step(config, error, error_size, [&](approov::VerifierConfig& c) {
    if (seconds < 0 || seconds > approov::kMaxLeewaySeconds) {
      return "leeway must be between 0 and " + std::to_string(approov::kMaxLeewaySeconds) +
             " seconds, not " + std::to_string(seconds);
    }
    c.leeway_seconds = seconds;
    return std::string();
  });
}

approov_verifier* approov_verifier_new_from_config(const approov_config* config, char* error,
                                                   size_t error_size) {
  if (config == nullptr) {
    write_error(error, error_size, "no configuration (NULL)");
    return nullptr;
  }
  return make_verifier(config->config, error, error_size);
}

void approov_verifier_free(approov_verifier* verifier) {
  delete verifier;
}

int approov_verify(const approov_verifier* verifier, const char* token, size_t token_len,
                   int64_t now, approov_claims* claims) {
  if (verifier == nullptr || token == nullptr || token_len == 0) {
    if (claims != nullptr) claims->valid = false;
    return APPROOV_MISSING_TOKEN;
  }
  approov::Reason r;
  if (claims != nullptr) {
    r = verifier->verifier.verify(view(token, token_len), now, claims->claims);
    claims->valid = r == approov::Reason::ok;
  } else {
    approov::Claims scratch;
    r = verifier->verifier.verify(view(token, token_len), now, scratch);
  }
  return static_cast<int>(r);
}

int approov_check_binding(const approov_claims* claims, const char* bound, size_t bound_len,
                          int allow_missing_pay) {
  if (claims == nullptr || !claims->valid) return APPROOV_MISSING_PAY;
  return static_cast<int>(
      approov::check_binding_value(claims->claims, view(bound, bound_len), allow_missing_pay != 0));
}

approov_claims* approov_claims_new(void) {
  return new (std::nothrow) approov_claims();
}

void approov_claims_free(approov_claims* claims) {
  delete claims;
}

size_t approov_claims_size(void) {
  return sizeof(approov_claims);
}

size_t approov_claims_align(void) {
  return alignof(approov_claims);
}

approov_claims* approov_claims_init(void* memory) {
  if (memory == nullptr ||
      reinterpret_cast<std::uintptr_t>(memory) % alignof(approov_claims) != 0) {
    return nullptr;
  }
  return new (memory) approov_claims();
}

void approov_claims_destroy(approov_claims* claims) {
  if (claims != nullptr) claims->~approov_claims();
}

double approov_claims_exp(const approov_claims* claims) {
  return claims != nullptr && claims->valid ? claims->claims.exp() : 0.0;
}

int approov_claims_key_id(const approov_claims* claims, const char** key_id, size_t* key_id_len) {
  if (claims == nullptr || !claims->valid) return APPROOV_CLAIM_ABSENT;
  const std::string_view id = claims->claims.key_id();
  if (key_id != nullptr) *key_id = id.data();
  if (key_id_len != nullptr) *key_id_len = id.size();
  return APPROOV_CLAIM_FOUND;
}

const char* approov_claims_algorithm(const approov_claims* claims) {
  if (claims == nullptr || !claims->valid) return nullptr;
  return approov::to_string(claims->claims.algorithm()).data();  // string literals
}

int approov_claims_string(const approov_claims* claims, const char* name, size_t name_len,
                          char* buffer, size_t buffer_size, size_t* value_len) {
  if (claims == nullptr || !claims->valid || name == nullptr) return APPROOV_CLAIM_ABSENT;
  const std::string_view n = view(name, name_len);
  char scratch[approov::kMaxPayloadSize];
  std::string_view value;
  if (const auto known = known_string_claim(claims->claims, n)) {
    if (!*known) return APPROOV_CLAIM_ABSENT;
    value = **known;  // already unescaped by the verification
  } else {
    const auto json = claims->claims.claim_json(n);
    if (!json || json->size() < 2 || json->front() != '"') return APPROOV_CLAIM_ABSENT;
    // Unescaping never lengthens a string, so the payload-sized scratch always fits.
    value = std::string_view(scratch,
                             approov::json::unescape(json->substr(1, json->size() - 2), scratch));
  }
  if (value_len != nullptr) *value_len = value.size();
  if (value.size() > buffer_size || (!value.empty() && buffer == nullptr)) {
    return APPROOV_CLAIM_TOO_LONG;
  }
  if (!value.empty()) std::memcpy(buffer, value.data(), value.size());
  return APPROOV_CLAIM_FOUND;
}

int approov_claims_json(const approov_claims* claims, const char* name, size_t name_len,
                        const char** value, size_t* value_len) {
  if (claims == nullptr || !claims->valid || name == nullptr) return APPROOV_CLAIM_ABSENT;
  const auto json = claims->claims.claim_json(view(name, name_len));
  if (!json) return APPROOV_CLAIM_ABSENT;
  if (value != nullptr) *value = json->data();
  if (value_len != nullptr) *value_len = json->size();
  return APPROOV_CLAIM_FOUND;
}

const char* approov_reason_string(int reason) {
  if (reason < 0 || reason >= static_cast<int>(approov::kReasonCount)) return "unknown";
  // to_string returns views of string literals, which are NUL-terminated.
  return approov::to_string(static_cast<approov::Reason>(reason)).data();
}

approov_check* approov_check_new(const approov_verifier* verifier, const char* token_header,
                                 size_t token_header_len, const char* prefix, size_t prefix_len,
                                 const approov_signing_options* signing, char* error,
                                 size_t error_size) {
  try {
    if (verifier == nullptr) {
      write_error(error, error_size, "no verifier");
      return nullptr;
    }
    approov::TokenSource source;
    if (token_header != nullptr && token_header_len != 0) {
      source.header.assign(token_header, token_header_len);
    }
    if (prefix != nullptr) source.prefix.assign(prefix, prefix_len);
    approov::MessageSigningConfig config;
    if (signing != nullptr) {
      if (signing->account_secret != nullptr && signing->account_secret_len != 0) {
        const bool url = signing->account_secret_encoding == APPROOV_SECRET_BASE64URL;
        auto secret = approov::decode_secret(
            view(signing->account_secret, signing->account_secret_len),
            url ? approov::SecretEncoding::base64url : approov::SecretEncoding::base64,
            "the account message-signing secret");
        if (!secret) {
          write_error(error, error_size, secret.error());
          return nullptr;
        }
        config.account_secret = std::move(secret).value();
      }
      config.account_key_id = view(signing->account_key_id, signing->account_key_id_len);
      config.base_url = view(signing->base_url, signing->base_url_len);
      if (signing->clock_skew_seconds != 0) config.clock_skew_seconds = signing->clock_skew_seconds;
      if (signing->max_lifetime_seconds != 0) {
        config.max_lifetime_seconds = signing->max_lifetime_seconds;
      }
      if (signing->replay_protection != 0)
        config.replay_store = approov::make_memory_replay_store();
      config.replay_fail_open = signing->replay_fail_open != 0;
      if (signing->replay_store != nullptr && signing->replay_store_len != 0) {
        approov::ReplayEventHandler on_event;
        if (signing->replay_event != nullptr) {
          on_event = [fn = signing->replay_event,
                      context = signing->replay_event_context](const approov::ReplayStoreEvent& e) {
            const int kind = e.kind == approov::ReplayStoreEvent::Kind::recovered
                                 ? APPROOV_REPLAY_STORE_UP
                                 : APPROOV_REPLAY_STORE_DOWN;
            fn(context, kind, e.message.data(), e.message.size(), e.unavailable_answers);
          };
        }
        auto store = approov::make_replay_store(
            view(signing->replay_store, signing->replay_store_len), std::move(on_event));
        if (!store) {
          write_error(error, error_size, store.error());
          return nullptr;
        }
        config.replay_store = std::move(store).value();
      }
    }
    auto check =
        approov::RequestCheck::create(verifier->verifier, std::move(source), std::move(config));
    if (!check) {
      write_error(error, error_size, check.error());
      return nullptr;
    }
    return new approov_check{std::move(check).value()};
  } catch (...) {
    write_error(error, error_size, "out of memory");
    return nullptr;
  }
}

void approov_check_free(approov_check* check) {
  delete check;
}

int approov_check_replay_stats(const approov_check* check, approov_replay_stats* stats,
                               size_t stats_size) {
  if (check == nullptr || stats == nullptr) return -1;
  const auto& store = check->check.signing().replay_store;
  if (!store) return -1;
  const approov::ReplayStoreStats s = store->stats();
  approov_replay_stats out{s.stored,           s.replayed, s.unavailable, s.connects,
                           s.connect_failures, s.timeouts, s.errors};
  std::memcpy(stats, &out, stats_size < sizeof out ? stats_size : sizeof out);
  return 0;
}

approov_route* approov_route_new(void) {
  try {
    return new approov_route();
  } catch (...) {
    return nullptr;
  }
}

void approov_route_free(approov_route* route) {
  delete route;
}

int approov_route_add_binding_header(approov_route* route, const char* name, size_t name_len) {
  if (route == nullptr || !approov::text::is_token(view(name, name_len))) return -1;
  try {
    approov::RoutePolicy& r = route->route;
    if (r.protection != approov::Protection::token_binding) {
      r.protection = approov::Protection::token_binding;
      r.binding.headers.clear();
    }
    r.binding.headers.emplace_back(name, name_len);
    return 0;
  } catch (...) {
    return -1;
  }
}

void approov_route_allow_missing_pay(approov_route* route, int allow) {
  if (route != nullptr) route->route.binding.allow_missing_pay = allow != 0;
}

void approov_route_check_signatures(approov_route* route, int require) {
  if (route == nullptr) return;
  route->route.signing.enabled = true;
  route->route.signing.require_signature = require != 0;
}

int approov_route_require_component(approov_route* route, const char* name, size_t name_len) {
  if (route == nullptr || name == nullptr) return -1;
  try {
    std::vector<std::string>& list = route->route.signing.required_components;
    list.emplace_back(name, name_len);
    if (!approov::RequestCheck::validate(route->route).empty()) {
      list.pop_back();
      return -1;
    }
    return 0;
  } catch (...) {
    return -1;
  }
}

int approov_check_request(const approov_check* check, const approov_request* request, int64_t now,
                          const approov_route* route, approov_claims* claims) {
  if (check == nullptr || request == nullptr || route == nullptr) {
    if (claims != nullptr) claims->valid = false;
    return APPROOV_MISSING_TOKEN;
  }
  const CRequest view_of_request(*request);
  approov::Reason r;
  if (claims != nullptr) {
    r = check->check.check(view_of_request, now, route->route, claims->claims);
    claims->valid = r == approov::Reason::ok;
  } else {
    approov::Claims scratch;
    r = check->check.check(view_of_request, now, route->route, scratch);
  }
  return static_cast<int>(r);
}

int approov_check_token(const approov_check* check, const approov_request* request,
                        const char** token, size_t* token_len) {
  if (check == nullptr || request == nullptr) return APPROOV_MISSING_TOKEN;
  const CRequest view_of_request(*request);
  std::string_view t;
  const approov::Reason r = check->check.extract_token(view_of_request, t);
  if (r == approov::Reason::ok) {
    if (token != nullptr) *token = t.data();
    if (token_len != nullptr) *token_len = t.size();
  }
  return static_cast<int>(r);
}

void approov_token_fingerprint(const char* token, size_t token_len, char out[17]) {
  if (out == nullptr) return;
  const auto fp = approov::token_fingerprint(view(token, token_len));
  std::memcpy(out, fp.data(), 17);
}

const char* approov_reason_description(int reason) {
  if (reason < 0 || reason >= static_cast<int>(approov::kReasonCount)) return "unknown reason";
  return approov::describe(static_cast<approov::Reason>(reason)).data();  // string literals
}

const char* approov_version(void) {
  return APPROOV_VERSION_STRING;
}

}  // extern "C"
