#include "jwk.hpp"

// First: it asks for OpenSSL's low-level SHA-256, which must be settled before any OpenSSL
// header is read.
#include "hs256.hpp"

#include <openssl/crypto.h>

#include <cstdio>

#include "approov/base64.hpp"
#include "approov/config.hpp"
#include "asymmetric_key.hpp"
#include "internal/json.hpp"

namespace approov::detail {

// ---- text helpers ---------------------------------------------------------------------------

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", u);
      out += escape;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string printable(std::string_view text) {
  std::string out = "\"";
  std::size_t shown = 0;
  for (const char c : text) {
    if (++shown > 64) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F && c != '"' && c != '\\') {
      out += c;
    } else {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02X", u);
      out += escape;
    }
  }
  return out + "\"";
}

std::string check_key_id(std::string_view kid) {
  if (kid.empty()) return "the key id is empty";
  if (kid.size() > kMaxKeyIdSize) {
    return "the key id is longer than " + std::to_string(kMaxKeyIdSize) + " bytes";
  }
  return {};
}

namespace {

// ---- reading one JWK ------------------------------------------------------------------------

// The members a JWK may have that matter here; anything else (x5c, x5t, ...) is ignored and
// never dereferenced.
enum Member : std::size_t { kty, kid, alg, use, key_ops, crv, n, e, x, y, k, kMemberCount };
constexpr std::string_view kMemberNames[kMemberCount] = {
    "kty", "kid", "alg", "use", "key_ops", "crv", "n", "e", "x", "y", "k"};
// Private-key members (RFC 7518 6.2.2, 6.3.2, RFC 8037 2): a verifier never holds them.
constexpr std::string_view kPrivateNames[] = {"d", "p", "q", "dp", "dq", "qi", "oth"};

struct Members {
  json::Value value[kMemberCount];
  bool seen[kMemberCount] = {};
  std::string_view private_member;  // the first private member found, if any
};

struct MemberCollector {
  Members& m;
  bool operator()(const json::Value& name, const json::Value& value) noexcept {
    for (std::size_t i = 0; i < kMemberCount; ++i) {
      if (json::string_equals(name, kMemberNames[i])) {
        m.seen[i] = true;
        m.value[i] = value;
        return true;
      }
    }
    for (const std::string_view p : kPrivateNames) {
      if (m.private_member.empty() && json::string_equals(name, p)) m.private_member = p;
    }
    return true;
  }
};

json::Options document_options(bool object) {
  json::Options options;
  options.max_size = kMaxJwksSize;
  options.require_object = object;
  return options;
}

std::string unescaped(const json::Value& v) {
  std::string out(v.raw.size(), '\0');
  out.resize(json::unescape(v.raw, out.data()));
  return out;
}

// A string member, unescaped; or the problem.
Configured<std::string> string_member(const Members& m, Member which) {
  const std::string name(kMemberNames[which]);
  if (!m.seen[which]) return Configured<std::string>::failure("has no \"" + name + "\"");
  if (m.value[which].type != json::Type::string) {
    return Configured<std::string>::failure("\"" + name + "\" is not a string");
  }
  return unescaped(m.value[which]);
}

// A base64url member (RFC 7515 2: unpadded, and here canonical), decoded.
Configured<std::vector<std::uint8_t>> bytes_member(const Members& m, Member which) {
  using Result = Configured<std::vector<std::uint8_t>>;
  auto text = string_member(m, which);
  if (!text) return Result::failure(text.error());
  std::vector<std::uint8_t> out(base64::max_decoded_size(text.value().size()));
  const std::ptrdiff_t size = base64::decode(text.value(), base64::Alphabet::url,
                                             base64::Padding::forbidden, out.data(), out.size());
  OPENSSL_cleanse(text.value().data(), text.value().size());  // `k` is a secret
  if (size <= 0) {
    OPENSSL_cleanse(out.data(), out.size());
    return Result::failure("\"" + std::string(kMemberNames[which]) +
                           "\" is not canonical unpadded base64url");
  }
  out.resize(static_cast<std::size_t>(size));
  return out;
}

std::string fit_problem(Algorithm algorithm, std::string_view what) {
  return "alg " + std::string(to_string(algorithm)) + " does not fit " + std::string(what);
}

// Everything but the key material: kty, kid, alg, use, key_ops, private members.
struct Header {
  std::string kty, kid;
  Algorithm algorithm;
};

Configured<Header> read_common(const Members& m, std::optional<Algorithm> configured) {
  using Result = Configured<Header>;
  Header h;
  auto kty_text = string_member(m, kty);
  if (!kty_text) return Result::failure(kty_text.error());
  h.kty = kty_text.value();
  if (h.kty != "RSA" && h.kty != "EC" && h.kty != "OKP" && h.kty != "oct") {
    return Result::failure("unsupported kty " + printable(h.kty) +
                           " (RSA, EC, OKP or oct expected)");
  }
  if (!m.private_member.empty()) {
    return Result::failure("has the private member \"" + std::string(m.private_member) +
                           "\": a verifier takes public keys only (publish the public JWK)");
  }
  if (h.kty != "oct" && m.seen[k]) {
    return Result::failure("has a \"k\" member, which only oct keys have");
  }
  auto kid_text = string_member(m, kid);
  if (!kid_text) return Result::failure(kid_text.error());
  h.kid = kid_text.value();
  if (std::string why = check_key_id(h.kid); !why.empty()) return Result::failure(why);
  if (m.seen[use]) {
    auto u = string_member(m, use);
    if (!u) return Result::failure(u.error());
    if (u.value() != "sig") {
      return Result::failure("\"use\" is " + printable(u.value()) + ", not \"sig\"");
    }
  }
  if (m.seen[key_ops]) {
    if (m.value[key_ops].type != json::Type::array ||
        !json::array_contains_string(m.value[key_ops].raw, "verify")) {
      return Result::failure("\"key_ops\" is not an array that contains \"verify\"");
    }
  }
  std::optional<Algorithm> own;
  if (m.seen[alg]) {
    auto name = string_member(m, alg);
    if (!name) return Result::failure(name.error());
    own = algorithm_from_string(name.value());
    if (!own) {
      return Result::failure("unsupported alg " + printable(name.value()) +
                             " (RS256/384/512, PS256/384/512, ES256/384/512, EdDSA or HS256 "
                             "expected)");
    }
  }
  if (own && configured && *own != *configured) {
    return Result::failure("has alg " + std::string(to_string(*own)) + " but " +
                           std::string(to_string(*configured)) + " was configured for it");
  }
  if (!own && !configured) {
    return Result::failure("has no \"alg\" (give the algorithm beside the key, e.g. --alg)");
  }
  h.algorithm = own ? *own : *configured;
  return h;
}

Configured<KeyPtr> make_public(const Header& h, KeyResult parsed) {
  if (!parsed) return Configured<KeyPtr>::failure(parsed.problem());
  const PublicKey& key = parsed.value();
  if (!key.fits(h.algorithm)) {
    return Configured<KeyPtr>::failure(
        fit_problem(h.algorithm, "an " + std::string(key.description()) + " key"));
  }
  return KeyPtr(std::make_shared<AsymmetricKey>(h.algorithm, h.kid, std::move(parsed).value()));
}

Configured<KeyPtr> read_members(const Members& m, std::optional<Algorithm> configured) {
  using Result = Configured<KeyPtr>;
  auto header = read_common(m, configured);
  if (!header) return Result::failure(header.error());
  const Header& h = header.value();
  if (h.kty == "RSA") {
    auto n_bytes = bytes_member(m, n);
    if (!n_bytes) return Result::failure(n_bytes.error());
    auto e_bytes = bytes_member(m, e);
    if (!e_bytes) return Result::failure(e_bytes.error());
    return make_public(h, PublicKey::from_rsa(n_bytes.value().data(), n_bytes.value().size(),
                                              e_bytes.value().data(), e_bytes.value().size()));
  }
  if (h.kty == "EC") {
    auto curve_name_text = string_member(m, crv);
    if (!curve_name_text) return Result::failure(curve_name_text.error());
    const Curve curve = curve_from_name(curve_name_text.value());
    if (curve == Curve::none) {
      return Result::failure("unsupported crv " + printable(curve_name_text.value()) +
                             " (P-256, P-384 or P-521 expected)");
    }
    auto x_bytes = bytes_member(m, x);
    if (!x_bytes) return Result::failure(x_bytes.error());
    auto y_bytes = bytes_member(m, y);
    if (!y_bytes) return Result::failure(y_bytes.error());
    return make_public(h, PublicKey::from_ec(curve, x_bytes.value().data(), x_bytes.value().size(),
                                             y_bytes.value().data(), y_bytes.value().size()));
  }
  if (h.kty == "OKP") {
    auto curve_name_text = string_member(m, crv);
    if (!curve_name_text) return Result::failure(curve_name_text.error());
    if (curve_name_text.value() != "Ed25519") {
      return Result::failure("unsupported crv " + printable(curve_name_text.value()) +
                             " (Ed25519 expected)");
    }
    auto x_bytes = bytes_member(m, x);
    if (!x_bytes) return Result::failure(x_bytes.error());
    return make_public(h, PublicKey::from_ed25519(x_bytes.value().data(), x_bytes.value().size()));
  }
  // oct: an HMAC secret with a kid, under the same size rules as APPROOV_BASE64_SECRET.
  if (h.algorithm != Algorithm::HS256)
    return Result::failure(fit_problem(h.algorithm, "an oct key"));
  auto secret = bytes_member(m, k);
  if (!secret) return Result::failure(secret.error());
  std::vector<std::uint8_t>& bytes = secret.value();
  const std::size_t size = bytes.size();
  KeyPtr key;
  if (size >= kMinSecretSize && size <= kMaxSecretSize) {
    key = std::make_shared<Hs256Key>(bytes.data(), size, h.kid);
  }
  OPENSSL_cleanse(bytes.data(), bytes.size());
  if (size < kMinSecretSize) {
    return Result::failure("the oct key \"k\" is " + std::to_string(size) +
                           " bytes long; at least " + std::to_string(kMinSecretSize) +
                           " are required");
  }
  if (size > kMaxSecretSize) {
    return Result::failure("the oct key \"k\" is longer than " + std::to_string(kMaxSecretSize) +
                           " bytes");
  }
  return key;
}

Configured<KeyPtr> read_object(std::string_view text, std::optional<Algorithm> configured) {
  Members m;
  MemberCollector collector{m};
  json::TopLevelMembers<MemberCollector> handler{collector};
  const json::Result r = json::parse_large(text, handler, document_options(true));
  if (!r) {
    return Configured<KeyPtr>::failure(std::string("is not a strict JSON object (") +
                                       json::describe(r.problem) + " at byte " +
                                       std::to_string(r.offset) + ")");
  }
  return read_members(m, configured);
}

// The elements of a validated JSON array, as their raw text and type.
struct Elements {
  std::vector<json::Value> values;
  bool begin(json::Type, std::size_t, std::size_t) noexcept { return true; }
  bool name(const json::Value&, std::size_t) noexcept { return true; }
  bool value(const json::Value& v, std::size_t depth) noexcept {
    if (depth != 1) return true;
    try {
      values.push_back(v);
    } catch (...) {  // out of memory: stop the parse
      return false;
    }
    return true;
  }
};

}  // namespace

