#include "request_signer.hpp"

#include "approov/base64.hpp"
#include "approov/crypto.hpp"
#include "internal/sha256.hpp"
#include "sf/structured_fields.hpp"
#include "signature_checker.hpp"

namespace approov::signing {

std::vector<std::string> sdk_components(const RequestView& request, std::string_view token_header) {
  std::vector<std::string> out{"\"@method\"", "\"@target-uri\""};
  std::string token;
  for (char c : token_header) token += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  out.push_back("\"" + token + "\"");
  for (const char* name :
       {"approov-traceid", "authorization", "content-length", "content-type", "content-digest"}) {
    if (count_fields(request, name).count != 0) out.push_back("\"" + std::string(name) + "\"");
  }
  return out;
}

Configured<SignedHeaders> sign_request(const RequestView& request, const UriBase& uri,
                                       const SignOptions& options, const detail::SigningKey* key,
                                       const Secret* account_secret) {
  using Result = Configured<SignedHeaders>;
  const bool install = options.label == kInstallLabel;
  if (install ? key == nullptr : account_secret == nullptr) {
    return Result::failure(install ? "an installation signature needs a P-256 private key"
                                   : "an account signature needs the account secret");
  }
  if (install && !key->fits(Algorithm::ES256)) {
    return Result::failure("the key is not a P-256 key (ecdsa-p256-sha256)");
  }
  // The member as it will be sent, parsed back so the base is built from exactly it.
  std::string member = options.label + "=(";
  for (std::size_t i = 0; i < options.components.size(); ++i) {
    if (i != 0) member += ' ';
    member += options.components[i];
  }
  member += ")";
  if (!options.omit_alg) {
    member += ";alg=\"" + std::string(install ? kInstallAlgorithm : kAccountAlgorithm) + "\"";
  }
  member += ";created=" + std::to_string(options.created);
  member += ";expires=" + std::to_string(options.expires);
  if (options.keyid) member += ";keyid=\"" + *options.keyid + "\"";
  if (options.nonce) member += ";nonce=\"" + *options.nonce + "\"";
  if (options.tag) member += ";tag=\"" + *options.tag + "\"";

  sf::FixedArena<4, 128, 128> arena;
  sf::Dictionary dict;
  const sf::Result parsed = sf::parse_dictionary(member, arena, dict);
  if (!parsed || dict.members.size() != 1 || !dict.members[0].inner_list) {
    return Result::failure("the components do not form a valid Signature-Input (" +
                           std::string(sf::describe(parsed.error)) + ")");
  }
  SignedHeaders out;
  out.base.resize(kMaxSignatureBase);
  std::size_t size = 0;
  const Reason r = build_signature_base(request, uri, dict.members[0].items, dict.members[0].params,
                                        {out.base.data(), out.base.size()}, size);
  if (r != Reason::ok) {
    return Result::failure(std::string("cannot build the signature base: ") +
                           std::string(to_string(r)) + " (" + std::string(describe(r)) + ")");
  }
  out.base.resize(size);
  std::vector<std::uint8_t> sig;
  if (install) {
    sig = key->sign(Algorithm::ES256, out.base);
  } else {
    const Sha256Digest mac =
        hmac_sha256(account_secret->bytes().data(), account_secret->bytes().size(), out.base);
    sig.assign(mac.begin(), mac.end());
  }
  const std::string b64 = base64::encode(sig.data(), sig.size(), base64::Alphabet::standard, true);
  out.signature_input = member;
  out.signature = options.label + (options.string_form ? "=\"" + b64 + "\"" : "=:" + b64 + ":");
  return out;
}

std::string content_digest(std::string_view body) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  return "sha-256=:" + base64::encode(digest, sizeof digest, base64::Alphabet::standard, true) +
         ":";
}

}  // namespace approov::signing
