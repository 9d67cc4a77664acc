// Message-signing settings from the environment (after a .env file has been loaded).
#include <cstdlib>
#include <string>
#include <string_view>

#include "approov/message_signing.hpp"
#include "internal/text.hpp"

namespace approov {

namespace {

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : nullptr;
}

}  // namespace

Configured<MessageSigningConfig> message_signing_from_environment(
    ReplayEventHandler on_replay_event) {
  using Result = Configured<MessageSigningConfig>;
  MessageSigningConfig config;
  const char* b64 = env("APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64");
  const char* b64url = env("APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64URL");
  if (b64 != nullptr || b64url != nullptr) {
    auto secret = b64 != nullptr
                      ? decode_secret(b64, SecretEncoding::base64,
                                      "APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64")
                      : decode_secret(b64url, SecretEncoding::base64url,
                                      "APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64URL");
    if (!secret) return Result::failure(secret.error());
    if (b64 != nullptr && b64url != nullptr) {
      auto other = decode_secret(b64url, SecretEncoding::base64url,
                                 "APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64URL");
      if (!other) return Result::failure(other.error());
      if (other.value().bytes() != secret.value().bytes()) {
        return Result::failure(
            "APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64 and ..._BASE64URL are both set and "
            "hold different secrets; set only one");
      }
    }
    config.account_secret = std::move(secret).value();
  }
  if (const char* id = env("APPROOV_ACCOUNT_MESSAGE_SIGNING_KEY_ID")) config.account_key_id = id;
  if (const char* url = env("APPROOV_SIGNATURE_BASE_URL")) config.base_url = url;
  if (const char* skew = env("APPROOV_SIGNATURE_CLOCK_SKEW")) {
    std::uint64_t v = 0;
    if (!text::parse_uint(skew, kMaxSignatureSkewSeconds, v)) {
      return Result::failure("APPROOV_SIGNATURE_CLOCK_SKEW must be a number of seconds from 0 to " +
                             std::to_string(kMaxSignatureSkewSeconds));
    }
    config.clock_skew_seconds = static_cast<std::int64_t>(v);
  }
  if (const char* lifetime = env("APPROOV_SIGNATURE_MAX_LIFETIME")) {
    std::uint64_t v = 0;
    if (!text::parse_uint(lifetime, 86400, v) || v == 0) {
      return Result::failure(
          "APPROOV_SIGNATURE_MAX_LIFETIME must be a number of seconds from 1 to 86400");
    }
    config.max_lifetime_seconds = static_cast<std::int64_t>(v);
  }
  // Replay protection: which store, and what to do when it cannot answer. The fail policy is
  // read first so that a typo in it is reported even when the store is also wrong.
  if (const char* fail = env("APPROOV_REPLAY_FAIL")) {
    const std::string_view f(fail);
    if (f == "open") {
      config.replay_fail_open = true;
    } else if (f != "closed") {
      return Result::failure("APPROOV_REPLAY_FAIL must be open or closed");
    }
  }
  if (const char* store = env("APPROOV_REPLAY_STORE")) {
    auto made = make_replay_store(store, std::move(on_replay_event), "APPROOV_REPLAY_STORE");
    if (!made) return Result::failure(made.error());
    config.replay_store = std::move(made).value();
  }
  return config;
}

}  // namespace approov
