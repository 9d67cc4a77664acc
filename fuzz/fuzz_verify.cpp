// Fuzz target for the request path: TokenVerifier::verify on the raw input, RequestCheck over
// headers built from the input (with and without token binding), and verify of a token minted
// around the input as its payload, so that the MAC passes and the claims parser and the time
// checks see arbitrary bytes. Never crashes, never leaks, and every outcome is consistent.
//
// The claim rules have an exact oracle written here: for a minted token the expected reason
// is worked out from the payload's members (found with the JSON reader's events, which
// fuzz_json checks against simdjson) by the documented rules in their documented order, with
// time claims compared as exact decimals by a comparison of this harness's own (no double, no
// library number code): exp > now - leeway, exp <= kMaxExp, nbf and iat <= now + leeway (at a
// fixed clock, and at the epoch, where fractions of a second decide). Every
// accepted token, minted or not, is held to the same rules, and its `pay` binding (to a fixed
// value, to the token, to nothing) to an exact reference of the binding rules.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "approov/approov.hpp"
#include "internal/json.hpp"

namespace {

using approov::Reason;

constexpr std::string_view kSecretBase64 =
    "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww==";
constexpr std::int64_t kNow = 1700000000;
constexpr std::string_view kCanonicalHeader = R"({"typ":"JWT","alg":"HS256"})";

// A broken invariant is a crash, so that libFuzzer keeps the input.
void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz_verify: invariant broken: %s\n", what);
  std::abort();
}

approov::Secret secret(std::string key_id = {}) {
  auto s = approov::decode_secret(kSecretBase64, approov::SecretEncoding::base64, "fuzz",
                                  std::move(key_id));
  require(s.ok(), "secret");
  return s.value();
}

struct Fixture {
  Fixture() {
    approov::VerifierConfig plain;
    plain.secrets.push_back(secret());
    auto v = approov::TokenVerifier::create(std::move(plain));
    require(v.ok(), "verifier");
    verifier = std::make_unique<approov::TokenVerifier>(v.value());
    auto c = approov::RequestCheck::create(std::move(v).value());
    require(c.ok(), "check");
    check = std::make_unique<approov::RequestCheck>(std::move(c).value());

    // Leeway, audience, issuer and key rotation, behind a `Bearer ` prefix.
    approov::VerifierConfig rich;
    rich.secrets.push_back(secret("k1"));
    rich.secrets.push_back(secret("k2"));
    rich.leeway_seconds = 60;
    rich.audience = "api";
    rich.issuer = "approov";
    auto r = approov::TokenVerifier::create(std::move(rich));
    require(r.ok(), "rich verifier");
    rich_verifier = std::make_unique<approov::TokenVerifier>(r.value());
    auto rc = approov::RequestCheck::create(std::move(r).value(),
                                            approov::TokenSource{"Authorization", "Bearer "});
    require(rc.ok(), "rich check");
    rich_check = std::make_unique<approov::RequestCheck>(std::move(rc).value());
    const approov::Secret plain_secret = secret();
    key.assign(plain_secret.bytes().begin(), plain_secret.bytes().end());
    binding.binding.headers = {"Authorization", "X-Device"};
  }
  std::unique_ptr<approov::TokenVerifier> verifier, rich_verifier;
  std::unique_ptr<approov::RequestCheck> check, rich_check;
  std::string key;
  approov::RoutePolicy token_only = approov::RoutePolicy::token_check();
  approov::RoutePolicy binding = approov::RoutePolicy::token_binding();
  approov::RoutePolicy lenient_binding =
      approov::RoutePolicy::token_binding({"Authorization"}, true);
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

// ---- exact decimal comparison -------------------------------------------------------------------

// A JSON number as sign, significant digits (no leading or trailing zeros) and a power of ten:
// value = (negative ? -1 : 1) * 0.d1d2d3... * 10^point. Zero has no digits.
struct Decimal {
  bool negative = false;
  std::string digits;
  long long point = 0;  // position of the decimal point relative to the first digit
};

Decimal decimal_of_json(std::string_view text) {
  Decimal d;
  std::size_t i = 0;
  if (i < text.size() && text[i] == '-') {
    d.negative = true;
    ++i;
  }
  std::string all;
  long long integer_digits = 0;
  bool fraction = false;
  for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
    if (text[i] == '.') {
      fraction = true;
      continue;
    }
    all += text[i];
    if (!fraction) ++integer_digits;
  }
  long long exponent = 0;
  if (i < text.size()) {
    ++i;
    bool minus = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) minus = text[i++] == '-';
    for (; i < text.size(); ++i) {
      if (exponent < 1000000000000LL) exponent = exponent * 10 + (text[i] - '0');
    }
    if (minus) exponent = -exponent;
  }
  const std::size_t first = all.find_first_not_of('0');
  if (first == std::string::npos) return Decimal{};  // zero (any sign)
  const std::size_t last = all.find_last_not_of('0');
  d.digits = all.substr(first, last - first + 1);
  d.point = integer_digits - static_cast<long long>(first) + exponent;
  return d;
}

