// Private JWS machinery behind approov::JwsVerifier: the key interface that every algorithm
// implements, the compact-serialization split, the JOSE header rules and the key ring, which
// is the one place where a token's key is chosen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "approov/config.hpp"
#include "approov/jws.hpp"
#include "approov/reason.hpp"

namespace approov::detail {

/// Largest signature accepted, in bytes (RSA 8192-bit). Bigger ones are `bad_signature`.
inline constexpr std::size_t kMaxSignatureSize = 1024;

/// One verification key: an algorithm and an optional key id. Immutable after construction
/// and safe to share between threads.
class JwsKey {
 public:
  JwsKey(Algorithm algorithm, std::string key_id)
      : algorithm_(algorithm), key_id_(std::move(key_id)) {}
  virtual ~JwsKey() = default;
  JwsKey(const JwsKey&) = delete;
  JwsKey& operator=(const JwsKey&) = delete;

  [[nodiscard]] Algorithm algorithm() const noexcept { return algorithm_; }
  [[nodiscard]] const std::string& key_id() const noexcept { return key_id_; }
  /// What the key is, for messages and tools ("HS256 secret", "EC P-256", "RSA 2048-bit").
  [[nodiscard]] virtual std::string_view description() const noexcept = 0;

  /// True if `signature` (decoded bytes) is this key's signature of `signing_input` (the
  /// ASCII `header.payload`). Constant time in the signature's content for MAC keys.
  [[nodiscard]] virtual bool verify(std::string_view signing_input, const std::uint8_t* signature,
                                    std::size_t size) const noexcept = 0;

 private:
  Algorithm algorithm_;
  std::string key_id_;
};

/// A compact JWS cut into its parts, with the signature decoded. Views point into the token.
struct JwsParts {
  std::string_view header;         // base64url text
  std::string_view payload;        // base64url text
  std::string_view signing_input;  // header '.' payload
  std::size_t signature_size = 0;
  bool canonical_header = false;  // header is a known {"typ":"JWT","alg":"HS256"} spelling
  std::uint8_t signature[kMaxSignatureSize];
};

/// Size, shape, canonical base64url of all three segments, the signature's size. Decodes the
/// header (unless canonical) and the payload, each into `kMaxPayloadSize` bytes. No JSON is
/// touched here.
[[nodiscard]] Reason split_compact(std::string_view token, std::size_t max_size, JwsParts& parts,
                                   char* header_out, std::size_t& header_size, char* payload_out,
                                   std::size_t& payload_size) noexcept;

/// What the JOSE header says, once read. `kid` views point into the decoded header.
struct JoseHeader {
  std::string_view alg;  // raw (possibly escaped) string, valid only when alg_is_string
  bool alg_escaped = false;
  bool alg_is_string = false;
  bool alg_seen = false;
  bool forbidden = false;  // crit, b64, enc or zip present
  bool kid_present = false;
  bool kid_is_string = false;
  std::string_view kid;  // raw, possibly escaped
  bool kid_escaped = false;
};

/// Reads a decoded header: strict I-JSON object (`bad_json`), no crit/b64/enc/zip, kid a
/// string if present (`bad_header`). The algorithm is judged by the key ring.
[[nodiscard]] Reason read_header(std::string_view json, JoseHeader& header) noexcept;

/// True if the header's `alg` is exactly (case-sensitively) `name`.
[[nodiscard]] bool alg_is(const JoseHeader& header, std::string_view name) noexcept;

/// An immutable list of keyset keys: a key set's current contents (see `DynamicKeys`).
struct KeyList {
  std::vector<std::shared_ptr<const JwsKey>> keys;
};

class DynamicKeys;  // a key set that changes at run time (src/dynamic_keys.hpp)

/// The configured keys and the rules that pick one for a token: the one place where a token's
/// key is chosen. Keys in configuration order: the HMAC secrets first, then the keyset keys.
class KeyRing {
 public:
  /// `secret_count` leading keys of `keys` are the HS256 secrets (`VerifierConfig::secrets`);
  /// the rest, and `dynamic` (if any), form the keyset. Without a keyset the ring is in the
  /// default MAC-first mode; with one, in header-first mode (see approov::JwsVerifier).
  KeyRing(std::vector<std::shared_ptr<const JwsKey>> keys, std::size_t secret_count,
          std::shared_ptr<DynamicKeys> dynamic, std::size_t max_token_size) noexcept;

  /// Chooses the key for a split token and checks its signature and header (see
  /// approov::JwsVerifier for the rules). `header_json` is the decoded header (unused when
  /// the header is canonical). On success `used` names the key.
  [[nodiscard]] Reason verify(const JwsParts& parts, std::string_view header_json,
                              JwsKeyUsed& used) const noexcept;

  [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }
  [[nodiscard]] const JwsKey& key(std::size_t index) const noexcept { return *keys_[index]; }
  [[nodiscard]] std::size_t max_token_size() const noexcept { return max_token_size_; }
  [[nodiscard]] bool header_first() const noexcept { return header_first_; }

 private:
  [[nodiscard]] Reason verify_mac_first(const JwsParts& parts, std::string_view header_json,
                                        JwsKeyUsed& used) const noexcept;
  [[nodiscard]] Reason verify_header_first(const JwsParts& parts, std::string_view header_json,
                                           JwsKeyUsed& used) const noexcept;
  // The secret among the first `secret_count_` keys whose MAC matches, or secret_count_.
  [[nodiscard]] std::size_t find_mac(const JwsParts& parts) const noexcept;

  std::vector<std::shared_ptr<const JwsKey>> keys_;
  std::size_t secret_count_;
  std::shared_ptr<DynamicKeys> dynamic_;
  std::size_t max_token_size_;
  bool header_first_;
};

}  // namespace approov::detail
