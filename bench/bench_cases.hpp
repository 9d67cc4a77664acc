// The measured cases, shared by the Google Benchmark suite (bench_verify.cpp) and the
// instruction-count loop (verify_loop.cpp), so that both measure exactly the same work.
//
// Each case has a floor: the cryptography it cannot avoid, done with the same pre-keyed
// HMAC-SHA256 primitive the library uses (src/sha256.hpp's detail::HmacKey): one MAC over the
// signing input and a constant-time compare with the already decoded signature (plus, for the
// binding check, the SHA-256 of the bound header value). Everything a verify costs above that
// is parsing, decoding and checking.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "approov/approov.hpp"
#include "internal/sha256.hpp"  // private header of the library: the floor uses the same primitive
#include "test_tokens.hpp"

namespace approov::bench {

enum class Work : std::uint8_t {
  verify,  ///< TokenVerifier::verify(token, now, claims)
  check,   ///< RequestCheck::check with token binding on `Authorization`
};

struct Case {
  const char* name;
  std::string_view token;
  Work work;
  Reason expected;
};

inline constexpr std::array<Case, 4> kCases{{
    {"small", kTokenSmall, Work::verify, Reason::ok},
    {"large", kTokenLarge, Work::verify, Reason::ok},
    {"badsig", kTokenBadSignature, Work::verify, Reason::bad_signature},
    {"bind", kTokenBind, Work::check, Reason::ok},
}};

[[noreturn]] inline void die(const char* what) {
  std::fprintf(stderr, "approov bench: %s\n", what);
  std::exit(2);
}

inline Secret test_secret() {
  auto secret =
      decode_secret(kTestSecretBase64, SecretEncoding::base64, "the public Approov test secret");
  if (!secret) die(secret.error().c_str());
  return secret.value();
}

/// One case, ready to run: the verifier or request check, the headers, a reused Claims.
class Subject {
 public:
  explicit Subject(const Case& c)
      : case_(c),
        check_(make_check()),
        headers_{{"Approov-Token", c.token}, {"Authorization", kAuthorization}},
        claims_(std::make_unique<Claims>()) {}

  /// The measured operation.
  [[nodiscard]] Reason run() const noexcept {
    if (case_.work == Work::check) return check_.check(headers_, kNow, binding_, *claims_);
    return check_.verifier().verify(case_.token, kNow, *claims_);
  }

  [[nodiscard]] const Case& info() const noexcept { return case_; }

 private:
  static RequestCheck make_check() {
    VerifierConfig config;
    config.secrets.push_back(test_secret());
    auto verifier = TokenVerifier::create(std::move(config));
    if (!verifier) die(verifier.error().c_str());
    auto check = RequestCheck::create(std::move(verifier).value());
    if (!check) die(check.error().c_str());
    return std::move(check).value();
  }

  Case case_;
  RequestCheck check_;
  BasicRequest headers_;
  RoutePolicy binding_ = RoutePolicy::token_binding();
  std::unique_ptr<Claims> claims_;  // ~12 KiB, reused as a server would
};

/// The floor of a case: pre-keyed HMAC-SHA256 over the signing input, constant-time compare
/// with the pre-decoded signature, and (binding case) SHA-256 of the bound value.
class Floor {
 public:
  explicit Floor(const Case& c)
      : key_(make_key()),
        signing_input_(c.token.substr(0, c.token.rfind('.'))),
        bound_value_(c.work == Work::check ? kAuthorization : std::string_view()) {
    const std::string_view sig = c.token.substr(c.token.rfind('.') + 1);
    if (base64::decode(sig, base64::Alphabet::url, base64::Padding::forbidden, signature_.data(),
                       signature_.size()) != static_cast<std::ptrdiff_t>(signature_.size())) {
      die("test token has a malformed signature");
    }
  }

  /// True when the MAC matches. For the binding case the bound value is hashed as well (the
  /// OpenSSL calls are opaque to the optimiser, so the work is never elided).
  [[nodiscard]] bool run() const noexcept {
    std::uint8_t mac[detail::kSha256Size];
    key_.mac(signing_input_.data(), signing_input_.size(), mac);
    if (!bound_value_.empty()) {
      detail::Sha256 hash;
      hash.update(bound_value_);
      std::uint8_t digest[detail::kSha256Size];
      hash.finish(digest);
    }
    return detail::equal_ct(mac, signature_.data(), sizeof mac);
  }

 private:
  static detail::HmacKey make_key() {
    const Secret secret = test_secret();
    return detail::HmacKey(secret.bytes().data(), secret.bytes().size());
  }

  detail::HmacKey key_;
  std::string_view signing_input_;
  std::string_view bound_value_;
  std::array<std::uint8_t, detail::kSha256Size> signature_{};
};

}  // namespace approov::bench
