// RSA keys: RSASSA-PKCS1-v1_5 (RS256/384/512) and RSASSA-PSS (PS256/384/512, RFC 7518 3.5).
//
// The key is an OpenSSL provider key (EVP_PKEY_fromdata), built once. Each algorithm has its
// own pool of EVP_PKEY_CTX already set up for verification (padding, hash, MGF1 hash, salt
// length), so a verify is one digest and one EVP_PKEY_verify, which re-checks the padding and
// the DigestInfo; nothing is set per call.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <memory>
#include <new>
#include <string>

#include "families.hpp"
#include "i2d.hpp"
#include "pool.hpp"

namespace approov::detail {
namespace {

void free_context(EVP_PKEY_CTX* context) {
  EVP_PKEY_CTX_free(context);
}
using Pool = ContextPool<EVP_PKEY_CTX, free_context>;

constexpr Algorithm kRsaAlgorithms[] = {Algorithm::RS256, Algorithm::RS384, Algorithm::RS512,
                                        Algorithm::PS256, Algorithm::PS384, Algorithm::PS512};
constexpr std::size_t kAlgorithmCount = std::size(kRsaAlgorithms);

// Index of `algorithm` in kRsaAlgorithms, or kAlgorithmCount.
std::size_t index_of(Algorithm algorithm) noexcept {
  for (std::size_t i = 0; i < kAlgorithmCount; ++i) {
    if (kRsaAlgorithms[i] == algorithm) return i;
  }
  return kAlgorithmCount;
}

const EVP_MD* hash_of(Algorithm algorithm) noexcept {
  switch (algorithm) {
    case Algorithm::RS256:
    case Algorithm::PS256:
      return EVP_sha256();
    case Algorithm::RS384:
    case Algorithm::PS384:
      return EVP_sha384();
    default:
      return EVP_sha512();
  }
}

bool is_pss(Algorithm algorithm) noexcept {
  return algorithm == Algorithm::PS256 || algorithm == Algorithm::PS384 ||
         algorithm == Algorithm::PS512;
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};

class RsaKey final : public PublicKey::Impl {
 public:
  RsaKey(std::unique_ptr<EVP_PKEY, PkeyDeleter> key, std::vector<std::uint8_t> n,
         std::vector<std::uint8_t> e, std::size_t bits)
      : Impl(KeyType::rsa, Curve::none, bits),
        key_(std::move(key)),
        n_(std::move(n)),
        e_(std::move(e)),
        description_("RSA " + std::to_string(bits) + "-bit") {}

  std::string_view description() const noexcept override { return description_; }

  bool fits(Algorithm algorithm) const noexcept override {
    return index_of(algorithm) < kAlgorithmCount;
  }

  bool verify(Algorithm algorithm, std::string_view message, const std::uint8_t* signature,
              std::size_t size) const noexcept override {
    const std::size_t index = index_of(algorithm);
    // RFC 8017 8.2.2 step 1 and 8.1.2 step 1: the signature is exactly k octets long
    // (OpenSSL alone would also take a shorter one).
    if (index == kAlgorithmCount || size != n_.size()) return false;
    Digest digest;
    if (!digest_for(algorithm, message, digest)) return false;
    Pool& pool = pools_[index];
    EVP_PKEY_CTX* context = pool.take();
    if (context == nullptr && (context = new_context(algorithm)) == nullptr) return false;
    int verdict;
    {
      ErrorQueueGuard errors;
      verdict = EVP_PKEY_verify(context, signature, size, digest.bytes, digest.size);
    }
    pool.put(context);
    return verdict == 1;
  }

  bool prepare(Algorithm algorithm, std::size_t contexts) const noexcept override {
    const std::size_t index = index_of(algorithm);
    if (index == kAlgorithmCount) return false;
    return pools_[index].fill(contexts, [&] { return new_context(algorithm); });
  }

