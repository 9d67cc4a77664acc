// gen's message-signing claims: `--ipk VALUE` or `--ipk-key FILE` (the installation public key
// that calls for an `install` signature) and `--mskid ID` (the account message-signing key id
// that calls for an `account` signature when no ipk is present).
#include <iostream>

#include "commands.hpp"
#include "json_text.hpp"
#include "signing_commands.hpp"

namespace approov_cli {

std::shared_ptr<GenSigningOptions> add_gen_signing_options(CLI::App& gen) {
  auto options = std::make_shared<GenSigningOptions>();
  options->ipk_opt_ =
      gen.add_option("--ipk", options->ipk_,
                     "set the ipk claim (message signing: base64 of a P-256 public key's DER "
                     "SubjectPublicKeyInfo, as `keygen` prints; not checked, so that broken "
                     "values can be tested)")
          ->type_name("VALUE")
          ->group("Message signing");
  auto* key = gen.add_option("--ipk-key", options->ipk_key_,
                             "set the ipk claim to the public half of the P-256 private key in "
                             "FILE (PEM or JWK, e.g. from `keygen --out FILE`)")
                  ->type_name("FILE")
                  ->group("Message signing");
  options->ipk_opt_->excludes(key);
  options->mskid_opt_ = gen.add_option("--mskid", options->mskid_,
                                       "set the mskid claim (the account message-signing key id)")
                            ->type_name("ID")
                            ->group("Message signing");
  return options;
}

int GenSigningOptions::apply(std::vector<std::string>& claims) const {
  // As gen's --claim specs, with the value quoted as a JSON string: gen's own checks (valid
  // UTF-8, a claim given twice) then apply to them too.
  if (ipk_opt_->count() > 0) claims.push_back("ipk=" + json_quote(ipk_));
  if (!ipk_key_.empty()) {
    auto key = read_private_key(ipk_key_, "--ipk-key");
    if (!key) {
      std::cerr << "approov-token gen: " << key.error() << '\n';
      return kExitUsage;
    }
    if (!key.value().fits(approov::Algorithm::ES256)) {
      std::cerr << "approov-token gen: --ipk-key " << ipk_key_
                << ": not an EC P-256 key (an installation key is ecdsa-p256-sha256; use --ipk "
                   "to set any other value)\n";
      return kExitUsage;
    }
    claims.push_back("ipk=" + json_quote(ipk_of(key.value())));
  }
  if (mskid_opt_->count() > 0) claims.push_back("mskid=" + json_quote(mskid_));
  return kExitOk;
}

}  // namespace approov_cli
