#include "jws.hpp"

#include <cstring>

#include "approov/base64.hpp"
#include "approov/keyset.hpp"
#include "dynamic_keys.hpp"
#include "hs256.hpp"
#include "internal/json.hpp"

namespace approov {

// ---- algorithms ----------------------------------------------------------------------------

namespace {
constexpr std::string_view kAlgorithmNames[] = {"HS256", "RS256", "RS384", "RS512",
                                                "PS256", "PS384", "PS512", "ES256",
                                                "ES384", "ES512", "EdDSA"};
}  // namespace

std::string_view to_string(Algorithm algorithm) noexcept {
  const auto i = static_cast<std::size_t>(algorithm);
  return i < std::size(kAlgorithmNames) ? kAlgorithmNames[i] : std::string_view("unknown");
}

std::optional<Algorithm> algorithm_from_string(std::string_view name) noexcept {
  for (std::size_t i = 0; i < std::size(kAlgorithmNames); ++i) {
    if (kAlgorithmNames[i] == name) return static_cast<Algorithm>(i);
  }
  return std::nullopt;
}

namespace detail {

// ---- the compact serialization -------------------------------------------------------------

namespace {

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

// A signature segment too long for kMaxSignatureSize: tell a non-canonical encoding
// (malformed) from a well-encoded signature of the wrong size (bad_signature).
[[gnu::noinline]] Reason classify_long_signature(std::string_view signature) noexcept {
  std::uint8_t scratch[base64::max_decoded_size(kMaxTokenSize)];
  if (signature.size() > kMaxTokenSize) return Reason::malformed;
  return base64::decode(signature, base64::Alphabet::url, base64::Padding::forbidden, scratch,
                        sizeof scratch) < 0
             ? Reason::malformed
             : Reason::bad_signature;
}

}  // namespace

Reason split_compact(std::string_view token, std::size_t max_size, JwsParts& parts,
                     char* header_out, std::size_t& header_size, char* payload_out,
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
  if (signature.size() > (kMaxSignatureSize + 2) / 3 * 4) return classify_long_signature(signature);
  const std::ptrdiff_t s = base64::decode(signature, Alphabet::url, Padding::forbidden,
                                          parts.signature, sizeof parts.signature);
  if (s < 0) return classify_long_signature(signature);
  parts.signature_size = static_cast<std::size_t>(s);
  return Reason::ok;
}

// ---- the JOSE header -------------------------------------------------------------------------

Reason read_header(std::string_view text, JoseHeader& h) noexcept {
  const auto member = [&h](const json::Value& name, const json::Value& v) noexcept {
    if (json::string_equals(name.raw, name.escaped, "alg")) {
      h.alg_seen = true;
      h.alg_is_string = v.type == json::Type::string;
      h.alg = v.raw;
      h.alg_escaped = v.escaped;
    } else if (json::string_equals(name.raw, name.escaped, "kid")) {
      h.kid_present = true;
      h.kid_is_string = v.type == json::Type::string;
      h.kid = v.raw;
      h.kid_escaped = v.escaped;
    } else if (json::string_equals(name.raw, name.escaped, "crit") ||
               json::string_equals(name.raw, name.escaped, "b64") ||
               json::string_equals(name.raw, name.escaped, "enc") ||
               json::string_equals(name.raw, name.escaped, "zip")) {
      h.forbidden = true;
    }
    return true;  // keep going: the whole header must be valid JSON
  };
  if (!json::for_each_member(text, member)) return Reason::bad_json;
  if (!h.alg_seen || !h.alg_is_string || h.forbidden || (h.kid_present && !h.kid_is_string)) {
    return Reason::bad_header;
  }
  return Reason::ok;
}

bool alg_is(const JoseHeader& header, std::string_view name) noexcept {
  return header.alg_is_string && json::string_equals(header.alg, header.alg_escaped, name);
}

// ---- the key ring --------------------------------------------------------------------------

KeyRing::KeyRing(std::vector<std::shared_ptr<const JwsKey>> keys, std::size_t secret_count,
                 std::shared_ptr<DynamicKeys> dynamic, std::size_t max_token_size) noexcept
    : keys_(std::move(keys)),
      secret_count_(secret_count),
      dynamic_(std::move(dynamic)),
      max_token_size_(max_token_size),
      header_first_(keys_.size() > secret_count_ || dynamic_ != nullptr) {}

Reason KeyRing::verify(const JwsParts& parts, std::string_view header_json,
                       JwsKeyUsed& used) const noexcept {
  if (!header_first_) return verify_mac_first(parts, header_json, used);
  return verify_header_first(parts, header_json, used);
}

std::size_t KeyRing::find_mac(const JwsParts& parts) const noexcept {
  for (std::size_t i = 0; i < secret_count_; ++i) {
    if (keys_[i]->verify(parts.signing_input, parts.signature, parts.signature_size)) return i;
  }
  return secret_count_;
}

// HS256 secrets only: the MAC picks the key before any JSON is read, so unauthenticated JSON
// is never parsed. With several secrets (rotation) each is tried in order; every comparison is
// constant-time.
Reason KeyRing::verify_mac_first(const JwsParts& parts, std::string_view header_json,
                                 JwsKeyUsed& used) const noexcept {
  const std::size_t key = find_mac(parts);
  if (key == secret_count_) return Reason::bad_signature;

  // Authenticated from here on: the JSON may be parsed. A canonical header is HS256 without
  // a kid: the defaults are its facts.
  if (!parts.canonical_header) {
    JoseHeader header;
    const Reason r = read_header(header_json, header);
    if (r != Reason::ok) return r;
    if (!alg_is(header, "HS256")) return Reason::bad_header;
    // With one secret `kid` is ignored; with several, a `kid` selects by exact match, so the
    // secret whose MAC matched must carry that id (secrets without an id only verify tokens
    // without `kid`).
    if (keys_.size() > 1 && header.kid_present &&
        !json::string_equals(header.kid, header.kid_escaped, keys_[key]->key_id())) {
      return Reason::unknown_kid;
    }
  }
  used.index = key;
  used.key_id = keys_[key]->key_id();
  used.algorithm = Algorithm::HS256;
  return Reason::ok;
}

namespace {

// The key in `keys` whose id is the token's kid (raw, possibly escaped), or nullptr. Ids are at
// most kMaxKeyIdSize bytes, so a longer unescaped kid can match nothing: its length is checked
// first (an escaped kid is never shorter than its unescaped value).
const JwsKey* find_kid(const std::shared_ptr<const JwsKey>* keys, std::size_t count,
                       const JoseHeader& header, std::size_t& index) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    const std::string& id = keys[i]->key_id();
    if (id.empty()) continue;
    if (!header.kid_escaped && header.kid.size() != id.size()) continue;
    if (json::string_equals(header.kid, header.kid_escaped, id)) {
      index = i;
      return keys[i].get();
    }
  }
  return nullptr;
}

}  // namespace