  std::vector<std::uint8_t> spki_der() const override {
    return i2d_bytes<EVP_PKEY>(key_.get(), i2d_PUBKEY);
  }

  PublicKey::Components components() const override {
    PublicKey::Components c;
    c.n = n_;
    c.e = e_;
    return c;
  }

 private:
  // A context ready for `algorithm` (nullptr if OpenSSL fails, e.g. out of memory).
  EVP_PKEY_CTX* new_context(Algorithm algorithm) const noexcept {
    ErrorQueueGuard errors;
    EVP_PKEY_CTX* context = EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr);
    if (context == nullptr) return nullptr;
    const EVP_MD* md = hash_of(algorithm);
    bool ok = EVP_PKEY_verify_init(context) == 1 && EVP_PKEY_CTX_set_signature_md(context, md) == 1;
    if (ok && is_pss(algorithm)) {
      // Salt exactly as long as the hash: RSA_PSS_SALTLEN_DIGEST makes OpenSSL's verify
      // demand that length, not merely accept it.
      ok = EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(context, md) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(context, RSA_PSS_SALTLEN_DIGEST) == 1;
    } else if (ok) {
      ok = EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1;
    }
    if (!ok) {
      EVP_PKEY_CTX_free(context);
      return nullptr;
    }
    return context;
  }

  std::unique_ptr<EVP_PKEY, PkeyDeleter> key_;
  std::vector<std::uint8_t> n_, e_;
  std::string description_;
  mutable std::array<Pool, kAlgorithmCount> pools_;
};

}  // namespace

KeyResult make_rsa_key(const std::uint8_t* n, std::size_t n_size, const std::uint8_t* e,
                       std::size_t e_size) noexcept {
  if (n_size == 0 || n[0] == 0) return KeyResult::failure("RSA modulus has leading zero octets");
  if (e_size == 0 || e[0] == 0) return KeyResult::failure("RSA exponent has leading zero octets");
  const std::size_t bits = bit_length(n, n_size);
  if (bits < kMinRsaBits) return KeyResult::failure("RSA modulus shorter than 2048 bits");
  if (bits > kMaxRsaBits) return KeyResult::failure("RSA modulus longer than 8192 bits");
  if ((n[n_size - 1] & 1) == 0) return KeyResult::failure("RSA modulus is even");
  if (e_size > 8) return KeyResult::failure("RSA exponent longer than 64 bits");
  if ((e[e_size - 1] & 1) == 0 || (e_size == 1 && e[0] < 3)) {
    return KeyResult::failure("RSA exponent is not an odd number of at least 3");
  }
  try {
    ErrorQueueGuard errors;
    BIGNUM* bn_n = BN_bin2bn(n, static_cast<int>(n_size), nullptr);
    BIGNUM* bn_e = BN_bin2bn(e, static_cast<int>(e_size), nullptr);
    OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
    OSSL_PARAM* params = nullptr;
    EVP_PKEY_CTX* context = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
    EVP_PKEY* key = nullptr;
    const bool ok = bn_n != nullptr && bn_e != nullptr && build != nullptr && context != nullptr &&
                    OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
                    OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1 &&
                    (params = OSSL_PARAM_BLD_to_param(build)) != nullptr &&
                    EVP_PKEY_fromdata_init(context) == 1 &&
                    EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(build);
    EVP_PKEY_CTX_free(context);
    BN_free(bn_n);
    BN_free(bn_e);
    std::unique_ptr<EVP_PKEY, PkeyDeleter> owned(key);
    if (!ok) return KeyResult::failure("OpenSSL refused the RSA key");
    return PublicKey(
        std::make_shared<const RsaKey>(std::move(owned), std::vector<std::uint8_t>(n, n + n_size),
                                       std::vector<std::uint8_t>(e, e + e_size), bits));
  } catch (const std::bad_alloc&) {
    return KeyResult::failure("out of memory");
  }
}

}  // namespace approov::detail