Configured<KeyPtr> read_jwk(std::string_view text, std::optional<Algorithm> algorithm) {
  if (text.size() > kMaxJwksSize) {
    return Configured<KeyPtr>::failure("is larger than " + std::to_string(kMaxJwksSize) + " bytes");
  }
  return read_object(text, algorithm);
}

Configured<std::vector<KeyPtr>> read_jwks(std::string_view text) {
  using Result = Configured<std::vector<KeyPtr>>;
  if (text.size() > kMaxJwksSize) {
    return Result::failure("is larger than " + std::to_string(kMaxJwksSize) + " bytes");
  }
  json::Value keys_value;
  bool keys_seen = false;
  auto on_member = [&](const json::Value& name, const json::Value& value) {
    if (json::string_equals(name, "keys")) {
      keys_seen = true;
      keys_value = value;
    }
    return true;
  };
  json::TopLevelMembers<decltype(on_member)> top{on_member};
  const json::Result r = json::parse_large(text, top, document_options(true));
  if (!r) {
    return Result::failure(std::string("is not a strict JSON object (") +
                           json::describe(r.problem) + " at byte " + std::to_string(r.offset) +
                           ")");
  }
  if (!keys_seen) return Result::failure("has no \"keys\" member");
  if (keys_value.type != json::Type::array) return Result::failure("\"keys\" is not an array");
  Elements elements;
  if (!json::parse_large(keys_value.raw, elements, document_options(false))) {
    return Result::failure("\"keys\" cannot be read");  // cannot happen: validated above
  }
  if (elements.values.empty()) return Result::failure("\"keys\" is empty");
  if (elements.values.size() > kMaxJwksKeys) {
    return Result::failure("has more than " + std::to_string(kMaxJwksKeys) + " keys");
  }
  std::vector<KeyPtr> keys;
  for (std::size_t i = 0; i < elements.values.size(); ++i) {
    const json::Value& v = elements.values[i];
    const std::string which = "key #" + std::to_string(i + 1);
    if (v.type != json::Type::object) return Result::failure(which + " is not a JSON object");
    Members m;
    MemberCollector collector{m};
    json::TopLevelMembers<MemberCollector> handler{collector};
    if (!json::parse_large(v.raw, handler, document_options(true))) {
      return Result::failure(which + " cannot be read");  // validated above
    }
    std::string named = which;
    if (m.seen[kid] && m.value[kid].type == json::Type::string) {
      named += " (kid " + printable(unescaped(m.value[kid])) + ")";
    }
    auto key = read_members(m, std::nullopt);
    if (!key) return Result::failure(named + ": " + key.error());
    for (std::size_t j = 0; j < keys.size(); ++j) {
      if (keys[j]->key_id() == key.value()->key_id()) {
        return Result::failure("keys #" + std::to_string(j + 1) + " and #" + std::to_string(i + 1) +
                               " have the same kid " + printable(key.value()->key_id()));
      }
    }
    keys.push_back(std::move(key).value());
  }
  return keys;
}

