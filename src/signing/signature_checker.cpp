#include "signature_checker.hpp"

#include <openssl/sha.h>

#include <array>
#include <cstring>

#include "approov/base64.hpp"
#include "pkey/public_key.hpp"
#include "sf/structured_fields.hpp"

namespace approov::signing {

namespace {

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// ---- the installation key from `ipk`, parsed once per device and thread ---------------------

// A small per-thread cache of parsed `ipk` values: one device sends many requests, and a
// parse costs an OpenSSL key object. Keyed by the SHA-256 of the claim's text; a bad `ipk` is
// remembered too. Bounded (kIpkCacheSize entries per serving thread, replaced round-robin);
// no lock, since each thread has its own.
constexpr std::size_t kIpkCacheSize = 64;
constexpr std::size_t kMaxIpkDer = 1024;

struct IpkEntry {
  std::array<std::uint8_t, detail::kSha256Size> digest{};
  std::optional<detail::PublicKey> key;  // empty with `used`: the ipk is not a P-256 key
  bool used = false;
};

struct IpkCache {
  std::array<IpkEntry, kIpkCacheSize> entries;
  std::size_t next = 0;
};

const detail::PublicKey* installation_key(std::string_view ipk) noexcept {
  thread_local IpkCache cache;
  std::array<std::uint8_t, detail::kSha256Size> digest;
  detail::Sha256 hash;
  hash.update(ipk);
  hash.finish(digest.data());
  for (const IpkEntry& e : cache.entries) {
    if (e.used && e.digest == digest) return e.key ? &*e.key : nullptr;
  }
  IpkEntry& slot = cache.entries[cache.next];
  cache.next = (cache.next + 1) % kIpkCacheSize;
  slot.used = true;
  slot.digest = digest;
  slot.key.reset();
  // base64 in either alphabet, padded or not, canonical; a DER SubjectPublicKeyInfo of an
  // id-ecPublicKey on prime256v1, nothing else.
  std::uint8_t der[kMaxIpkDer];
  const std::ptrdiff_t n =
      base64::decode(ipk, base64::Alphabet::either, base64::Padding::optional, der, sizeof der);
  if (n <= 0) return nullptr;
  detail::KeyResult key = detail::PublicKey::from_spki_der(der, static_cast<std::size_t>(n));
  if (!key || key->type() != detail::KeyType::ec || key->curve() != detail::Curve::p256) {
    return nullptr;
  }
  slot.key.emplace(std::move(key).value());
  return &*slot.key;
}

// ---- Signature-Input parameters --------------------------------------------------------------

struct Window {
  std::int64_t created = 0;
  std::int64_t expires = 0;
};

// `alg` (a String equal to the label's algorithm), `created` and `expires` (Integers) are
// required; `keyid`, `nonce`, `tag` (Strings) are allowed and not judged; anything else, or a
// wrong type, is refused.
Reason read_params(sf::Parameters params, std::string_view algorithm, Window& window) noexcept {
  bool alg = false;
  bool created = false;
  bool expires = false;
  for (const sf::Parameter& p : params) {
    if (p.key == "alg") {
      if (!sf::string_equals(p.value, algorithm)) return Reason::bad_signature_params;
      alg = true;
    } else if (p.key == "created" || p.key == "expires") {
      if (p.value.type != sf::Type::integer) return Reason::bad_signature_params;
      (p.key == "created" ? window.created : window.expires) = p.value.number;
      (p.key == "created" ? created : expires) = true;
    } else if (p.key == "keyid" || p.key == "nonce" || p.key == "tag") {
      if (p.value.type != sf::Type::string) return Reason::bad_signature_params;
    } else {
      return Reason::bad_signature_params;
    }
  }
  return alg && created && expires ? Reason::ok : Reason::bad_signature_params;
}

// ---- the Signature member ------------------------------------------------------------------

constexpr std::size_t kMaxSignatureBytes = 128;

// A Byte Sequence, or a String of padded standard base64 (what Approov's Android SDK sends).
// -1 when it is neither.
std::ptrdiff_t signature_bytes(const sf::Member& member, std::uint8_t* out) noexcept {
  if (member.inner_list) return -1;
  if (member.value.type == sf::Type::byte_sequence) {
    return sf::decode_byte_sequence(member.value, out, kMaxSignatureBytes);
  }
  if (member.value.type == sf::Type::string && !member.value.encoded) {
    return base64::decode(member.value.text, base64::Alphabet::standard, base64::Padding::required,
                          out, kMaxSignatureBytes);
  }
  return -1;
}

bool has_plain(sf::Span<sf::Item> items, std::string_view name) noexcept {
  for (const sf::Item& item : items) {
    if (is_plain_identifier(item, name)) return true;
  }
  return false;
}

}  // namespace

// ---- Content-Digest ------------------------------------------------------------------------

Reason check_content_digest(std::string_view field_value, std::string_view body) noexcept {
  sf::FixedArena<16, 16, 16> arena;
  sf::Dictionary dict;
  if (!sf::parse_dictionary(field_value, arena, dict)) return Reason::bad_content_digest;
  bool any = false;
  for (const sf::Member& m : dict.members) {
    const bool sha256 = m.key == "sha-256";
    if (!sha256 && m.key != "sha-512") continue;  // other algorithms are not judged
    std::uint8_t claimed[SHA512_DIGEST_LENGTH + 2];
    std::ptrdiff_t n = -1;
    if (!m.inner_list && m.value.type == sf::Type::byte_sequence) {
      n = sf::decode_byte_sequence(m.value, claimed, sizeof claimed);
    } else if (!m.inner_list && m.value.type == sf::Type::string && !m.value.encoded) {
      n = base64::decode(m.value.text, base64::Alphabet::standard, base64::Padding::required,
                         claimed, sizeof claimed);
    }
    std::uint8_t actual[SHA512_DIGEST_LENGTH];
    const std::size_t size = sha256 ? SHA256_DIGEST_LENGTH : SHA512_DIGEST_LENGTH;
    if (n != static_cast<std::ptrdiff_t>(size)) return Reason::bad_content_digest;
    // The low-level digests: OpenSSL 3's one-shot SHA256()/SHA512() go through EVP, which
    // fetches the algorithm and allocates a context on every call.
    if (sha256) {
      detail::Sha256 hash;
      hash.update(body);
      hash.finish(actual);
    } else {
      SHA512_CTX ctx;
      SHA512_Init(&ctx);
      SHA512_Update(&ctx, body.data(), body.size());
      SHA512_Final(actual, &ctx);
    }
    if (!detail::equal_ct(actual, claimed, size)) return Reason::bad_content_digest;
    any = true;
  }
  return any ? Reason::ok : Reason::bad_content_digest;
}

// P-256's group order n, big-endian. An ECDSA signature (r, s) has a twin (r, n - s) that
// verifies over the same base and key (high-S is accepted), which anyone holding the first can
// compute. The replay key takes the smaller of s and n - s, so that both are one signature.
constexpr std::uint8_t kP256Order[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

// `sig` is a verified P-256 signature r||s (64 bytes, s in [1, n-1]); replaces s by n - s
// when that is smaller.
void canonical_ecdsa_s(std::uint8_t* sig) noexcept {
  std::uint8_t* s = sig + 32;
  std::uint8_t flipped[32];
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = static_cast<int>(kP256Order[i]) - static_cast<int>(s[i]) - borrow;
    borrow = d < 0 ? 1 : 0;
    flipped[i] = static_cast<std::uint8_t>(d + (borrow != 0 ? 256 : 0));
  }
  if (std::memcmp(flipped, s, sizeof flipped) < 0) std::memcpy(s, flipped, sizeof flipped);
}

bool request_has_body(const RequestView& request) noexcept {
  if (count_fields(request, "transfer-encoding").count != 0) return true;
  const FieldCount length = count_fields(request, "content-length");
  if (length.count == 0) return false;
  if (length.count > 1) return true;  // malformed framing: assume a body, demand its digest
  const std::string_view v = trim_ows(length.first);
  // Anything but a plain zero counts as a body (a malformed length is the server's to refuse).
  return v.empty() || v.find_first_not_of('0') != std::string_view::npos;
}

// ---- the checker ---------------------------------------------------------------------------

namespace {
// Per-thread working space of a check: the combined header values and the signature base can
// be tens of KiB, more than a request path should put on its stack.
struct Scratch {
  char input[kMaxSignatureFieldSize];
  char signature[kMaxSignatureFieldSize];
  char digest[kMaxSignatureFieldSize];
  std::array<char, kMaxSignatureBase> base;
};
Scratch& scratch() noexcept {
  thread_local Scratch s;
  return s;
}
}  // namespace

SignatureChecker::SignatureChecker(MessageSigningConfig config, std::string token_header)
    : config_(std::move(config)), token_header_(std::move(token_header)) {
  for (char& c : token_header_) c = lower(c);
  if (config_.account_secret) {
    account_mac_.emplace(config_.account_secret->bytes().data(),
                         config_.account_secret->bytes().size());
  }
}

Configured<std::shared_ptr<const SignatureChecker>> SignatureChecker::create(
    MessageSigningConfig config, std::string_view token_header) {
  using Result = Configured<std::shared_ptr<const SignatureChecker>>;
  if (config.clock_skew_seconds < 0 || config.clock_skew_seconds > kMaxSignatureSkewSeconds) {
    return Result::failure("the signature clock skew must be between 0 and " +
                           std::to_string(kMaxSignatureSkewSeconds) + " seconds");
  }
  if (config.max_lifetime_seconds < 1 || config.max_lifetime_seconds > 86400) {
    return Result::failure("the longest signature lifetime must be between 1 and 86400 seconds");
  }
  if (config.account_secret && config.account_secret->bytes().size() < kMinSecretSize) {
    return Result::failure("the account message-signing secret is shorter than " +
                           std::to_string(kMinSecretSize) + " bytes");
  }
  std::string scheme, authority;
  if (!config.base_url.empty() && !parse_base_url(config.base_url, scheme, authority)) {
    return Result::failure("the signature base URL \"" + config.base_url +
                           "\" is not an absolute http(s) URL without path, query or userinfo");
  }
  auto checker = std::shared_ptr<SignatureChecker>(
      new SignatureChecker(std::move(config), std::string(token_header)));
  checker->base_scheme_ = std::move(scheme);
  checker->base_authority_ = std::move(authority);
  return std::shared_ptr<const SignatureChecker>(std::move(checker));
}

std::string SignatureChecker::check_required_components(
    const std::vector<std::string>& components) {
  static constexpr std::string_view kDerived[] = {
      "@method", "@target-uri", "@authority", "@scheme", "@request-target", "@path", "@query"};
  for (const std::string& c : components) {
    if (c.empty()) return "an empty component name";
    if (c.front() == '@') {
      bool known = false;
      for (std::string_view d : kDerived) known = known || c == d;
      if (!known) return "\"" + c + "\" is not a derived component that can be required";
      continue;
    }
    for (char ch : c) {
      const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                      std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
      if (!ok) return "\"" + c + "\" is not a lowercase field name";
    }
  }
  return {};
}

Reason SignatureChecker::check(const RequestView& request, const Claims& claims, std::int64_t now,
                               const SigningPolicy& policy) const noexcept {
  // 1. Which signature the token calls for. An `ipk` always calls for the installation
  // signature; an `mskid` for the account one when a secret is configured; neither (Approov's
  // failover tokens) lets the request through unsigned unless the route requires a signature.
  const bool install = claims.has_ipk();
  const bool account = !install && claims.has_mskid() && account_mac_.has_value();
  if (!install && !account) {
    return policy.require_signature ? Reason::missing_signature : Reason::ok;
  }
  const detail::PublicKey* key = nullptr;
  if (install) {
    if (!claims.ipk()) return Reason::bad_ipk;
    key = installation_key(*claims.ipk());
    if (key == nullptr) return Reason::bad_ipk;
  } else if (!claims.mskid() ||
             (!config_.account_key_id.empty() && *claims.mskid() != config_.account_key_id)) {
    return Reason::unknown_signing_key;
  }
  const std::string_view label = install ? kInstallLabel : kAccountLabel;

  // 2. The two headers: each a strict Dictionary (a label twice is refused, not "last one
  // wins"), with the same labels; the one the token calls for among them.
  Scratch& work = scratch();
  char* input_text = work.input;
  char* signature_text = work.signature;
  std::size_t input_size = 0;
  std::size_t signature_size = 0;
  bool input_overflow = false;
  bool signature_overflow = false;
  const std::size_t input_lines = join_field_lines(
      request, "signature-input", input_text, kMaxSignatureFieldSize, input_size, input_overflow);
  const std::size_t signature_lines =
      join_field_lines(request, "signature", signature_text, kMaxSignatureFieldSize, signature_size,
                       signature_overflow);
  if (input_lines == 0 && signature_lines == 0) return Reason::missing_signature;
  if (input_lines == 0 || signature_lines == 0 || input_overflow || signature_overflow) {
    return Reason::bad_signature_header;
  }
  sf::FixedArena<32, 64, 96> arena;
  sf::ParseOptions strict;
  strict.reject_duplicates = true;
  sf::Dictionary inputs;
  sf::Dictionary signatures;
  if (!sf::parse_dictionary(std::string_view(input_text, input_size), arena, inputs, strict) ||
      !sf::parse_dictionary(std::string_view(signature_text, signature_size), arena, signatures,
                            strict)) {
    return Reason::bad_signature_header;
  }
  if (inputs.members.size() != signatures.members.size()) return Reason::bad_signature_header;
  for (const sf::Member& m : inputs.members) {
    if (signatures.find(m.key) == nullptr) return Reason::bad_signature_header;
  }
  const sf::Member* input = inputs.find(label);
  if (input == nullptr) return Reason::missing_signature;
  const sf::Member* signature = signatures.find(label);
  if (!input->inner_list) return Reason::bad_signature_header;
  const sf::Span<sf::Item> items = input->items;
  for (std::size_t i = 0; i < items.size(); ++i) {
    for (std::size_t j = i + 1; j < items.size(); ++j) {
      if (same_identifier(items[i], items[j])) return Reason::bad_signature_header;
    }
  }

  // 3. Parameters and the time window.
  Window window;
  Reason r = read_params(input->params, install ? kInstallAlgorithm : kAccountAlgorithm, window);
  if (r != Reason::ok) return r;
  const std::int64_t skew = config_.clock_skew_seconds;
  if (window.created > now + skew) return Reason::signature_in_future;
  if (window.expires < window.created ||
      window.expires - window.created > config_.max_lifetime_seconds ||
      now > window.expires + skew) {
    return Reason::signature_expired;
  }

  // 4. The components the route requires, each covered without parameters.
  if (policy.required_components.empty()) {
    if (!has_plain(items, "@method") || !has_plain(items, "@target-uri") ||
        !has_plain(items, token_header_) ||
        (request_has_body(request) && !has_plain(items, "content-digest"))) {
      return Reason::missing_component;
    }
  } else {
    for (const std::string& name : policy.required_components) {
      if (!has_plain(items, name)) return Reason::missing_component;
    }
  }

  // 5. The signature's bytes.
  std::uint8_t sig[kMaxSignatureBytes];
  const std::ptrdiff_t sig_size = signature_bytes(*signature, sig);
  if (sig_size < 0) return Reason::bad_signature_header;

  // 6. The signature base, then the cryptographic check.
  std::array<char, kMaxSignatureBase>& base = work.base;
  std::size_t base_size = 0;
  const UriBase uri{base_scheme_, base_authority_};
  r = build_signature_base(request, uri, items, input->params, {base.data(), base.size()},
                           base_size);
  if (r != Reason::ok) return r;
  const std::string_view base_text(base.data(), base_size);
  if (install) {
    if (sig_size != 64 || !key->verify(Algorithm::ES256, base_text, sig, 64)) {
      return Reason::bad_message_signature;
    }
  } else {
    std::uint8_t mac[detail::kSha256Size];
    account_mac_->mac(base_text.data(), base_text.size(), mac);
    if (sig_size != static_cast<std::ptrdiff_t>(detail::kSha256Size) ||
        !detail::equal_ct(mac, sig, detail::kSha256Size)) {
      return Reason::bad_message_signature;
    }
  }

  // 7. The body, where this server can see it, must match its Content-Digest.
  if (const auto body = request.body()) {
    char* digest_text = work.digest;
    std::size_t digest_size = 0;
    bool overflow = false;
    if (join_field_lines(request, "content-digest", digest_text, kMaxSignatureFieldSize,
                         digest_size, overflow) != 0) {
      if (overflow) return Reason::bad_content_digest;
      r = check_content_digest(std::string_view(digest_text, digest_size), *body);
      if (r != Reason::ok) return r;
    }
  }

  // 8. Replay: each signature is accepted once until it has expired (with the skew). The key
  // is a digest of the label and the signature's bytes, never the signature itself; an ECDSA
  // signature's bytes in their low-S form, so that its twin (r, n - s) is the same signature.
  if (config_.replay_store) {
    if (install) canonical_ecdsa_s(sig);
    std::uint8_t digest[detail::kSha256Size];
    detail::Sha256 hash;
    hash.update(label);
    hash.update("\0", 1);
    hash.update(sig, static_cast<std::size_t>(sig_size));
    hash.finish(digest);
    const ReplayVerdict verdict = config_.replay_store->check_and_insert(
        std::string_view(reinterpret_cast<const char*>(digest), sizeof digest),
        window.expires + skew, now);
    if (verdict == ReplayVerdict::replayed) return Reason::replayed_signature;
    if (verdict == ReplayVerdict::unavailable && !config_.replay_fail_open) {
      return Reason::replay_store_unavailable;
    }
  }
  return Reason::ok;
}

}  // namespace approov::signing
