#include "approov/crypto.hpp"

#include "approov/base64.hpp"
#include "internal/sha256.hpp"

namespace approov {

Sha256Digest sha256(std::string_view data) noexcept {
  Sha256Digest out;
  detail::Sha256 hash;
  hash.update(data);
  hash.finish(out.data());
  return out;
}

Sha256Digest hmac_sha256(const std::uint8_t* key, std::size_t key_size,
                         std::string_view data) noexcept {
  Sha256Digest out;
  detail::HmacKey(key, key_size).mac(data.data(), data.size(), out.data());
  return out;
}

std::string mint_hs256(std::string_view header_json, std::string_view payload_json,
                       const std::uint8_t* key, std::size_t key_size) {
  std::string token = base64::encode_url(header_json);
  token += '.';
  token += base64::encode_url(payload_json);
  const Sha256Digest mac = hmac_sha256(key, key_size, token);
  token += '.';
  token += base64::encode(mac.data(), mac.size(), base64::Alphabet::url, false);
  return token;
}

std::string pay_claim_for(std::string_view bound_value) {
  const Sha256Digest digest = sha256(bound_value);
  return base64::encode(digest.data(), digest.size(), base64::Alphabet::standard, true);
}

}  // namespace approov