Decimal decimal_of_int(std::int64_t t) {
  std::string text = std::to_string(t);
  return decimal_of_json(text);
}

// <0, 0, >0 as a < b, a == b, a > b.
int compare(const Decimal& a, const Decimal& b) {
  const bool a_zero = a.digits.empty(), b_zero = b.digits.empty();
  const int a_sign = a_zero ? 0 : (a.negative ? -1 : 1);
  const int b_sign = b_zero ? 0 : (b.negative ? -1 : 1);
  if (a_sign != b_sign) return a_sign < b_sign ? -1 : 1;
  if (a_sign == 0) return 0;
  int magnitude;
  if (a.point != b.point) {
    magnitude = a.point > b.point ? 1 : -1;
  } else {
    const std::size_t n = std::max(a.digits.size(), b.digits.size());
    magnitude = 0;
    for (std::size_t i = 0; i < n && magnitude == 0; ++i) {
      const char x = i < a.digits.size() ? a.digits[i] : '0';
      const char y = i < b.digits.size() ? b.digits[i] : '0';
      if (x != y) magnitude = x > y ? 1 : -1;
    }
  }
  return a_sign * magnitude;
}

int compare_json_number(std::string_view text, std::int64_t t) {
  return compare(decimal_of_json(text), decimal_of_int(t));
}

std::int64_t plus(std::int64_t a, std::int64_t b) {
  if (b > 0 && a > INT64_MAX - b) return INT64_MAX;
  if (b < 0 && a < INT64_MIN - b) return INT64_MIN;
  return a + b;
}

// ---- the claim rules ------------------------------------------------------------------------

struct Policy {
  std::int64_t leeway = 0;
  std::optional<std::string> audience, issuer;
};

std::string unescaped(const approov::json::Value& v) {
  std::string out(v.raw.size(), '\0');
  out.resize(approov::json::unescape(v.raw, out.data()));
  return out;
}

// The top-level string elements of a JSON array text, unescaped.
std::vector<std::string> array_strings(std::string_view array) {
  struct Collect {
    std::vector<std::string> strings;
    bool begin(approov::json::Type, std::size_t, std::size_t) { return true; }
    bool name(const approov::json::Value&, std::size_t) { return true; }
    bool value(const approov::json::Value& v, std::size_t depth) {
      if (depth == 1 && v.type == approov::json::Type::string) strings.push_back(unescaped(v));
      return true;
    }
  } collect;
  approov::json::Options options;
  options.require_object = false;
  require(approov::json::parse(array, collect, options).ok(), "aud array re-parses");
  return collect.strings;
}

