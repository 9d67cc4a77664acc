#include "approov.h"

#include <cstring>
#include <new>
#include <optional>
#include <string>

#include "approov/approov.hpp"
#include "internal/json.hpp"

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

struct approov_claims {
  approov::Claims claims;
  bool valid = false;
};

namespace {

void write_error(char* error, std::size_t size, const std::string& message) noexcept {
  if (error == nullptr || size == 0) return;
  const std::size_t n = message.size() < size - 1 ? message.size() : size - 1;
  std::memcpy(error, message.data(), n);
  error[n] = '\0';
}

approov_verifier* make_verifier(approov::Configured<approov::Secret> secret,
                                std::int64_t leeway_seconds, char* error,
                                std::size_t error_size) noexcept {
  try {
    if (!secret) {
      write_error(error, error_size, secret.error());
      return nullptr;
    }
    approov::VerifierConfig config;
    config.secrets.push_back(std::move(secret).value());
    config.leeway_seconds = leeway_seconds;
    auto verifier = approov::TokenVerifier::create(std::move(config));
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

std::string_view view(const char* p, std::size_t n) noexcept {
  return p == nullptr ? std::string_view() : std::string_view(p, n);
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

double approov_claims_exp(const approov_claims* claims) {
  return claims != nullptr && claims->valid ? claims->claims.exp() : 0.0;
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

const char* approov_reason_description(int reason) {
  if (reason < 0 || reason >= static_cast<int>(approov::kReasonCount)) return "unknown reason";
  return approov::describe(static_cast<approov::Reason>(reason)).data();  // string literals
}

const char* approov_version(void) {
  return APPROOV_VERSION_STRING;
}

}  // extern "C"
