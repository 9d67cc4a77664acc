#include "approov/token_verifier.hpp"

#include <chrono>
#include <limits>

#include "claims_builder.hpp"
#include "internal/number.hpp"

namespace approov {

std::int64_t unix_now() noexcept {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// ---- configuration -------------------------------------------------------------------------

Configured<TokenVerifier> TokenVerifier::create(VerifierConfig config) {
  using Result = Configured<TokenVerifier>;
  if (config.leeway_seconds < 0 || config.leeway_seconds > kMaxLeewaySeconds) {
    return Result::failure("leeway must be between 0 and " + std::to_string(kMaxLeewaySeconds) +
                           " seconds, not " + std::to_string(config.leeway_seconds));
  }
  auto jws =
      JwsVerifier::create(config.secrets, config.keys, config.key_set, config.max_token_size);
  if (!jws) return Result::failure(jws.error());
  return TokenVerifier(std::make_shared<const VerifierConfig>(std::move(config)),
                       std::move(jws).value());
}

Configured<TokenVerifier> TokenVerifier::create(Secret secret, std::int64_t leeway_seconds) {
  VerifierConfig config;
  config.secrets.push_back(std::move(secret));
  config.leeway_seconds = leeway_seconds;
  return create(std::move(config));
}

Configured<TokenVerifier> TokenVerifier::from_environment(std::int64_t leeway_seconds) {
  auto secret = secret_from_environment();
  if (!secret) return Configured<TokenVerifier>::failure(secret.error());
  return create(std::move(secret).value(), leeway_seconds);
}

// ---- verification --------------------------------------------------------------------------

namespace {

std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
  if (b > 0 && a > std::numeric_limits<std::int64_t>::max() - b) {
    return std::numeric_limits<std::int64_t>::max();
  }
  if (b < 0 && a < std::numeric_limits<std::int64_t>::min() - b) {
    return std::numeric_limits<std::int64_t>::min();
  }
  return a + b;
}

}  // namespace

Reason TokenVerifier::verify(std::string_view token, std::int64_t now,
                             Claims& claims) const noexcept {
  claims.reset();
  // The JWS layer: shape, encoding, signature (MAC before any JSON), header. The payload
  // lands at the start of the claims' buffer, where the views below point.
  std::size_t payload_size = 0;
  JwsKeyUsed key;
  Reason r = jws_.verify(token, claims.buffer_.data(), payload_size, key);
  if (r != Reason::ok) return r;

  // Authenticated from here on: the payload may be parsed.
  ClaimsBuilder builder(claims);
  if (!builder.parse(payload_size)) return Reason::bad_json;

  if (!builder.exp_seen) return Reason::missing_exp;
  if (!builder.exp_number) return Reason::bad_exp;
  const detail::ParsedNumber exp(claims.exp_text());  // read once, compared twice
  if (exp.compare(kMaxExp) > 0) return Reason::bad_exp;
  if (builder.nbf_seen && !builder.nbf_number) return Reason::bad_nbf;
  if (builder.iat_seen && !builder.iat_number) return Reason::bad_iat;

  const std::int64_t leeway = config_->leeway_seconds;
  // Valid while now < exp + leeway, i.e. exp > now - leeway.
  if (exp.compare(saturating_add(now, -leeway)) <= 0) return Reason::expired;
  const std::int64_t later = saturating_add(now, leeway);
  if (builder.nbf_seen && detail::compare_number(builder.view_of(claims.nbf_text_), later) > 0) {
    return Reason::not_yet_valid;
  }
  if (builder.iat_seen && detail::compare_number(builder.view_of(claims.iat_text_), later) > 0) {
    return Reason::iat_future;
  }
  if (config_->audience && !builder.audience_contains(*config_->audience)) {
    return Reason::bad_audience;
  }
  if (config_->issuer && !(claims.iss_.present && claims.view(claims.iss_) == *config_->issuer)) {
    return Reason::bad_issuer;
  }
  claims.exp_ = exp.to_double();
  claims.set_key_id(key.key_id);
  claims.algorithm_ = key.algorithm;
  return Reason::ok;
}

VerifyResult TokenVerifier::verify(std::string_view token, std::int64_t now) const noexcept {
  VerifyResult result;
  result.reason_ = verify(token, now, result.claims_);
  return result;
}

}  // namespace approov
