// JWK and JWKS reading (RFC 7517, 7518, 8037) into JWS keys, and public JWK writing. Strict:
// the text is read with the token's I-JSON rules, every member that matters is checked, and a
// JWKS with any problem is refused whole. Private to the library; approov/keyset.hpp is the
// public face.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "approov/algorithm.hpp"
#include "approov/configured.hpp"
#include "jws.hpp"
#include "pkey/public_key.hpp"

namespace approov::detail {

using KeyPtr = std::shared_ptr<const JwsKey>;

/// One JWK object. `algorithm`: given by the configuration beside the key (used when the JWK
/// has no `alg`; both given must agree). Messages say what is wrong, never a secret.
[[nodiscard]] Configured<KeyPtr> read_jwk(std::string_view text,
                                          std::optional<Algorithm> algorithm = std::nullopt);

/// A JWKS document: {"keys":[...]} with at least one key, distinct kids, every key valid.
/// Messages name the key ("key #2 (kid \"a\"): ...").
[[nodiscard]] Configured<std::vector<KeyPtr>> read_jwks(std::string_view text);

/// A PEM public key given a kid and an algorithm it must fit.
[[nodiscard]] Configured<KeyPtr> read_pem_key(std::string_view pem, std::string kid,
                                              Algorithm algorithm);

/// The public JWK of `key` as compact JSON: {"kty":..,"kid":..,"use":"sig","alg":..,<members>}.
[[nodiscard]] std::string public_jwk_json(const PublicKey& key, std::string_view kid,
                                          Algorithm algorithm);

/// `text` as a JSON string literal, quotes included (kids in messages and JWKs).
[[nodiscard]] std::string json_quote(std::string_view text);

/// A kid or other untrusted value for a message: quoted, at most 64 characters, anything but
/// printable ASCII shown as \xNN.
[[nodiscard]] std::string printable(std::string_view text);

/// Checks a key id: non-empty and at most kMaxKeyIdSize bytes. Returns "" or the problem.
[[nodiscard]] std::string check_key_id(std::string_view kid);

}  // namespace approov::detail
