#include "secret_source.hpp"

#include <cstdlib>
#include <utility>

#include "approov/dotenv.hpp"

namespace approov_cli {

namespace {

using Result = approov::Configured<ResolvedSecret>;

Result from(approov::Configured<approov::Secret> secret, SecretOrigin origin,
            std::string description) {
  if (!secret) return Result::failure(secret.error());
  return ResolvedSecret{std::move(secret).value(), origin, std::move(description)};
}

bool env_set(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0';
}

Result from_file(const std::string& path) {
  const std::string setting = "--secret-file " + path;
  return from(approov::secret_from_file(path, std::nullopt, setting), SecretOrigin::flag, setting);
}

}  // namespace

bool secret_configured(const SecretOptions& options) {
  if (!options.base64.empty() || !options.base64url.empty() || !options.file.empty()) return true;
  if (!options.no_dotenv) {
    auto loaded = approov::load_dotenv_if_present();
    if (!loaded) return true;  // resolve_secret reports the broken .env
  }
  return env_set("APPROOV_BASE64_SECRET") || env_set("APPROOV_BASE64URL_SECRET");
}

Result resolve_secret(const SecretOptions& options, bool public_fallback) {
  if (!options.base64.empty()) {
    return from(approov::decode_secret(options.base64, approov::SecretEncoding::base64, "--secret"),
                SecretOrigin::flag, "--secret");
  }
  if (!options.base64url.empty()) {
    return from(approov::decode_secret(options.base64url, approov::SecretEncoding::base64url,
                                       "--secret-url"),
                SecretOrigin::flag, "--secret-url");
  }
  if (!options.file.empty()) return from_file(options.file);

  if (!options.no_dotenv) {
    auto loaded = approov::load_dotenv_if_present();
    if (!loaded) return Result::failure(loaded.error());
  }
  if (public_fallback && !env_set("APPROOV_BASE64_SECRET") &&
      !env_set("APPROOV_BASE64URL_SECRET")) {
    return from(approov::decode_secret(kPublicTestSecret, approov::SecretEncoding::base64,
                                       "public test secret"),
                SecretOrigin::public_test, "the public Approov test secret");
  }
  const bool url = !env_set("APPROOV_BASE64_SECRET") && env_set("APPROOV_BASE64URL_SECRET");
  return from(approov::secret_from_environment(), SecretOrigin::environment,
              url ? "APPROOV_BASE64URL_SECRET" : "APPROOV_BASE64_SECRET");
}

}  // namespace approov_cli
