// The JWS key over a public key: RS*, PS*, ES* and EdDSA, one algorithm per key. The family
// specifics (padding, hash, the JOSE ECDSA form, Ed25519) live in src/pkey; this adapter only
// binds a key to the one algorithm its configuration allows.
#pragma once

#include <string>
#include <utility>

#include "jws.hpp"
#include "pkey/public_key.hpp"

namespace approov::detail {

class AsymmetricKey final : public JwsKey {
 public:
  /// Precondition: `key.fits(algorithm)` (the configuration checks it and says so otherwise).
  /// Caches verification contexts for `contexts` concurrent threads.
  AsymmetricKey(Algorithm algorithm, std::string key_id, PublicKey key,
                std::size_t contexts = 4) noexcept
      : JwsKey(algorithm, std::move(key_id)), key_(std::move(key)) {
    key_.prepare(algorithm, contexts);
  }

  [[nodiscard]] bool verify(std::string_view signing_input, const std::uint8_t* signature,
                            std::size_t size) const noexcept override {
    return key_.verify(algorithm(), signing_input, signature, size);
  }

  [[nodiscard]] std::string_view description() const noexcept override {
    return key_.description();
  }
  [[nodiscard]] const PublicKey& public_key() const noexcept { return key_; }

 private:
  PublicKey key_;
};

}  // namespace approov::detail
