#include "pkey/signing_key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <map>
#include <stdexcept>

#include "approov/base64.hpp"
#include "internal/json.hpp"
#include "pkey/i2d.hpp"

namespace approov::detail {

namespace {

std::shared_ptr<evp_pkey_st> own(EVP_PKEY* key) {
  if (key == nullptr) throw std::runtime_error("OpenSSL could not make the key");
  return std::shared_ptr<evp_pkey_st>(key, EVP_PKEY_free);
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return text;
}

const char* curve_group(Curve curve) {
  switch (curve) {
    case Curve::p256:
      return "P-256";
    case Curve::p384:
      return "P-384";
    case Curve::p521:
      return "P-521";
    case Curve::none:
      break;
  }
  throw std::runtime_error("no such curve");
}

// Curve of an EC key, from its group name (OpenSSL says "prime256v1", "secp384r1", ...).
Curve curve_of(EVP_PKEY* key) {
  char name[64] = {};
  std::size_t size = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &size) !=
      1) {
    return Curve::none;
  }
  const std::string_view n(name, size);
  if (n == "prime256v1" || n == "P-256") return Curve::p256;
  if (n == "secp384r1" || n == "P-384") return Curve::p384;
  if (n == "secp521r1" || n == "P-521") return Curve::p521;
  return Curve::none;
}

const EVP_MD* hash_of(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::RS256:
    case Algorithm::PS256:
    case Algorithm::ES256:
      return EVP_sha256();
    case Algorithm::RS384:
    case Algorithm::PS384:
    case Algorithm::ES384:
      return EVP_sha384();
    case Algorithm::RS512:
    case Algorithm::PS512:
    case Algorithm::ES512:
      return EVP_sha512();
    default:
      return nullptr;
  }
}

bool is_pss(Algorithm a) {
  return a == Algorithm::PS256 || a == Algorithm::PS384 || a == Algorithm::PS512;
}

// Why a key type is refused, or nullptr.
const char* unsupported(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA")) return nullptr;
  if (EVP_PKEY_is_a(key, "ED25519")) return nullptr;
  if (EVP_PKEY_is_a(key, "EC")) {
    return curve_of(key) == Curve::none ? "EC key not on P-256, P-384 or P-521" : nullptr;
  }
  return "unsupported key type (RSA, EC or Ed25519 expected)";
}

}  // namespace

SigningKey SigningKey::generate_rsa(std::size_t bits) {
  return SigningKey(own(EVP_RSA_gen(static_cast<unsigned>(bits))));
}

SigningKey SigningKey::generate_ec(Curve curve) {
  return SigningKey(own(EVP_EC_gen(curve_group(curve))));
}