// What verify must answer for a correctly signed token with this payload.
Reason expected_reason(std::string_view payload, const Policy& policy, std::int64_t now = kNow) {
  namespace json = approov::json;
  std::optional<json::Value> exp, nbf, iat, aud, iss;
  const auto member = [&](const json::Value& name, const json::Value& v) {
    const std::string n = unescaped(name);
    if (n == "exp") exp = v;
    if (n == "nbf") nbf = v;
    if (n == "iat") iat = v;
    if (n == "aud") aud = v;
    if (n == "iss") iss = v;
    return true;
  };
  if (!json::for_each_member(payload, member).ok()) return Reason::bad_json;
  if (!exp) return Reason::missing_exp;
  if (exp->type != json::Type::number) return Reason::bad_exp;
  if (compare_json_number(exp->raw, approov::kMaxExp) > 0) return Reason::bad_exp;
  if (nbf && nbf->type != json::Type::number) return Reason::bad_nbf;
  if (iat && iat->type != json::Type::number) return Reason::bad_iat;
  if (compare_json_number(exp->raw, plus(now, -policy.leeway)) <= 0) return Reason::expired;
  const std::int64_t later = plus(now, policy.leeway);
  if (nbf && compare_json_number(nbf->raw, later) > 0) return Reason::not_yet_valid;
  if (iat && compare_json_number(iat->raw, later) > 0) return Reason::iat_future;
  if (policy.audience) {
    bool found = false;
    if (aud && aud->type == json::Type::string) found = unescaped(*aud) == *policy.audience;
    if (aud && aud->type == json::Type::array) {
      for (const std::string& s : array_strings(aud->raw)) found = found || s == *policy.audience;
    }
    if (!found) return Reason::bad_audience;
  }
  if (policy.issuer) {
    if (!iss || iss->type != json::Type::string || unescaped(*iss) != *policy.issuer) {
      return Reason::bad_issuer;
    }
  }
  return Reason::ok;
}

// ---- the binding rules ----------------------------------------------------------------------

// Canonical base64 in either alphabet (not mixed), '=' padding correct or absent.
std::optional<std::string> decode_pay(std::string_view text) {
  std::size_t pad = 0;
  while (pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  const std::string_view body = text.substr(0, text.size() - pad);
  if (pad > 2 || body.size() % 4 == 1 || (pad > 0 && (body.size() + pad) % 4 != 0)) {
    return std::nullopt;
  }
  static constexpr std::string_view kCommon =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  bool standard = false, url = false;
  std::uint32_t bits = 0;
  int count = 0;
  std::string out;
  for (const char c : body) {
    std::uint32_t v;
    if (const std::size_t i = kCommon.find(c); i != std::string_view::npos) {
      v = static_cast<std::uint32_t>(i);
    } else if (c == '+' || c == '/') {
      standard = true;
      v = c == '+' ? 62 : 63;
    } else if (c == '-' || c == '_') {
      url = true;
      v = c == '-' ? 62 : 63;
    } else {
      return std::nullopt;
    }
    bits = (bits << 6) | v;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>(bits >> count);
      bits &= (1u << count) - 1;
    }
  }
  if (bits != 0 || (standard && url)) return std::nullopt;
  return out;
}

Reason expected_binding(const approov::Claims& claims, std::string_view bound,
                        bool allow_missing_pay) {
  const std::optional<std::string_view> pay_json = claims.claim_json("pay");
  if (!pay_json) {
    if (!allow_missing_pay) return Reason::missing_pay;
    return bound.empty() ? Reason::missing_binding_header : Reason::ok;
  }
  if (pay_json->empty() || pay_json->front() != '"') return Reason::bad_pay;
  if (bound.empty()) return Reason::missing_binding_header;
  approov::json::Value v;
  v.type = approov::json::Type::string;
  v.raw = pay_json->substr(1, pay_json->size() - 2);
  v.escaped = v.raw.find('\\') != std::string_view::npos;
  const std::optional<std::string> pay = decode_pay(unescaped(v));
  if (!pay || pay->size() != 32) return Reason::bad_pay;
  const approov::Sha256Digest digest = approov::sha256(bound);
  return std::memcmp(pay->data(), digest.data(), 32) == 0 ? Reason::ok : Reason::binding_mismatch;
}

// The value that the seed corpus binds its tokens to.
constexpr std::string_view kBound =
    "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6Ikpv"
    "aG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

