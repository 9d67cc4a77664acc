#include "approov/claims.hpp"

#include <cstring>

#include "claims_builder.hpp"
#include "internal/json.hpp"
#include "internal/number.hpp"

namespace approov {

namespace {

enum class ClaimName : std::uint8_t {
  other,
  exp,
  nbf,
  iat,
  ip,
  did,
  arc,
  ipk,
  pay,
  mskid,
  iss,
  sub,
  aud
};

ClaimName classify(std::string_view plain) noexcept {
  switch (plain.size()) {
    case 2:
      return plain == "ip" ? ClaimName::ip : ClaimName::other;
    case 3:
      switch (plain[0]) {
        case 'e':
          return plain == "exp" ? ClaimName::exp : ClaimName::other;
        case 'n':
          return plain == "nbf" ? ClaimName::nbf : ClaimName::other;
        case 'i':
          if (plain == "iat") return ClaimName::iat;
          if (plain == "ipk") return ClaimName::ipk;
          return plain == "iss" ? ClaimName::iss : ClaimName::other;
        case 'd':
          return plain == "did" ? ClaimName::did : ClaimName::other;
        case 'a':
          if (plain == "arc") return ClaimName::arc;
          return plain == "aud" ? ClaimName::aud : ClaimName::other;
        case 'p':
          return plain == "pay" ? ClaimName::pay : ClaimName::other;
        case 's':
          return plain == "sub" ? ClaimName::sub : ClaimName::other;
        default:
          return ClaimName::other;
      }
    case 5:
      return plain == "mskid" ? ClaimName::mskid : ClaimName::other;
    default:
      return ClaimName::other;
  }
}

}  // namespace

// ---- building ------------------------------------------------------------------------------

bool ClaimsBuilder::parse(std::size_t payload_size) noexcept {
  claims.payload_ = Claims::Span{0, static_cast<std::uint16_t>(payload_size), true};
  claims.used_ = static_cast<std::uint16_t>(kMaxPayloadSize);
  if (!json::for_each_member(claims.payload_json(), *this)) {
    claims.reset();
    return false;
  }
  return true;
}

// A string claim: a view into the payload, or unescaped into the arena after it.
Claims::Span ClaimsBuilder::string_span(const json::Value& v) noexcept {
  if (!v.escaped) return span_of(v.raw);
  char* out = claims.buffer_.data() + claims.used_;
  const std::size_t n = json::unescape(v.raw, out);
  Claims::Span s{claims.used_, static_cast<std::uint16_t>(n), true};
  claims.used_ = static_cast<std::uint16_t>(claims.used_ + n);
  return s;
}

bool ClaimsBuilder::operator()(const json::Value& key, const json::Value& m) noexcept {
  ClaimName name = ClaimName::other;
  if (!key.escaped) {
    name = classify(key.raw);
  } else if (key.raw.size() <= 64) {
    char plain[64];
    name = classify(std::string_view(plain, json::unescape(key.raw, plain)));
  }
  const bool is_string = m.type == json::Type::string;
  Claims& c = claims;
  switch (name) {
    case ClaimName::other:
      break;
    case ClaimName::exp:
      exp_seen = true;
      exp_number = m.type == json::Type::number;
      if (exp_number) c.exp_text_ = span_of(m.raw);
      break;
    case ClaimName::nbf:
      nbf_seen = true;
      nbf_number = m.type == json::Type::number;
      if (nbf_number) c.nbf_text_ = span_of(m.raw);
      break;
    case ClaimName::iat:
      iat_seen = true;
      iat_number = m.type == json::Type::number;
      if (iat_number) c.iat_text_ = span_of(m.raw);
      break;
    case ClaimName::aud:
      aud_seen = true;
      aud = m;
      if (is_string) c.aud_ = string_span(m);
      break;
    case ClaimName::iss:
      iss_seen = true;
      if (is_string) c.iss_ = string_span(m);
      break;
    case ClaimName::ip:
      if (is_string) c.ip_ = string_span(m);
      break;
    case ClaimName::did:
      if (is_string) c.did_ = string_span(m);
      break;
    case ClaimName::arc:
      if (is_string) c.arc_ = string_span(m);
      break;
    case ClaimName::ipk:
      c.ipk_seen_ = true;
      if (is_string) c.ipk_ = string_span(m);
      break;
    case ClaimName::pay:
      c.pay_seen_ = true;
      if (is_string) c.pay_ = string_span(m);
      break;
    case ClaimName::mskid:
      c.mskid_seen_ = true;
      if (is_string) c.mskid_ = string_span(m);
      break;
    case ClaimName::sub:
      if (is_string) c.sub_ = string_span(m);
      break;
  }
  return true;
}

bool ClaimsBuilder::audience_contains(std::string_view expected) const noexcept {
  if (!aud_seen) return false;
  if (aud.type == json::Type::string) return json::string_equals(aud, expected);
  if (aud.type == json::Type::array) return json::array_contains_string(aud.raw, expected);
  return false;
}

// ---- the Claims object -----------------------------------------------------------------------

void Claims::reset() noexcept {
  payload_ = exp_text_ = nbf_text_ = iat_text_ = ip_ = did_ = arc_ = ipk_ = pay_ = mskid_ = iss_ =
      sub_ = aud_ = Span{};
  exp_ = 0;
  pay_seen_ = ipk_seen_ = mskid_seen_ = false;
  algorithm_ = Algorithm::HS256;
  key_id_size_ = 0;
  used_ = 0;
}

void Claims::set_key_id(std::string_view id) noexcept {
  // Key ids are at most kMaxKeyIdSize bytes (checked when the keys are configured).
  key_id_size_ = static_cast<std::uint8_t>(id.size() < key_id_.size() ? id.size() : key_id_.size());
  if (key_id_size_ != 0) std::memcpy(key_id_.data(), id.data(), key_id_size_);
}

void Claims::copy_from(const Claims& o) noexcept {
  payload_ = o.payload_;
  exp_text_ = o.exp_text_;
  nbf_text_ = o.nbf_text_;
  iat_text_ = o.iat_text_;
  ip_ = o.ip_;
  did_ = o.did_;
  arc_ = o.arc_;
  ipk_ = o.ipk_;
  pay_ = o.pay_;
  mskid_ = o.mskid_;
  iss_ = o.iss_;
  sub_ = o.sub_;
  aud_ = o.aud_;
  pay_seen_ = o.pay_seen_;
  ipk_seen_ = o.ipk_seen_;
  mskid_seen_ = o.mskid_seen_;
  exp_ = o.exp_;
  set_key_id(o.key_id());
  algorithm_ = o.algorithm_;
  used_ = o.used_;
  std::memcpy(buffer_.data(), o.buffer_.data(), o.payload_.length);
  if (used_ > kMaxPayloadSize) {
    std::memcpy(buffer_.data() + kMaxPayloadSize, o.buffer_.data() + kMaxPayloadSize,
                used_ - kMaxPayloadSize);
  }
}

Claims::Claims(const Claims& other) noexcept {
  copy_from(other);
}
Claims& Claims::operator=(const Claims& other) noexcept {
  if (this != &other) copy_from(other);
  return *this;
}

std::optional<double> Claims::nbf() const noexcept {
  if (!nbf_text_.present) return std::nullopt;
  return detail::number_to_double(view(nbf_text_));
}

std::optional<double> Claims::iat() const noexcept {
  if (!iat_text_.present) return std::nullopt;
  return detail::number_to_double(view(iat_text_));
}

std::optional<std::string_view> Claims::claim_json(std::string_view name) const noexcept {
  if (!payload_.present) return std::nullopt;
  std::optional<std::string_view> found;
  const auto find = [&](const json::Value& key, const json::Value& v) noexcept {
    if (!found && json::string_equals(key, name)) {
      // Give strings back with their quotes so that the result is JSON text.
      found = v.type == json::Type::string ? std::string_view(v.raw.data() - 1, v.raw.size() + 2)
                                           : v.raw;
    }
    return true;
  };
  if (!json::for_each_member(payload_json(), find)) return std::nullopt;
  return found;
}

}  // namespace approov
