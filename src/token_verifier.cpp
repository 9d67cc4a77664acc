#include "approov/token_verifier.hpp"

#include <chrono>
#include <cstring>
#include <limits>

#include "approov/base64.hpp"
#include "json.hpp"
#include "number.hpp"
#include "sha256.hpp"

namespace approov {

std::int64_t unix_now() noexcept {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// ---- compact JWS ---------------------------------------------------------------------------

namespace {

struct JwsParts {
  std::string_view header;         // base64url text
  std::string_view payload;        // base64url text
  std::string_view signing_input;  // header '.' payload
  std::uint8_t signature[detail::kSha256Size];
  bool canonical_header = false;  // header is one of kCanonicalHeaders: known valid, not decoded
};

// The JOSE headers that HS256 tokens carry in practice, as base64url text:
// {"typ":"JWT","alg":"HS256"} (Approov) and {"alg":"HS256","typ":"JWT"}. Both decode to a
// valid header with alg HS256 and no kid, so a segment equal to one of them, byte for byte,
// needs neither decoding nor parsing: the outcome is exactly the one the full check gives.
constexpr std::string_view kCanonicalHeaders[] = {"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9",
                                                  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"};

bool is_canonical_header(std::string_view header) noexcept {
  for (const std::string_view known : kCanonicalHeaders) {
    if (header.size() == known.size() &&
        std::memcmp(header.data(), known.data(), known.size()) == 0) {
      return true;
    }
  }
  return false;
}

// A signature segment that is not 43 characters cannot be a 32-byte MAC: tell a
// non-canonical encoding (malformed) from a well-encoded MAC of the wrong size.
[[gnu::noinline]] Reason classify_signature_segment(std::string_view signature) noexcept {
  std::uint8_t scratch[base64::max_decoded_size(kMaxTokenSize)];
  return base64::decode(signature, base64::Alphabet::url, base64::Padding::forbidden, scratch,
                        sizeof scratch) < 0
             ? Reason::malformed
             : Reason::bad_signature;
}

// Size, shape, canonical base64url of all three segments, 32-byte signature. Decodes the
// header (unless canonical) and the payload (each into kMaxPayloadSize bytes). No JSON is
// touched here.
Reason split_token(std::string_view token, std::size_t max_size, JwsParts& parts, char* header_out,
                   std::size_t& header_size, char* payload_out,
                   std::size_t& payload_size) noexcept {
  if (token.size() > max_size) return Reason::token_too_long;
  const std::size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return Reason::malformed;
  const std::size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return Reason::malformed;
  // A third dot needs no search of its own: '.' is outside the base64url alphabet, so a
  // signature segment containing one fails to decode below, which is `malformed` too.
  parts.header = token.substr(0, dot1);
  parts.payload = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature = token.substr(dot2 + 1);
  if (parts.header.empty() || parts.payload.empty() || signature.empty()) return Reason::malformed;
  parts.signing_input = token.substr(0, dot2);

  using base64::Alphabet;
  using base64::Padding;
  parts.canonical_header = is_canonical_header(parts.header);
  std::ptrdiff_t h = 0;
  if (!parts.canonical_header) {
    h = base64::decode(parts.header, Alphabet::url, Padding::forbidden,
                       reinterpret_cast<std::uint8_t*>(header_out), kMaxPayloadSize);
    if (h < 0) return Reason::malformed;
  }
  const std::ptrdiff_t p =
      base64::decode(parts.payload, Alphabet::url, Padding::forbidden,
                     reinterpret_cast<std::uint8_t*>(payload_out), kMaxPayloadSize);
  if (p < 0) return Reason::malformed;
  header_size = static_cast<std::size_t>(h);
  payload_size = static_cast<std::size_t>(p);
  constexpr std::size_t kSignatureChars = 43;  // 32 bytes, unpadded
  if (signature.size() != kSignatureChars) return classify_signature_segment(signature);
  if (base64::decode(signature, Alphabet::url, Padding::forbidden, parts.signature,
                     sizeof parts.signature) !=
      static_cast<std::ptrdiff_t>(kSignatureChars * 3 / 4)) {
    return Reason::malformed;
  }
  return Reason::ok;
}

struct HeaderFacts {
  bool alg_seen = false;
  bool alg_ok = false;
  bool forbidden = false;  // crit, b64, enc or zip present
  bool kid_bad = false;    // kid present but not a string
  bool kid_present = false;
  std::string_view kid;  // raw, possibly escaped
  bool kid_escaped = false;
};

bool header_member(void* context, const json::Member& m) noexcept {
  auto& h = *static_cast<HeaderFacts*>(context);
  if (json::string_equals(m.key, m.key_escaped, "alg")) {
    h.alg_seen = true;
    h.alg_ok =
        m.type == json::Type::string && json::string_equals(m.value, m.value_escaped, "HS256");
  } else if (json::string_equals(m.key, m.key_escaped, "kid")) {
    h.kid_present = true;
    h.kid_bad = m.type != json::Type::string;
    h.kid = m.value;
    h.kid_escaped = m.value_escaped;
  } else if (json::string_equals(m.key, m.key_escaped, "crit") ||
             json::string_equals(m.key, m.key_escaped, "b64") ||
             json::string_equals(m.key, m.key_escaped, "enc") ||
             json::string_equals(m.key, m.key_escaped, "zip")) {
    h.forbidden = true;
  }
  return true;  // keep going: the whole header must be valid JSON
}

// Judges the decoded JOSE header (only after the MAC has been checked).
Reason check_header(std::string_view header, HeaderFacts& facts) noexcept {
  if (!json::parse_object(header, header_member, &facts)) return Reason::bad_json;
  if (!facts.alg_seen || !facts.alg_ok || facts.forbidden || facts.kid_bad) {
    return Reason::bad_header;
  }
  return Reason::ok;
}

}  // namespace

JwsHs256Verifier::JwsHs256Verifier(const std::vector<std::uint8_t>& key)
    : key_(std::make_unique<detail::HmacKey>(key.data(), key.size())) {}
JwsHs256Verifier::~JwsHs256Verifier() = default;
JwsHs256Verifier::JwsHs256Verifier(const JwsHs256Verifier& other)
    : key_(std::make_unique<detail::HmacKey>(*other.key_)) {}
JwsHs256Verifier& JwsHs256Verifier::operator=(const JwsHs256Verifier& other) {
  if (this != &other) key_ = std::make_unique<detail::HmacKey>(*other.key_);
  return *this;
}
JwsHs256Verifier::JwsHs256Verifier(JwsHs256Verifier&&) noexcept = default;
JwsHs256Verifier& JwsHs256Verifier::operator=(JwsHs256Verifier&&) noexcept = default;

Reason JwsHs256Verifier::verify(std::string_view token, char* payload_out,
                                std::size_t& payload_size,
                                std::size_t max_token_size) const noexcept {
  JwsParts parts;
  char header[kMaxPayloadSize];
  std::size_t header_size = 0;
  payload_size = 0;
  Reason r =
      split_token(token, max_token_size, parts, header, header_size, payload_out, payload_size);
  if (r != Reason::ok) return r;
  std::uint8_t mac[detail::kSha256Size];
  key_->mac(parts.signing_input.data(), parts.signing_input.size(), mac);
  if (!detail::equal_ct(mac, parts.signature, sizeof mac)) return Reason::bad_signature;
  if (parts.canonical_header) return Reason::ok;
  HeaderFacts facts;
  return check_header(std::string_view(header, header_size), facts);
}

// ---- claims --------------------------------------------------------------------------------

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

struct ClaimsBuilder {
  explicit ClaimsBuilder(Claims& c) noexcept : claims(c), payload(c.buffer_.data()) {}
  Claims& claims;
  const char* payload;  // == claims.buffer_.data()
  bool exp_seen = false, exp_number = false;
  bool nbf_seen = false, nbf_number = false;
  bool iat_seen = false, iat_number = false;
  bool aud_seen = false;
  json::Type aud_type = json::Type::null;
  std::string_view aud_raw;
  bool aud_escaped = false;
  bool iss_seen = false;

  Claims::Span span_of(std::string_view v) const noexcept {
    return {static_cast<std::uint16_t>(v.data() - payload), static_cast<std::uint16_t>(v.size()),
            true};
  }

  // A string claim: a view into the payload, or unescaped into the arena after it.
  Claims::Span string_span(const json::Member& m) noexcept {
    if (!m.value_escaped) return span_of(m.value);
    char* out = claims.buffer_.data() + claims.used_;
    const std::size_t n = json::unescape(m.value, out);
    Claims::Span s{claims.used_, static_cast<std::uint16_t>(n), true};
    claims.used_ = static_cast<std::uint16_t>(claims.used_ + n);
    return s;
  }

  static bool member(void* context, const json::Member& m) noexcept {
    auto& b = *static_cast<ClaimsBuilder*>(context);
    ClaimName name = ClaimName::other;
    if (!m.key_escaped) {
      name = classify(m.key);
    } else if (m.key.size() <= 64) {
      char plain[64];
      name = classify(std::string_view(plain, json::unescape(m.key, plain)));
    }
    const bool is_string = m.type == json::Type::string;
    Claims& c = b.claims;
    switch (name) {
      case ClaimName::other:
        break;
      case ClaimName::exp:
        b.exp_seen = true;
        b.exp_number = m.type == json::Type::number;
        if (b.exp_number) c.exp_text_ = b.span_of(m.value);
        break;
      case ClaimName::nbf:
        b.nbf_seen = true;
        b.nbf_number = m.type == json::Type::number;
        if (b.nbf_number) c.nbf_text_ = b.span_of(m.value);
        break;
      case ClaimName::iat:
        b.iat_seen = true;
        b.iat_number = m.type == json::Type::number;
        if (b.iat_number) c.iat_text_ = b.span_of(m.value);
        break;
      case ClaimName::aud:
        b.aud_seen = true;
        b.aud_type = m.type;
        b.aud_raw = m.value;
        b.aud_escaped = m.value_escaped;
        if (is_string) c.aud_ = b.string_span(m);
        break;
      case ClaimName::iss:
        b.iss_seen = true;
        if (is_string) c.iss_ = b.string_span(m);
        break;
      case ClaimName::ip:
        if (is_string) c.ip_ = b.string_span(m);
        break;
      case ClaimName::did:
        if (is_string) c.did_ = b.string_span(m);
        break;
      case ClaimName::arc:
        if (is_string) c.arc_ = b.string_span(m);
        break;
      case ClaimName::ipk:
        if (is_string) c.ipk_ = b.string_span(m);
        break;
      case ClaimName::pay:
        c.pay_seen_ = true;
        if (is_string) c.pay_ = b.string_span(m);
        break;
      case ClaimName::mskid:
        if (is_string) c.mskid_ = b.string_span(m);
        break;
      case ClaimName::sub:
        if (is_string) c.sub_ = b.string_span(m);
        break;
    }
    return true;
  }
};

void Claims::reset() noexcept {
  payload_ = exp_text_ = nbf_text_ = iat_text_ = ip_ = did_ = arc_ = ipk_ = pay_ = mskid_ = iss_ =
      sub_ = aud_ = Span{};
  exp_ = 0;
  pay_seen_ = false;
  key_id_ = {};
  used_ = 0;
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
  exp_ = o.exp_;
  key_id_ = o.key_id_;
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

namespace {
struct FindMember {
  std::string_view name;
  std::optional<std::string_view> found;
  static bool sink(void* context, const json::Member& m) noexcept {
    auto& f = *static_cast<FindMember*>(context);
    if (!f.found && json::string_equals(m.key, m.key_escaped, f.name)) {
      // Give strings back with their quotes so that the result is JSON text.
      f.found = m.type == json::Type::string
                    ? std::string_view(m.value.data() - 1, m.value.size() + 2)
                    : m.value;
    }
    return true;
  }
};
}  // namespace

std::optional<std::string_view> Claims::claim_json(std::string_view name) const noexcept {
  if (!payload_.present) return std::nullopt;
  FindMember finder{name, std::nullopt};
  if (!json::parse_object(payload_json(), FindMember::sink, &finder)) return std::nullopt;
  return finder.found;
}

// ---- configuration -------------------------------------------------------------------------

Secret::~Secret() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

Configured<TokenVerifier> TokenVerifier::create(VerifierConfig config) {
  using Result = Configured<TokenVerifier>;
  if (config.secrets.empty()) return Result::failure("no secret configured");
  for (std::size_t i = 0; i < config.secrets.size(); ++i) {
    const Secret& s = config.secrets[i];
    const std::string which =
        config.secrets.size() == 1 ? std::string("the secret") : "secret #" + std::to_string(i + 1);
    if (s.bytes().size() < kMinSecretSize) {
      return Result::failure(which + " is " + std::to_string(s.bytes().size()) +
                             " bytes long; at least " + std::to_string(kMinSecretSize) +
                             " are required");
    }
    if (s.bytes().size() > kMaxSecretSize) {
      return Result::failure(which + " is longer than " + std::to_string(kMaxSecretSize) +
                             " bytes");
    }
    if (config.secrets.size() > 1 && !s.key_id().empty()) {
      for (std::size_t j = 0; j < i; ++j) {
        if (config.secrets[j].key_id() == s.key_id()) {
          return Result::failure("two secrets have the same key id \"" + s.key_id() + "\"");
        }
      }
    }
  }
  if (config.leeway_seconds < 0 || config.leeway_seconds > kMaxLeewaySeconds) {
    return Result::failure("leeway must be between 0 and " + std::to_string(kMaxLeewaySeconds) +
                           " seconds, not " + std::to_string(config.leeway_seconds));
  }
  if (config.max_token_size == 0 || config.max_token_size > kMaxTokenSize) {
    return Result::failure("the token size limit must be between 1 and " +
                           std::to_string(kMaxTokenSize) + " bytes");
  }
  TokenVerifier verifier;
  for (const Secret& s : config.secrets) verifier.keys_.emplace_back(s.bytes());
  verifier.config_ = std::make_shared<const VerifierConfig>(std::move(config));
  return verifier;
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

// Does the `aud` claim (string or array of strings) contain `expected`?
bool audience_contains(const ClaimsBuilder& b, std::string_view expected) noexcept {
  if (b.aud_type == json::Type::string) {
    return json::string_equals(b.aud_raw, b.aud_escaped, expected);
  }
  if (b.aud_type == json::Type::array) return json::array_contains_string(b.aud_raw, expected);
  return false;
}

}  // namespace

Reason TokenVerifier::verify(std::string_view token, std::int64_t now,
                             Claims& claims) const noexcept {
  claims.reset();
  JwsParts parts;
  char header_json[kMaxPayloadSize];
  std::size_t header_size = 0;
  std::size_t payload_size = 0;
  Reason r = split_token(token, config_->max_token_size, parts, header_json, header_size,
                         claims.buffer_.data(), payload_size);
  if (r != Reason::ok) return r;

  // Several secrets (rotation): the MAC picks the secret, so no JSON is read before a MAC
  // has matched. Each comparison is constant-time.
  std::size_t key = keys_.size();
  std::uint8_t mac[detail::kSha256Size];
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    keys_[i].key_->mac(parts.signing_input.data(), parts.signing_input.size(), mac);
    if (detail::equal_ct(mac, parts.signature, sizeof mac)) {
      key = i;
      break;
    }
  }
  if (key == keys_.size()) return Reason::bad_signature;

  // Authenticated from here on: the JSON may be parsed.
  HeaderFacts header;  // a canonical header has no kid: the defaults are its facts
  if (!parts.canonical_header) {
    r = check_header(std::string_view(header_json, header_size), header);
    if (r != Reason::ok) return r;
  }
  const Secret& secret = config_->secrets[key];
  // SPEC §4: with one secret `kid` is ignored; with several, a `kid` selects by exact match,
  // so the secret whose MAC matched must carry that id (secrets without an id only verify
  // tokens without `kid`).
  if (keys_.size() > 1 && header.kid_present &&
      !json::string_equals(header.kid, header.kid_escaped, secret.key_id())) {
    return Reason::unknown_kid;
  }

  claims.payload_ = Claims::Span{0, static_cast<std::uint16_t>(payload_size), true};
  claims.used_ = static_cast<std::uint16_t>(kMaxPayloadSize);
  ClaimsBuilder builder(claims);
  if (!json::parse_object(claims.payload_json(), ClaimsBuilder::member, &builder)) {
    claims.reset();
    return Reason::bad_json;
  }

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
  if (builder.nbf_seen && detail::compare_number(claims.view(claims.nbf_text_), later) > 0) {
    return Reason::not_yet_valid;
  }
  if (builder.iat_seen && detail::compare_number(claims.view(claims.iat_text_), later) > 0) {
    return Reason::iat_future;
  }
  if (config_->audience && !audience_contains(builder, *config_->audience)) {
    return Reason::bad_audience;
  }
  if (config_->issuer && !(claims.iss_.present && claims.view(claims.iss_) == *config_->issuer)) {
    return Reason::bad_issuer;
  }
  claims.exp_ = exp.to_double();
  claims.key_id_ = secret.key_id();
  return Reason::ok;
}

VerifyResult TokenVerifier::verify(std::string_view token, std::int64_t now) const noexcept {
  VerifyResult result;
  result.reason_ = verify(token, now, result.claims_);
  return result;
}

}  // namespace approov