// A keyset is configured: the header names the key. This is the documented rule of
// approov::JwsVerifier (and docs/KEYSETS.md), step by step. The header is unauthenticated
// here; it is read under the same size and strict JSON rules as an authenticated one, its
// members are only compared, and nothing it names (jku, x5u, ...) is ever dereferenced.
[[gnu::noinline]] Reason KeyRing::verify_header_first(const JwsParts& parts,
                                                      std::string_view header_json,
                                                      JwsKeyUsed& used) const noexcept {
  JoseHeader header;
  if (parts.canonical_header) {
    header.alg = "HS256";
    header.alg_is_string = header.alg_seen = true;
  } else {
    const Reason r = read_header(header_json, header);
    if (r != Reason::ok) return r;
  }
  // The current keys of a key set, held for this verification by this thread's cache.
  const KeyList* dynamic = dynamic_ != nullptr ? &dynamic_->acquire() : nullptr;
  const std::size_t static_count = keys_.size() - secret_count_;
  const std::size_t dynamic_count = dynamic != nullptr ? dynamic->keys.size() : 0;

  const JwsKey* key = nullptr;
  std::size_t index = 0;
  if (header.kid_present) {
    // 1. The kid selects: keyset keys first (the configured ones, then a key set's), then the
    //    secrets that have an id.
    std::size_t i = 0;
    if ((key = find_kid(keys_.data() + secret_count_, static_count, header, i)) != nullptr) {
      index = secret_count_ + i;
    } else if (dynamic != nullptr &&
               (key = find_kid(dynamic->keys.data(), dynamic_count, header, i)) != nullptr) {
      index = keys_.size() + i;
    } else if ((key = find_kid(keys_.data(), secret_count_, header, i)) != nullptr) {
      index = i;
    } else {
      // Perhaps a key the set gained since it was last fetched: ask for a refresh.
      if (dynamic_ != nullptr) dynamic_->request_refresh();
      return Reason::unknown_kid;
    }
  } else if (secret_count_ > 0 && alg_is(header, "HS256")) {
    // 2. Approov's default tokens (HS256, no kid) go to the secrets, the MAC picking one.
    const std::size_t i = find_mac(parts);
    if (i == secret_count_) return Reason::bad_signature;
    used.index = i;
    used.key_id = keys_[i]->key_id();
    used.algorithm = Algorithm::HS256;
    return Reason::ok;
  } else if (static_count + dynamic_count == 1) {
    // 3. Without a kid, the keyset's only key.
    if (static_count == 1) {
      key = keys_[secret_count_].get();
      index = secret_count_;
    } else {
      key = dynamic->keys[0].get();
      index = keys_.size();
    }
  } else {
    return Reason::unknown_kid;
  }
  // The key fixes the algorithm; the header must agree exactly. This is what keeps an RSA or
  // EC public key from ever being taken as an HMAC secret, and "none" out.
  if (!alg_is(header, to_string(key->algorithm()))) return Reason::bad_algorithm;
  if (!key->verify(parts.signing_input, parts.signature, parts.signature_size)) {
    return Reason::bad_signature;
  }
  used.index = index;
  used.key_id = key->key_id();
  used.algorithm = key->algorithm();
  return Reason::ok;
}

}  // namespace detail

