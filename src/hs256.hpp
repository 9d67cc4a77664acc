// HS256 (HMAC-SHA256) as one JWS key type: the secret is absorbed into pre-keyed HMAC state
// once, so a verification costs the message blocks plus two compression calls, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "internal/sha256.hpp"
#include "jws.hpp"

namespace approov::detail {

class Hs256Key final : public JwsKey {
 public:
  Hs256Key(const std::uint8_t* secret, std::size_t size, std::string key_id) noexcept
      : JwsKey(Algorithm::HS256, std::move(key_id)), mac_(secret, size) {}

  std::string_view description() const noexcept override { return "HS256 secret"; }

  /// A signature of exactly 32 bytes equal, in constant time, to the MAC of `signing_input`.
  [[nodiscard]] bool verify(std::string_view signing_input, const std::uint8_t* signature,
                            std::size_t size) const noexcept override {
    if (size != kSha256Size) return false;
    // The expected MAC is left on the stack: it authenticates only this signing input, which
    // the caller holds anyway (a verify does no cleansing work it need not do).
    std::uint8_t mac[kSha256Size];
    mac_.mac(signing_input.data(), signing_input.size(), mac);
    return equal_ct(mac, signature, kSha256Size);
  }

 private:
  HmacKey mac_;
};

}  // namespace approov::detail