SigningKey SigningKey::generate_ed25519() {
  return SigningKey(own(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")));
}

Configured<SigningKey> SigningKey::from_pem(std::string_view text) {
  using Result = Configured<SigningKey>;
  if (text.find("ENCRYPTED") != std::string_view::npos) {
    return Result::failure("encrypted private keys are not supported");
  }
  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  if (bio == nullptr) throw std::bad_alloc();
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return Result::failure("not a PEM private key");
  auto owned = own(key);
  if (const char* why = unsupported(key)) return Result::failure(why);
  return SigningKey(std::move(owned));
}

namespace {

// The top-level string members of a JWK, unescaped. Other value types are kept as their raw
// JSON text (so that a non-string member is seen and refused by the caller).
Configured<std::map<std::string, std::string>> jwk_members(std::string_view json_text) {
  using Result = Configured<std::map<std::string, std::string>>;
  std::map<std::string, std::string> members;
  std::map<std::string, bool> is_string;
  const auto on_member = [&](const json::Value& name, const json::Value& value) {
    std::string n(name.raw.size(), '\0');
    n.resize(json::unescape(name.raw, n.data()));
    std::string v(value.raw.size(), '\0');
    if (value.type == json::Type::string) {
      v.resize(json::unescape(value.raw, v.data()));
    } else {
      v = std::string(value.raw);
    }
    is_string[n] = value.type == json::Type::string;
    members[n] = std::move(v);
    return true;
  };
  json::TopLevelMembers<decltype(on_member)> handler{on_member};
  json::Options options;
  options.max_size = 256 * 1024;
  const json::Result r = json::parse_large(json_text, handler, options);
  if (!r)
    return Result::failure(std::string("JWK is not strict JSON: ") + json::describe(r.problem));
  for (const auto& [name, string] : is_string) {
    if (!string && name != "key_ops")
      return Result::failure("JWK member " + name + " is not a string");
  }
  return members;
}

Configured<std::vector<std::uint8_t>> member_bytes(const std::map<std::string, std::string>& m,
                                                   const std::string& name) {
  using Result = Configured<std::vector<std::uint8_t>>;
  const auto it = m.find(name);
  if (it == m.end()) return Result::failure("JWK has no " + name);
  std::vector<std::uint8_t> bytes(base64::max_decoded_size(it->second.size()));
  const std::ptrdiff_t n = base64::decode(it->second, base64::Alphabet::url,
                                          base64::Padding::forbidden, bytes.data(), bytes.size());
  if (n <= 0) return Result::failure("JWK member " + name + " is not canonical base64url");
  bytes.resize(static_cast<std::size_t>(n));
  return bytes;
}

struct ParamBuild {
  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  std::vector<BIGNUM*> numbers;
  ~ParamBuild() {
    OSSL_PARAM_BLD_free(build);
    for (BIGNUM* b : numbers) BN_clear_free(b);
  }
  void number(const char* key, const std::vector<std::uint8_t>& bytes) {
    BIGNUM* b = BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr);
    numbers.push_back(b);
    if (b == nullptr || OSSL_PARAM_BLD_push_BN(build, key, b) != 1) {
      throw std::runtime_error("OpenSSL parameter failure");
    }
  }
  EVP_PKEY* make(const char* type) {
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(build);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
    EVP_PKEY* key = nullptr;
    if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params) != 1) {
      key = nullptr;
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return key;
  }
};

}  // namespace

