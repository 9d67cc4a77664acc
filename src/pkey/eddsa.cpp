// Ed25519 keys (JWS "EdDSA", RFC 8037), verified with RFC 8032's algorithm by OpenSSL.
//
// Ed25519 hashes inside the primitive, so verification goes through EVP_DigestVerify with a
// digest-verify context set up once per pooled slot; OpenSSL lets such a context verify again
// and again (a one-shot call does not finalise it), which saves the context setup per verify.
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>
#include <new>

#include "families.hpp"
#include "i2d.hpp"
#include "pool.hpp"

namespace approov::detail {
namespace {

constexpr std::size_t kKeySize = 32;
constexpr std::size_t kSignatureSize = 64;

void free_context(EVP_MD_CTX* context) {
  EVP_MD_CTX_free(context);
}
using Pool = ContextPool<EVP_MD_CTX, free_context>;

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};

class Ed25519Key final : public PublicKey::Impl {
 public:
  Ed25519Key(std::unique_ptr<EVP_PKEY, PkeyDeleter> key, const std::uint8_t* x) noexcept
      : Impl(KeyType::ed25519, Curve::none, 256), key_(std::move(key)) {
    std::memcpy(x_, x, kKeySize);
  }

  std::string_view description() const noexcept override { return "Ed25519"; }

  bool fits(Algorithm algorithm) const noexcept override { return algorithm == Algorithm::EdDSA; }

  bool verify(Algorithm algorithm, std::string_view message, const std::uint8_t* signature,
              std::size_t size) const noexcept override {
    if (algorithm != Algorithm::EdDSA || size != kSignatureSize) return false;
    EVP_MD_CTX* context = pool_.take();
    if (context == nullptr && (context = new_context()) == nullptr) return false;
    int verdict;
    {
      ErrorQueueGuard errors;
      verdict =
          EVP_DigestVerify(context, signature, size,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size());
    }
    pool_.put(context);
    return verdict == 1;
  }

  bool prepare(Algorithm algorithm, std::size_t contexts) const noexcept override {
    if (algorithm != Algorithm::EdDSA) return false;
    return pool_.fill(contexts, [this] { return new_context(); });
  }

  std::vector<std::uint8_t> spki_der() const override {
    return i2d_bytes<EVP_PKEY>(key_.get(), i2d_PUBKEY);
  }

  PublicKey::Components components() const override {
    PublicKey::Components c;
    c.x.assign(x_, x_ + kKeySize);
    return c;
  }

 private:
  EVP_MD_CTX* new_context() const noexcept {
    ErrorQueueGuard errors;
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    if (context == nullptr) return nullptr;
    if (EVP_DigestVerifyInit(context, nullptr, nullptr, nullptr, key_.get()) != 1) {
      EVP_MD_CTX_free(context);
      return nullptr;
    }
    return context;
  }

  std::unique_ptr<EVP_PKEY, PkeyDeleter> key_;
  std::uint8_t x_[kKeySize];
  mutable Pool pool_;
};

// RFC 8032 5.1.3 step 1: the encoded y (the low 255 bits, little-endian) must be below
// p = 2^255 - 19. OpenSSL only finds out at verification time; catching it here turns a key
// that could never verify into a configuration error. (Whether y has a matching x is not
// checked before verification: OpenSSL offers no check, and such a key verifies nothing.)
bool canonical_y(const std::uint8_t* x) noexcept {
  if ((x[31] & 0x7F) != 0x7F) return true;
  for (int i = 30; i >= 1; --i) {
    if (x[i] != 0xFF) return true;
  }
  return x[0] < 0xED;
}

}  // namespace

KeyResult make_ed25519_key(const std::uint8_t* x, std::size_t size) noexcept {
  if (size != kKeySize) return KeyResult::failure("Ed25519 key is not 32 bytes");
  if (!canonical_y(x)) return KeyResult::failure("Ed25519 key is not a canonical encoding");
  try {
    ErrorQueueGuard errors;
    std::unique_ptr<EVP_PKEY, PkeyDeleter> key(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, x, size));
    if (key == nullptr) return KeyResult::failure("OpenSSL refused the Ed25519 key");
    return PublicKey(std::make_shared<const Ed25519Key>(std::move(key), x));
  } catch (const std::bad_alloc&) {
    return KeyResult::failure("out of memory");
  }
}

}  // namespace approov::detail
