#include "public_key.hpp"

#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include <openssl/sha.h>

#include <cstring>
#include <initializer_list>
#include <new>

#include "approov/base64.hpp"
#include "der.hpp"
#include "families.hpp"

namespace approov::detail {

// ---- shared helpers ---------------------------------------------------------------------

std::size_t coordinate_size(Curve curve) noexcept {
  switch (curve) {
    case Curve::p256:
      return 32;
    case Curve::p384:
      return 48;
    case Curve::p521:
      return 66;
    case Curve::none:
      break;
  }
  return 0;
}

std::string_view curve_name(Curve curve) noexcept {
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
  return {};
}

Curve curve_from_name(std::string_view name) noexcept {
  for (Curve c : {Curve::p256, Curve::p384, Curve::p521}) {
    if (curve_name(c) == name) return c;
  }
  return Curve::none;
}

std::size_t bit_length(const std::uint8_t* bytes, std::size_t size) noexcept {
  std::size_t i = 0;
  while (i < size && bytes[i] == 0) ++i;
  if (i == size) return 0;
  std::size_t bits = (size - i) * 8;
  for (std::uint8_t top = bytes[i]; (top & 0x80) == 0; top = static_cast<std::uint8_t>(top << 1)) {
    --bits;
  }
  return bits;
}

// The low-level one-shot digests keep their state on the stack (no allocation), unlike
// EVP_Digest, which allocates a context per call.
bool digest_for(Algorithm algorithm, std::string_view message, Digest& out) noexcept {
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  switch (algorithm) {
    case Algorithm::RS256:
    case Algorithm::PS256:
    case Algorithm::ES256:
      SHA256(data, message.size(), out.bytes);
      out.size = SHA256_DIGEST_LENGTH;
      return true;
    case Algorithm::RS384:
    case Algorithm::PS384:
    case Algorithm::ES384:
      SHA384(data, message.size(), out.bytes);
      out.size = SHA384_DIGEST_LENGTH;
      return true;
    case Algorithm::RS512:
    case Algorithm::PS512:
    case Algorithm::ES512:
      SHA512(data, message.size(), out.bytes);
      out.size = SHA512_DIGEST_LENGTH;
      return true;
    case Algorithm::HS256:
    case Algorithm::EdDSA:
      break;
  }
  return false;
}

// ---- DER: SubjectPublicKeyInfo and PKCS#1 ---------------------------------------------------

namespace {

constexpr std::uint8_t kOidRsaEncryption[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01};
constexpr std::uint8_t kOidRsaPss[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A};
constexpr std::uint8_t kOidEcPublicKey[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};
constexpr std::uint8_t kOidP256[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
constexpr std::uint8_t kOidP384[] = {0x2B, 0x81, 0x04, 0x00, 0x22};
constexpr std::uint8_t kOidP521[] = {0x2B, 0x81, 0x04, 0x00, 0x23};
constexpr std::uint8_t kOidEd25519[] = {0x2B, 0x65, 0x70};
constexpr std::uint8_t kDerNull[] = {0x05, 0x00};

template <std::size_t N>
bool is(const der::Reader& r, const std::uint8_t (&bytes)[N]) noexcept {
  return r.equals(bytes, N);
}

// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1),
// filling the whole input.
KeyResult parse_rsa_public_key(der::Reader in) noexcept {
  der::Reader body, n, e;
  if (!in.read(der::kSequence, body) || !in.empty() || !der::read_positive_integer(body, n) ||
      !der::read_positive_integer(body, e) || !body.empty()) {
    return KeyResult::failure("not a DER RSAPublicKey");
  }
  return make_rsa_key(n.p, n.size(), e.p, e.size());
}

}  // namespace

KeyResult PublicKey::from_spki_der(const std::uint8_t* der_bytes, std::size_t size) noexcept {
  if (der_bytes == nullptr) return KeyResult::failure("empty key");
  der::Reader in(der_bytes, size);
  der::Reader spki, algorithm, bits, oid;
  if (!in.read(der::kSequence, spki) || !in.empty() || !spki.read(der::kSequence, algorithm) ||
      !spki.read(der::kBitString, bits) || !spki.empty() || !algorithm.read(der::kOid, oid)) {
    return KeyResult::failure("not a DER SubjectPublicKeyInfo");
  }
  // A BIT STRING's first octet counts the unused bits of its last octet: a key has none.
  if (bits.empty() || bits.p[0] != 0) return KeyResult::failure("not a DER SubjectPublicKeyInfo");
  ++bits.p;
  const der::Reader& parameters = algorithm;  // what follows the OID
  if (is(oid, kOidEcPublicKey)) {
    der::Reader named;
    der::Reader rest = parameters;
    if (!rest.read(der::kOid, named) || !rest.empty()) {
      return KeyResult::failure("EC key without a named curve");
    }
    Curve curve = Curve::none;
    if (is(named, kOidP256)) curve = Curve::p256;
    if (is(named, kOidP384)) curve = Curve::p384;
    if (is(named, kOidP521)) curve = Curve::p521;
    if (curve == Curve::none) return KeyResult::failure("EC curve is not P-256, P-384 or P-521");
    return make_ec_key(curve, bits.p, bits.size());
  }
  if (is(oid, kOidRsaEncryption)) {
    if (!is(parameters, kDerNull)) return KeyResult::failure("RSA key parameters are not NULL");
    return parse_rsa_public_key(bits);
  }
  if (is(oid, kOidEd25519)) {
    if (!parameters.empty()) return KeyResult::failure("Ed25519 key with parameters");
    return make_ed25519_key(bits.p, bits.size());
  }
  if (is(oid, kOidRsaPss)) {
    return KeyResult::failure(
        "RSASSA-PSS-only keys are not supported (use an rsaEncryption key; it serves PS* too)");
  }
  return KeyResult::failure("unsupported key type (RSA, EC or Ed25519 expected)");
}

// ---- PEM ------------------------------------------------------------------------------------

namespace {

constexpr std::size_t kMaxPemSize = 64 * 1024;

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

KeyResult PublicKey::from_pem(std::string_view text) noexcept {
  if (text.size() > kMaxPemSize) return KeyResult::failure("PEM text longer than 64 KiB");
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  constexpr std::string_view kBegin = "-----BEGIN ";
  constexpr std::string_view kDashes = "-----";
  if (text.substr(0, kBegin.size()) != kBegin) return KeyResult::failure("not PEM text");
  const std::size_t label_end = text.find(kDashes, kBegin.size());
  if (label_end == std::string_view::npos) return KeyResult::failure("not PEM text");
  const std::string_view label = text.substr(kBegin.size(), label_end - kBegin.size());
  if (label.find("PRIVATE KEY") != std::string_view::npos) {
    return KeyResult::failure(
        "a private key: a verifier takes public keys only (openssl pkey -pubout)");
  }
  if (label == "CERTIFICATE") {
    return KeyResult::failure("a certificate: give its public key (openssl x509 -pubkey)");
  }
  const bool spki = label == "PUBLIC KEY";
  if (!spki && label != "RSA PUBLIC KEY") {
    return KeyResult::failure("PEM block is neither PUBLIC KEY nor RSA PUBLIC KEY");
  }
  // The text must end with the matching END line, and hold nothing else.
  const std::size_t body_start = label_end + kDashes.size();
  const std::size_t end_size = kDashes.size() + 4 + label.size() + kDashes.size();
  if (text.size() < body_start + end_size) return KeyResult::failure("PEM END line missing");
  const std::string_view end_line = text.substr(text.size() - end_size);
  if (end_line.substr(0, 9) != "-----END " || end_line.substr(9, label.size()) != label ||
      end_line.substr(9 + label.size()) != kDashes) {
    return KeyResult::failure("PEM END line missing or not matching its BEGIN line");
  }
  const std::string_view body = text.substr(body_start, text.size() - end_size - body_start);
  if (body.find("-----") != std::string_view::npos) {
    return KeyResult::failure("more than one PEM block");
  }
  try {
    std::string compact;
    compact.reserve(body.size());
    for (char c : body) {
      if (!is_space(c)) compact.push_back(c);
    }
    std::vector<std::uint8_t> der_bytes(base64::max_decoded_size(compact.size()));
    const std::ptrdiff_t n =
        base64::decode(compact, base64::Alphabet::standard, base64::Padding::required,
                       der_bytes.data(), der_bytes.size());
    if (n <= 0) return KeyResult::failure("PEM body is not canonical base64");
    if (spki) return from_spki_der(der_bytes.data(), static_cast<std::size_t>(n));
    return parse_rsa_public_key(der::Reader(der_bytes.data(), static_cast<std::size_t>(n)));
  } catch (const std::bad_alloc&) {
    return KeyResult::failure("out of memory");
  }
}

// ---- components -------------------------------------------------------------------------------

KeyResult PublicKey::from_rsa(const std::uint8_t* n, std::size_t n_size, const std::uint8_t* e,
                              std::size_t e_size) noexcept {
  if (n == nullptr || e == nullptr) return KeyResult::failure("RSA key without n or e");
  return make_rsa_key(n, n_size, e, e_size);
}

KeyResult PublicKey::from_ec(Curve curve, const std::uint8_t* x, std::size_t x_size,
                             const std::uint8_t* y, std::size_t y_size) noexcept {
  const std::size_t size = coordinate_size(curve);
  if (size == 0) return KeyResult::failure("unsupported curve");
  if (x == nullptr || y == nullptr || x_size != size || y_size != size) {
    return KeyResult::failure("EC coordinates are not of the curve's full size");
  }
  std::uint8_t point[1 + 2 * 66];
  point[0] = 0x04;
  std::memcpy(point + 1, x, size);
  std::memcpy(point + 1 + size, y, size);
  return make_ec_key(curve, point, 1 + 2 * size);
}

KeyResult PublicKey::from_ed25519(const std::uint8_t* x, std::size_t size) noexcept {
  if (x == nullptr) return KeyResult::failure("Ed25519 key without x");
  return make_ed25519_key(x, size);
}

// ---- the key ----------------------------------------------------------------------------------

KeyType PublicKey::type() const noexcept {
  return impl_->type();
}
Curve PublicKey::curve() const noexcept {
  return impl_->curve();
}
std::size_t PublicKey::bits() const noexcept {
  return impl_->bits();
}
std::string_view PublicKey::description() const noexcept {
  return impl_->description();
}
bool PublicKey::fits(Algorithm algorithm) const noexcept {
  return impl_->fits(algorithm);
}
bool PublicKey::verify(Algorithm algorithm, std::string_view message, const std::uint8_t* signature,
                       std::size_t size) const noexcept {
  return signature != nullptr && impl_->verify(algorithm, message, signature, size);
}
bool PublicKey::prepare(Algorithm algorithm, std::size_t contexts) const noexcept {
  return impl_->prepare(algorithm, contexts);
}
std::vector<std::uint8_t> PublicKey::spki_der() const {
  return impl_->spki_der();
}
PublicKey::Components PublicKey::components() const {
  return impl_->components();
}

}  // namespace approov::detail