// Claims of an accepted token keep every rule, exactly, and bind as the binding rules say.
void check_accepted(const approov::Claims& claims, std::string_view token, const Policy& policy) {
  const std::string_view exp = claims.exp_text();
  require(!exp.empty(), "ok without exp");
  require(compare_json_number(exp, plus(kNow, -policy.leeway)) > 0, "ok but expired");
  require(compare_json_number(exp, approov::kMaxExp) <= 0, "ok but exp beyond the maximum");
  require(claims.claim_json("exp") == exp, "exp text");
  const std::int64_t later = plus(kNow, policy.leeway);
  for (const char* name : {"nbf", "iat"}) {
    const std::optional<std::string_view> text = claims.claim_json(name);
    if (!text) continue;
    const char first = text->empty() ? ' ' : text->front();
    require(first == '-' || (first >= '0' && first <= '9'), "ok with a non-number nbf/iat");
    require(compare_json_number(*text, later) <= 0, "ok but nbf/iat in the future");
  }
  require(claims.nbf().has_value() == claims.claim_json("nbf").has_value(), "nbf presence");
  require(claims.iat().has_value() == claims.claim_json("iat").has_value(), "iat presence");
  require(claims.payload_json().size() <= approov::kMaxPayloadSize, "payload size");
  require(expected_reason(claims.payload_json(), policy) == Reason::ok, "ok by the oracle");
  for (const std::string_view bound : {kBound, token, std::string_view()}) {
    for (const bool allow : {false, true}) {
      require(approov::check_binding_value(claims, bound, allow) ==
                  expected_binding(claims, bound, allow),
              "binding as the rules say");
    }
  }
}

const Policy kPlain{};
const Policy kRich{60, std::string("api"), std::string("approov")};

void verify_both(std::string_view token, approov::Claims& claims) {
  const Fixture& f = fixture();
  const Reason r = f.verifier->verify(token, kNow, claims);
  if (r == Reason::ok) check_accepted(claims, token, kPlain);
  // Same secret (twice, with key ids), so the MAC and shape rules agree.
  const Reason rich = f.rich_verifier->verify(token, kNow, claims);
  if (rich == Reason::ok) check_accepted(claims, token, kRich);
  if (r == Reason::bad_signature) require(rich == Reason::bad_signature, "rotation and MAC");
  if (r == Reason::malformed || r == Reason::token_too_long) require(rich == r, "shape");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Fixture& f = fixture();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static approov::Claims claims;  // ~12 KiB: kept off the fuzzer's stack

  // 1. The whole input as a token.
  verify_both(input, claims);

  // 2. The input as request headers, one "Name: value" per line (no colon: an Approov-Token).
  approov::BasicRequest headers;
  std::string_view rest = input;
  while (!rest.empty()) {
    const std::size_t eol = rest.find('\n');
    const std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      headers.add("Approov-Token", line);
    } else {
      headers.add(line.substr(0, colon), line.substr(colon + 1));
    }
  }
  for (const approov::RequestCheck* check : {f.check.get(), f.rich_check.get()}) {
    std::string_view token;
    const Reason extracted = check->extract_token(headers, token);
    const Reason plain = check->check(headers, kNow, f.token_only, claims);
    if (extracted != Reason::ok) require(plain == extracted, "extract then check");
    const Reason bound = check->check(headers, kNow, f.binding, claims);
    if (plain != Reason::ok) require(bound == plain, "binding only after verify");
    (void)check->check(headers, kNow, f.lenient_binding, claims);
    if (extracted == Reason::ok) (void)approov::token_fingerprint(token);
  }

  // 3. A correctly signed token whose payload is the input: exercises the claims parser.
  if (size <= approov::kMaxPayloadSize) {
    const std::string minted = approov::mint_hs256(
        kCanonicalHeader, input, reinterpret_cast<const std::uint8_t*>(f.key.data()), f.key.size());
    const Reason r = f.verifier->verify(minted, kNow, claims);
    if (size > 0 && minted.size() <= approov::kMaxTokenSize) {
      require(r != Reason::bad_signature && r != Reason::malformed && r != Reason::bad_header &&
                  r != Reason::token_too_long,
              "minted token rejected before its payload");
    }
    if (r == Reason::ok) require(claims.payload_json() == input, "payload round trip");
    if (size > 0 && minted.size() <= approov::kMaxTokenSize) {
      // The exact oracle: the same reason, for both policies.
      require(r == expected_reason(input, kPlain), "verify and the claim rules disagree");
      const Reason rich = f.rich_verifier->verify(minted, kNow, claims);
      require(rich == expected_reason(input, kRich),
              "verify (leeway, aud, iss, rotation) and the claim rules disagree");
      // At the epoch too, where values between 0 and 1 and negative ones decide.
      require(f.verifier->verify(minted, 0, claims) == expected_reason(input, kPlain, 0),
              "verify at the epoch and the claim rules disagree");
    }
    verify_both(minted, claims);
  }
  return 0;
}