// ---- JwsVerifier -------------------------------------------------------------------------------

namespace {

// Checks the secrets (sizes, ids) and turns them into HS256 keys.
Configured<std::vector<std::shared_ptr<const detail::JwsKey>>> secret_keys(
    const std::vector<Secret>& secrets) {
  using Result = Configured<std::vector<std::shared_ptr<const detail::JwsKey>>>;
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    const Secret& s = secrets[i];
    const std::string which =
        secrets.size() == 1 ? std::string("the secret") : "secret #" + std::to_string(i + 1);
    if (s.bytes().size() < kMinSecretSize) {
      return Result::failure(which + " is " + std::to_string(s.bytes().size()) +
                             " bytes long; at least " + std::to_string(kMinSecretSize) +
                             " are required");
    }
    if (s.bytes().size() > kMaxSecretSize) {
      return Result::failure(which + " is longer than " + std::to_string(kMaxSecretSize) +
                             " bytes");
    }
    if (s.key_id().size() > kMaxKeyIdSize) {
      return Result::failure(which + " has a key id longer than " + std::to_string(kMaxKeyIdSize) +
                             " bytes");
    }
    if (secrets.size() > 1 && !s.key_id().empty()) {
      for (std::size_t j = 0; j < i; ++j) {
        if (secrets[j].key_id() == s.key_id()) {
          return Result::failure("two secrets have the same key id \"" + s.key_id() + "\"");
        }
      }
    }
  }
  std::vector<std::shared_ptr<const detail::JwsKey>> keys;
  for (const Secret& s : secrets) {
    keys.push_back(
        std::make_shared<detail::Hs256Key>(s.bytes().data(), s.bytes().size(), s.key_id()));
  }
  return keys;
}

Configured<bool> check_token_size(std::size_t max_token_size) {
  if (max_token_size == 0 || max_token_size > kMaxTokenSize) {
    return Configured<bool>::failure("the token size limit must be between 1 and " +
                                     std::to_string(kMaxTokenSize) + " bytes");
  }
  return true;
}

}  // namespace

Configured<JwsVerifier> JwsVerifier::create(const std::vector<Secret>& secrets,
                                            std::size_t max_token_size) {
  using Result = Configured<JwsVerifier>;
  if (secrets.empty()) return Result::failure("no secret configured");
  return create(secrets, {}, nullptr, max_token_size);
}

Configured<JwsVerifier> JwsVerifier::create(const std::vector<Secret>& secrets,
                                            const std::vector<VerificationKey>& keys,
                                            std::shared_ptr<KeySet> key_set,
                                            std::size_t max_token_size) {
  using Result = Configured<JwsVerifier>;
  if (secrets.empty() && keys.empty() && key_set == nullptr) {
    return Result::failure("no secret or key configured");
  }
  auto ring_keys = secret_keys(secrets);
  if (!ring_keys) return Result::failure(ring_keys.error());
  if (auto size = check_token_size(max_token_size); !size) return Result::failure(size.error());
  std::vector<std::shared_ptr<const detail::JwsKey>> all = std::move(ring_keys).value();
  // Key ids identify one key across secrets and keys (a key set's ids are checked when the set
  // is replaced; its keys come before the secrets when a kid is looked up).
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto& key = keys[i].jws_key();
    if (key == nullptr) return Result::failure("key #" + std::to_string(i + 1) + " is empty");
    for (const auto& other : all) {
      if (!other->key_id().empty() && other->key_id() == key->key_id()) {
        return Result::failure("two keys have the same key id \"" + key->key_id() + "\"");
      }
    }
    all.push_back(key);
  }
  return JwsVerifier(std::make_shared<const detail::KeyRing>(
      std::move(all), secrets.size(),
      key_set != nullptr ? key_set->dynamic_keys() : std::shared_ptr<detail::DynamicKeys>(),
      max_token_size));
}

Reason JwsVerifier::verify(std::string_view token, char* payload_out, std::size_t& payload_size,
                           JwsKeyUsed& used) const noexcept {
  detail::JwsParts parts;
  char header_json[kMaxPayloadSize];
  std::size_t header_size = 0;
  payload_size = 0;
  const Reason r = detail::split_compact(token, ring_->max_token_size(), parts, header_json,
                                         header_size, payload_out, payload_size);
  if (r != Reason::ok) return r;
  return ring_->verify(parts, std::string_view(header_json, header_size), used);
}

Reason JwsVerifier::verify(std::string_view token, char* payload_out, std::size_t& payload_size,
                           std::size_t* key_index) const noexcept {
  JwsKeyUsed used;
  const Reason r = verify(token, payload_out, payload_size, used);
  if (r == Reason::ok && key_index != nullptr) *key_index = used.index;
  return r;
}

bool JwsVerifier::header_first() const noexcept {
  return ring_->header_first();
}

std::size_t JwsVerifier::key_count() const noexcept {
  return ring_->size();
}

std::string_view JwsVerifier::key_id(std::size_t index) const noexcept {
  return index < ring_->size() ? std::string_view(ring_->key(index).key_id()) : std::string_view();
}

}  // namespace approov
