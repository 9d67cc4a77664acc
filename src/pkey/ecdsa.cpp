// ECDSA keys on P-256, P-384 and P-521 (ES256, ES384, ES512), signatures in the JOSE form.
//
// The key is a legacy OpenSSL EC_KEY on a group made once per curve, and verification calls
// ECDSA_do_verify directly. OpenSSL 3 deprecates this API in favour of provider keys, but
// for a key that arrives in a request (message signing's `ipk`) the provider route costs
// about 50 times more: decoding an SPKI through the provider decoders measured ~1300
// allocations against ~50 here (docs/PERFORMANCE.md). Verification through EVP_PKEY_verify
// would also need the signature re-encoded as DER and parsed back by OpenSSL.
#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>
#include <new>

#include "families.hpp"
#include "i2d.hpp"
#include "pool.hpp"

namespace approov::detail {
namespace {

constexpr std::size_t kMaxCoordinate = 66;  // P-521

struct CurveInfo {
  Curve curve;
  int nid;
  std::size_t size;  // bytes per coordinate, and per r or s
  std::size_t bits;
  Algorithm algorithm;
  const char* description;
};

constexpr CurveInfo kCurves[] = {
    {Curve::p256, NID_X9_62_prime256v1, 32, 256, Algorithm::ES256, "EC P-256"},
    {Curve::p384, NID_secp384r1, 48, 384, Algorithm::ES384, "EC P-384"},
    {Curve::p521, NID_secp521r1, 66, 521, Algorithm::ES512, "EC P-521"},
};

const CurveInfo* info_of(Curve curve) noexcept {
  for (const CurveInfo& c : kCurves) {
    if (c.curve == curve) return &c;
  }
  return nullptr;
}

// One group per curve for the whole process, made on first use (thread-safe static
// initialisation) and never freed: each key copies it, so building a key does not rebuild the
// curve from its name.
const EC_GROUP* group_of(const CurveInfo& info) noexcept {
  static EC_GROUP* const groups[] = {EC_GROUP_new_by_curve_name(kCurves[0].nid),
                                     EC_GROUP_new_by_curve_name(kCurves[1].nid),
                                     EC_GROUP_new_by_curve_name(kCurves[2].nid)};
  return groups[&info - kCurves];
}

void free_signature(ECDSA_SIG* signature) {
  ECDSA_SIG_free(signature);
}
using Pool = ContextPool<ECDSA_SIG, free_signature>;

// An ECDSA_SIG whose r and s already have room for `size` bytes, so that filling them in a
// verify allocates nothing.
ECDSA_SIG* new_signature(std::size_t size) noexcept {
  ECDSA_SIG* signature = ECDSA_SIG_new();
  BIGNUM* r = BN_new();
  BIGNUM* s = BN_new();
  if (signature == nullptr || r == nullptr || s == nullptr ||
      ECDSA_SIG_set0(signature, r, s) != 1) {
    ECDSA_SIG_free(signature);
    BN_free(r);
    BN_free(s);
    return nullptr;
  }
  std::uint8_t ones[kMaxCoordinate];
  std::memset(ones, 0xFF, size);
  if (BN_bin2bn(ones, static_cast<int>(size), r) == nullptr ||
      BN_bin2bn(ones, static_cast<int>(size), s) == nullptr) {
    ECDSA_SIG_free(signature);
    return nullptr;
  }
  return signature;
}

struct EcKeyDeleter {
  void operator()(EC_KEY* key) const noexcept { EC_KEY_free(key); }
};

class EcKey final : public PublicKey::Impl {
 public:
  EcKey(const CurveInfo& info, std::unique_ptr<EC_KEY, EcKeyDeleter> key,
        const std::uint8_t* point) noexcept
      : Impl(KeyType::ec, info.curve, info.bits), info_(info), key_(std::move(key)) {
    std::memcpy(point_, point, 1 + 2 * info.size);
    // The group order, big-endian on exactly `size` bytes, for the range checks of r and s.
    BN_bn2binpad(EC_GROUP_get0_order(EC_KEY_get0_group(key_.get())), order_,
                 static_cast<int>(info.size));
  }

  std::string_view description() const noexcept override { return info_.description; }

  bool fits(Algorithm algorithm) const noexcept override { return algorithm == info_.algorithm; }

