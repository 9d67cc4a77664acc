// Helpers shared by the unit tests: minting tokens (including deliberately broken ones) with a
// fixed test key, building verifiers, and reading the public Approov test data.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "approov/approov.hpp"

namespace approov::test {

/// 32 bytes: the shortest secret docs/BEHAVIOUR.md §4 accepts.
inline const std::vector<std::uint8_t>& test_key() {
  static const std::vector<std::uint8_t> key = [] {
    const std::string text = "approov-cpp unit test secret 32B";
    return std::vector<std::uint8_t>(text.begin(), text.end());
  }();
  return key;
}

inline const std::vector<std::uint8_t>& other_key() {
  static const std::vector<std::uint8_t> key = [] {
    const std::string text = "a different 32-byte unit test key";
    return std::vector<std::uint8_t>(text.begin(), text.end());
  }();
  return key;
}

inline constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";
/// A moment well before every `exp` used below.
inline constexpr std::int64_t kNow = 1700000000;

inline std::string b64url(std::string_view bytes) {
  return base64::encode_url(bytes);
}

inline std::string mac_segment(std::string_view signing_input,
                               const std::vector<std::uint8_t>& key = test_key()) {
  const Sha256Digest mac = hmac_sha256(key.data(), key.size(), signing_input);
  return base64::encode(mac.data(), mac.size(), base64::Alphabet::url, false);
}

/// A token over the given JSON texts (used byte for byte), signed with `key`.
inline std::string mint(std::string_view header_json, std::string_view payload_json,
                        const std::vector<std::uint8_t>& key = test_key()) {
  return mint_hs256(header_json, payload_json, key.data(), key.size());
}

/// A token whose first two segments are given as raw text (possibly not canonical base64url),
/// with a correct MAC over them: only the encoding rules can reject it.
inline std::string sign_segments(std::string_view header_segment, std::string_view payload_segment,
                                 const std::vector<std::uint8_t>& key = test_key()) {
  std::string input = std::string(header_segment) + "." + std::string(payload_segment);
  return input + "." + mac_segment(input, key);
}

inline std::string payload_with_exp(std::string_view exp_text) {
  return R"({"exp":)" + std::string(exp_text) + "}";
}

/// A valid token for the default verifier at kNow.
inline std::string valid_token(std::string_view extra_claims = {}) {
  std::string payload = R"({"exp":4708683205.891912)";
  if (!extra_claims.empty()) payload += "," + std::string(extra_claims);
  payload += "}";
  return mint(kHeader, payload);
}

/// Replaces the last character of a base64url text whose length is not a multiple of 4 by
/// the one that sets the lowest unused bit: the same bytes to a lax decoder, non-canonical.
inline std::string noncanonical(std::string segment) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  EXPECT_NE(segment.size() % 4, 0U) << "a full final quantum has no unused bits";
  const std::size_t index = kAlphabet.find(segment.back());
  segment.back() = kAlphabet[index + 1];
  return segment;
}

inline VerifierConfig config_with(std::vector<std::uint8_t> key = test_key(),
                                  std::int64_t leeway = 0) {
  VerifierConfig config;
  config.secrets.emplace_back(std::move(key));
  config.leeway_seconds = leeway;
  return config;
}

inline TokenVerifier make_verifier(std::int64_t leeway = 0) {
  auto v = TokenVerifier::create(config_with(test_key(), leeway));
  if (!v) ADD_FAILURE() << v.error();
  return std::move(v).value();
}

/// Verifies with a default verifier (test key, leeway 0) and returns the reason.
inline Reason verify_reason(const std::string& token, std::int64_t now = kNow,
                            std::int64_t leeway = 0) {
  const TokenVerifier verifier = make_verifier(leeway);
  Claims claims;
  return verifier.verify(token, now, claims);
}

/// The public Approov test data in tests/data/approov-test-tokens.env (KEY='value' lines).
inline const std::map<std::string, std::string>& test_data() {
  static const std::map<std::string, std::string> data = [] {
    std::map<std::string, std::string> out;
    std::ifstream in(std::string(APPROOV_TEST_DATA) + "/approov-test-tokens.env");
    EXPECT_TRUE(in.good()) << "cannot read " << APPROOV_TEST_DATA;
    std::string line;
    while (std::getline(in, line)) {
      const std::size_t eq = line.find('=');
      if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
      std::string value = line.substr(eq + 1);
      if (value.size() >= 2 && value.front() == '\'') value = value.substr(1, value.size() - 2);
      out[line.substr(0, eq)] = value;
    }
    return out;
  }();
  return data;
}

inline const std::string& data(const std::string& name) {
  const auto& d = test_data();
  const auto it = d.find(name);
  if (it == d.end()) {
    ADD_FAILURE() << "no " << name << " in the test data";
    static const std::string empty;
    return empty;
  }
  return it->second;
}

inline std::vector<std::uint8_t> approov_test_secret() {
  auto s =
      decode_secret(data("APPROOV_BASE64_SECRET"), SecretEncoding::base64, "APPROOV_BASE64_SECRET");
  if (!s) ADD_FAILURE() << s.error();
  return s.value().bytes();
}

/// True if `message` contains any 8-character piece of `secret_text` (so, any recognisable
/// part of the secret).
inline bool leaks(std::string_view message, std::string_view secret_text) {
  constexpr std::size_t kPiece = 8;
  if (secret_text.size() < kPiece) return message.find(secret_text) != std::string_view::npos;
  for (std::size_t i = 0; i + kPiece <= secret_text.size(); ++i) {
    if (message.find(secret_text.substr(i, kPiece)) != std::string_view::npos) return true;
  }
  return false;
}

/// Sets or unsets an environment variable for one scope, restoring the old value afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = std::string(old);
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace approov::test

namespace approov {
// Readable reason names in gtest failure messages.
inline void PrintTo(Reason r, std::ostream* os) {
  *os << to_string(r);
}
}  // namespace approov
