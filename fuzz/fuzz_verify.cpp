// Fuzz target for the request path: TokenVerifier::verify on the raw input, RequestCheck over
// headers built from the input (with and without token binding), and verify of a token minted
// around the input as its payload, so that the MAC passes and the claims parser and the time
// checks see arbitrary bytes. Never crashes, never leaks, and every outcome is consistent.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "approov/approov.hpp"

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

// Claims of an accepted token are consistent with the rules that accepted them.
void check_accepted(const approov::Claims& claims, std::int64_t leeway) {
  const std::string_view exp = claims.exp_text();
  require(!exp.empty(), "ok without exp");
  require(claims.exp() + static_cast<double>(leeway) >= static_cast<double>(kNow),
          "ok but expired");
  require(claims.payload_json().size() <= approov::kMaxPayloadSize, "payload size");
  (void)claims.claim_json("exp");
  (void)claims.claim_json("aud");
  (void)claims.nbf();
  (void)claims.iat();
}

void verify_both(std::string_view token, approov::Claims& claims) {
  const Fixture& f = fixture();
  const Reason r = f.verifier->verify(token, kNow, claims);
  if (r == Reason::ok) {
    check_accepted(claims, 0);
    // Binding on the verified claims, with the header value taken from the token itself.
    (void)approov::check_binding_value(claims, token);
    (void)approov::check_binding_value(claims, {}, true);
  }
  // Same secret (twice, with key ids), so the MAC and shape rules agree.
  const Reason rich = f.rich_verifier->verify(token, kNow, claims);
  if (rich == Reason::ok) check_accepted(claims, 60);
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
    verify_both(minted, claims);
  }
  return 0;
}