Configured<SigningKey> SigningKey::from_jwk(std::string_view json_text) {
  using Result = Configured<SigningKey>;
  auto parsed = jwk_members(json_text);
  if (!parsed) return Result::failure(parsed.error());
  const auto& m = parsed.value();
  const auto kty = m.find("kty");
  if (kty == m.end()) return Result::failure("JWK has no kty");
  const auto bytes = [&](const char* name) { return member_bytes(m, name); };
  if (m.count("d") == 0) return Result::failure("JWK is not a private key (no d)");
  EVP_PKEY* key = nullptr;
  if (kty->second == "RSA") {
    static constexpr std::pair<const char*, const char*> kNames[] = {
        {"n", OSSL_PKEY_PARAM_RSA_N},          {"e", OSSL_PKEY_PARAM_RSA_E},
        {"d", OSSL_PKEY_PARAM_RSA_D},          {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
        {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},    {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
        {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2}, {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
    // n, e, d are required; the CRT members come all together or not at all (RFC 7518 6.3.2).
    const bool crt =
        m.count("p") + m.count("q") + m.count("dp") + m.count("dq") + m.count("qi") > 0;
    ParamBuild build;
    for (const auto& [jwk, param] : kNames) {
      if (!crt && std::string_view(jwk).size() != 1) continue;
      if (!crt && (std::string_view(jwk) == "p" || std::string_view(jwk) == "q")) continue;
      auto value = bytes(jwk);
      if (!value) return Result::failure(value.error());
      build.number(param, value.value());
    }
    key = build.make("RSA");
  } else if (kty->second == "EC") {
    const auto crv = m.find("crv");
    const Curve curve = crv == m.end() ? Curve::none : curve_from_name(crv->second);
    if (curve == Curve::none) return Result::failure("JWK crv is not P-256, P-384 or P-521");
    auto x = bytes("x"), y = bytes("y"), d = bytes("d");
    if (!x) return Result::failure(x.error());
    if (!y) return Result::failure(y.error());
    if (!d) return Result::failure(d.error());
    const std::size_t size = coordinate_size(curve);
    if (x.value().size() != size || y.value().size() != size || d.value().size() != size) {
      return Result::failure("JWK EC members are not of the curve's full size");
    }
    std::vector<std::uint8_t> point{0x04};
    point.insert(point.end(), x.value().begin(), x.value().end());
    point.insert(point.end(), y.value().begin(), y.value().end());
    ParamBuild build;
    if (OSSL_PARAM_BLD_push_utf8_string(build.build, OSSL_PKEY_PARAM_GROUP_NAME, curve_group(curve),
                                        0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(build.build, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1) {
      throw std::runtime_error("OpenSSL parameter failure");
    }
    build.number(OSSL_PKEY_PARAM_PRIV_KEY, d.value());
    key = build.make("EC");
  } else if (kty->second == "OKP") {
    const auto crv = m.find("crv");
    if (crv == m.end() || crv->second != "Ed25519")
      return Result::failure("JWK crv is not Ed25519");
    auto x = bytes("x"), d = bytes("d");
    if (!x) return Result::failure(x.error());
    if (!d) return Result::failure(d.error());
    if (d.value().size() != 32) return Result::failure("JWK d is not 32 bytes");
    key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, d.value().data(), 32);
    if (key != nullptr) {
      std::uint8_t pub[32];
      std::size_t n = sizeof pub;
      if (EVP_PKEY_get_raw_public_key(key, pub, &n) != 1 ||
          x.value() != std::vector<std::uint8_t>(pub, pub + n)) {
        EVP_PKEY_free(key);
        return Result::failure("JWK x is not the public key of d");
      }
    }
  } else {
    return Result::failure("JWK kty is not RSA, EC or OKP");
  }
  if (key == nullptr) return Result::failure("OpenSSL refused the JWK's key");
  auto owned = own(key);
  // A private key whose parts disagree would sign tokens no one can verify: sign once and
  // verify with the public members (works with or without RSA's CRT members).
  SigningKey candidate(std::move(owned));
  try {
    const Algorithm algorithm = candidate.default_algorithm();
    const std::string probe = "approov-cpp private JWK self-test";
    const std::vector<std::uint8_t> sig = candidate.sign(algorithm, probe);
    if (!candidate.public_key().verify(algorithm, probe, sig.data(), sig.size())) {
      return Result::failure("JWK private and public members do not match");
    }
  } catch (const std::exception& e) {
    return Result::failure(std::string("JWK cannot sign: ") + e.what());
  }
  return candidate;
}

Configured<SigningKey> SigningKey::from_text(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') return from_jwk(text);
  return from_pem(text);
}

std::vector<std::uint8_t> SigningKey::public_spki_der() const {
  std::vector<std::uint8_t> out = i2d_bytes<EVP_PKEY>(key_.get(), i2d_PUBKEY);
  if (out.empty()) throw std::runtime_error("OpenSSL cannot encode the public key");
  return out;
}

PublicKey SigningKey::public_key() const {
  const std::vector<std::uint8_t> der = public_spki_der();
  KeyResult parsed = PublicKey::from_spki_der(der.data(), der.size());
  if (!parsed) throw std::runtime_error(parsed.problem());
  return std::move(parsed).value();
}

bool SigningKey::fits(Algorithm algorithm) const noexcept {
  EVP_PKEY* key = key_.get();
  switch (algorithm) {
    case Algorithm::RS256:
    case Algorithm::RS384:
    case Algorithm::RS512:
    case Algorithm::PS256:
    case Algorithm::PS384:
    case Algorithm::PS512:
      return EVP_PKEY_is_a(key, "RSA");
    case Algorithm::ES256:
      return EVP_PKEY_is_a(key, "EC") && curve_of(key) == Curve::p256;
    case Algorithm::ES384:
      return EVP_PKEY_is_a(key, "EC") && curve_of(key) == Curve::p384;
    case Algorithm::ES512:
      return EVP_PKEY_is_a(key, "EC") && curve_of(key) == Curve::p521;
    case Algorithm::EdDSA:
      return EVP_PKEY_is_a(key, "ED25519");
    case Algorithm::HS256:
      break;
  }
  return false;
}

Algorithm SigningKey::default_algorithm() const noexcept {
  EVP_PKEY* key = key_.get();
  if (EVP_PKEY_is_a(key, "ED25519")) return Algorithm::EdDSA;
  if (EVP_PKEY_is_a(key, "EC")) {
    switch (curve_of(key)) {
      case Curve::p384:
        return Algorithm::ES384;
      case Curve::p521:
        return Algorithm::ES512;
      default:
        return Algorithm::ES256;
    }
  }
  return Algorithm::RS256;
}

std::vector<std::uint8_t> SigningKey::sign(Algorithm algorithm, std::string_view message) const {
  const EVP_MD* md = hash_of(algorithm);
  return sign_pss_with_salt(algorithm, message, md == nullptr ? 0 : EVP_MD_get_size(md));
}

std::vector<std::uint8_t> SigningKey::sign_pss_with_salt(Algorithm algorithm,
                                                         std::string_view message,
                                                         int salt_length) const {
  if (!fits(algorithm)) throw std::runtime_error("the key does not fit the algorithm");
  const EVP_MD* md = algorithm == Algorithm::EdDSA ? nullptr : hash_of(algorithm);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  std::vector<std::uint8_t> sig;
  bool ok = ctx != nullptr && EVP_DigestSignInit(ctx, &pctx, md, nullptr, key_.get()) == 1;
  if (ok && is_pss(algorithm)) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt_length) == 1;
  }
  std::size_t size = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  if (ok) ok = EVP_DigestSign(ctx, nullptr, &size, data, message.size()) == 1;
  if (ok) {
    sig.resize(size);
    ok = EVP_DigestSign(ctx, sig.data(), &size, data, message.size()) == 1;
    sig.resize(size);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("OpenSSL could not sign");
  if (EVP_PKEY_is_a(key_.get(), "EC")) {
    // DER ECDSA-Sig-Value to the JOSE form r || s, each of the coordinate size.
    const std::size_t n = coordinate_size(curve_of(key_.get()));
    const unsigned char* p = sig.data();
    ECDSA_SIG* der = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    if (der == nullptr) throw std::runtime_error("OpenSSL made an unreadable ECDSA signature");
    std::vector<std::uint8_t> raw(2 * n);
    BN_bn2binpad(ECDSA_SIG_get0_r(der), raw.data(), static_cast<int>(n));
    BN_bn2binpad(ECDSA_SIG_get0_s(der), raw.data() + n, static_cast<int>(n));
    ECDSA_SIG_free(der);
    return raw;
  }
  return sig;
}

std::string SigningKey::mint(Algorithm algorithm, std::string_view header_json,
                             std::string_view payload_json) const {
  std::string token = base64::encode_url(header_json) + "." + base64::encode_url(payload_json);
  const std::vector<std::uint8_t> sig = sign(algorithm, token);
  return token + "." + base64::encode(sig.data(), sig.size(), base64::Alphabet::url, false);
}

std::string SigningKey::private_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    BIO_free(bio);
    throw std::runtime_error("OpenSSL cannot write the private key");
  }
  return bio_text(bio);
}

std::string SigningKey::public_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio, key_.get()) != 1) {
    BIO_free(bio);
    throw std::runtime_error("OpenSSL cannot write the public key");
  }
  return bio_text(bio);
}

}  // namespace approov::detail
