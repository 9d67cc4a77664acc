#include "approov.h"

#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

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
  // Unescaped copies of escaped strings of claims that Claims has no accessor for, handed out
  // by approov_claims_string. Each lives until the object is reused (approov_verify) or freed,
  // as approov.h promises for every view; the mutex keeps concurrent lookups safe.
  mutable std::mutex unescaped_mutex;
  mutable std::vector<std::unique_ptr<std::string>> unescaped;
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
    if (claims != nullptr) {
      claims->valid = false;
      claims->unescaped.clear();
    }
    return APPROOV_MISSING_TOKEN;
  }
  approov::Reason r;
  if (claims != nullptr) {
    claims->unescaped.clear();  // reused: earlier views end here (approov.h)
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

int approov_claims_string(const approov_claims* claims, const char* name, const char** value,
                          size_t* value_len) {
  if (claims == nullptr || !claims->valid || name == nullptr) return 0;
  const std::string_view n(name);
  const approov::Claims& c = claims->claims;
  std::optional<std::string_view> v;
  if (n == "ip")
    v = c.ip();
  else if (n == "did")
    v = c.did();
  else if (n == "arc")
    v = c.arc();
  else if (n == "ipk")
    v = c.ipk();
  else if (n == "pay")
    v = c.pay();
  else if (n == "mskid")
    v = c.mskid();
  else if (n == "iss")
    v = c.iss();
  else if (n == "sub")
    v = c.sub();
  else if (n == "aud")
    v = c.aud();
  else {
    // Other claims: a view of the raw text, or of an unescaped copy kept in the object.
    auto json = c.claim_json(n);
    if (!json || json->size() < 2 || json->front() != '"') return 0;
    const std::string_view raw = json->substr(1, json->size() - 2);
    if (raw.find('\\') == std::string_view::npos) {
      v = raw;
    } else {
      try {
        auto text = std::make_unique<std::string>(raw.size(), '\0');
        text->resize(approov::json::unescape(raw, text->data()));
        v = *text;
        const std::lock_guard<std::mutex> lock(claims->unescaped_mutex);
        claims->unescaped.push_back(std::move(text));
      } catch (...) {
        return 0;  // out of memory
      }
    }
  }
  if (!v) return 0;
  if (value != nullptr) *value = v->data();
  if (value_len != nullptr) *value_len = v->size();
  return 1;
}

int approov_claims_json(const approov_claims* claims, const char* name, const char** value,
                        size_t* value_len) {
  if (claims == nullptr || !claims->valid || name == nullptr) return 0;
  auto json = claims->claims.claim_json(name);
  if (!json) return 0;
  if (value != nullptr) *value = json->data();
  if (value_len != nullptr) *value_len = json->size();
  return 1;
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