Configured<KeyPtr> read_pem_key(std::string_view pem, std::string kid, Algorithm algorithm) {
  using Result = Configured<KeyPtr>;
  if (std::string why = check_key_id(kid); !why.empty()) return Result::failure(why);
  if (algorithm == Algorithm::HS256) {
    return Result::failure("a public key cannot be used with HS256 (it is not a secret)");
  }
  KeyResult parsed = PublicKey::from_pem(pem);
  if (!parsed) return Result::failure(parsed.problem());
  Header h{"", std::move(kid), algorithm};
  return make_public(h, std::move(parsed));
}

std::string public_jwk_json(const PublicKey& key, std::string_view kid, Algorithm algorithm) {
  const PublicKey::Components c = key.components();
  const auto b64 = [](const std::vector<std::uint8_t>& bytes) {
    return "\"" + base64::encode(bytes.data(), bytes.size(), base64::Alphabet::url, false) + "\"";
  };
  std::string kty;
  std::string members;
  switch (key.type()) {
    case KeyType::rsa:
      kty = "RSA";
      members = ",\"n\":" + b64(c.n) + ",\"e\":" + b64(c.e);
      break;
    case KeyType::ec:
      kty = "EC";
      members = ",\"crv\":\"" + std::string(curve_name(key.curve())) + "\",\"x\":" + b64(c.x) +
                ",\"y\":" + b64(c.y);
      break;
    case KeyType::ed25519:
      kty = "OKP";
      members = ",\"crv\":\"Ed25519\",\"x\":" + b64(c.x);
      break;
  }
  return "{\"kty\":\"" + kty + "\",\"kid\":" + json_quote(kid) + ",\"use\":\"sig\",\"alg\":\"" +
         std::string(to_string(algorithm)) + "\"" + members + "}";
}

}  // namespace approov::detail