  bool verify(Algorithm algorithm, std::string_view message, const std::uint8_t* signature,
              std::size_t size) const noexcept override {
    const std::size_t n = info_.size;
    // The JOSE form (RFC 7518 3.4): r || s, each exactly the coordinate size. A DER signature
    // has another length (or, rarely, the same length and no chance of verifying).
    if (algorithm != info_.algorithm || size != 2 * n) return false;
    if (!in_range(signature) || !in_range(signature + n)) return false;
    Digest digest;
    if (!digest_for(algorithm, message, digest)) return false;
    ECDSA_SIG* sig = pool_.take();
    if (sig == nullptr && (sig = new_signature(n)) == nullptr) return false;
    // The BIGNUMs belong to `sig`, which belongs to us: writing through get0 is allowed, and
    // their room was reserved by new_signature.
    BIGNUM* r = const_cast<BIGNUM*>(ECDSA_SIG_get0_r(sig));
    BIGNUM* s = const_cast<BIGNUM*>(ECDSA_SIG_get0_s(sig));
    int verdict = -1;
    {
      ErrorQueueGuard errors;
      if (BN_bin2bn(signature, static_cast<int>(n), r) != nullptr &&
          BN_bin2bn(signature + n, static_cast<int>(n), s) != nullptr) {
        verdict = ECDSA_do_verify(digest.bytes, static_cast<int>(digest.size), sig, key_.get());
      }
    }
    pool_.put(sig);
    return verdict == 1;
  }

  bool prepare(Algorithm algorithm, std::size_t contexts) const noexcept override {
    if (algorithm != info_.algorithm) return false;
    return pool_.fill(contexts, [this] { return new_signature(info_.size); });
  }

  std::vector<std::uint8_t> spki_der() const override {
    return i2d_bytes<EC_KEY>(key_.get(), i2d_EC_PUBKEY);
  }

  PublicKey::Components components() const override {
    PublicKey::Components c;
    c.x.assign(point_ + 1, point_ + 1 + info_.size);
    c.y.assign(point_ + 1 + info_.size, point_ + 1 + 2 * info_.size);
    return c;
  }

 private:
  // 1 <= value <= n - 1, for a big-endian value of exactly the coordinate size. The signature
  // is public: no need for constant time.
  bool in_range(const std::uint8_t* value) const noexcept {
    bool zero = true;
    for (std::size_t i = 0; i < info_.size; ++i) zero = zero && value[i] == 0;
    return !zero && std::memcmp(value, order_, info_.size) < 0;
  }

  const CurveInfo& info_;
  std::unique_ptr<EC_KEY, EcKeyDeleter> key_;
  std::uint8_t point_[1 + 2 * kMaxCoordinate];
  std::uint8_t order_[kMaxCoordinate];
  mutable Pool pool_;
};

}  // namespace

KeyResult make_ec_key(Curve curve, const std::uint8_t* point, std::size_t size) noexcept {
  const CurveInfo* info = info_of(curve);
  if (info == nullptr) return KeyResult::failure("unsupported curve");
  if (size >= 1 && (point[0] == 0x02 || point[0] == 0x03)) {
    return KeyResult::failure("compressed EC points are not supported");
  }
  if (size != 1 + 2 * info->size || point[0] != 0x04) {
    return KeyResult::failure("EC point is not an uncompressed point of the curve's size");
  }
  const EC_GROUP* group = group_of(*info);
  if (group == nullptr) return KeyResult::failure("OpenSSL cannot make the curve");
  try {
    ErrorQueueGuard errors;
    std::unique_ptr<EC_KEY, EcKeyDeleter> key(EC_KEY_new());
    if (key == nullptr || EC_KEY_set_group(key.get(), group) != 1) {
      return KeyResult::failure("out of memory");
    }
    // EC_KEY_oct2key checks that the point is on the curve (and, being uncompressed, it is
    // not the point at infinity); the curves have cofactor 1, so that is the whole check.
    if (EC_KEY_oct2key(key.get(), point, size, nullptr) != 1) {
      return KeyResult::failure("EC point is not on the curve");
    }
    return PublicKey(std::make_shared<const EcKey>(*info, std::move(key), point));
  } catch (const std::bad_alloc&) {
    return KeyResult::failure("out of memory");
  }
}

}  // namespace approov::detail
