// The message-signing cases, shared by the Google Benchmark suite (bench_signing.cpp) and the
// instruction-count loop (signing_loop.cpp), so that both measure exactly the same work.
//
//   get   a GET with an installation (`ipk`) token, signed over the SDK's components
//   post  a POST with a 1 KiB JSON body: also Content-Type, Content-Length and Content-Digest
//         covered, and the body checked against its digest
// Each goes through RequestCheck on a route that checks signatures: the token (HS256), the
// claims, the Signature-Input and Signature headers, the signature base, the ECDSA P-256
// verification and, for `post`, the body's SHA-256. Its floor is one bare OpenSSL ECDSA P-256
// verification of the same signature base: SHA-256 of the base and ECDSA_do_verify with a key
// and signature decoded in advance, the least any verifier of this signature must do.
#pragma once

#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "approov/approov.hpp"
#include "pkey/signing_key.hpp"
#include "signing/request_signer.hpp"

namespace approov::bench {

inline constexpr std::string_view kSigningCases[] = {"get", "post"};

[[noreturn]] inline void signing_die(const std::string& what) {
  std::fprintf(stderr, "approov signing bench: %s\n", what.c_str());
  std::exit(2);
}

/// A signed request and the check that verifies it, built once (as a server is at start-up).
class SignedRequest {
 public:
  static constexpr std::int64_t kCreated = 1'700'000'000;

  explicit SignedRequest(std::string_view name)
      : key_(detail::SigningKey::generate_ec(detail::Curve::p256)) {
    const bool post = name == "post";
    if (!post && name != "get") signing_die("unknown case " + std::string(name));
    auto secret = decode_secret(
        "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww==",
        SecretEncoding::base64, "the public Approov test secret");
    const auto der = key_.public_spki_der();
    const std::string ipk =
        base64::encode(der.data(), der.size(), base64::Alphabet::standard, true);
    // A realistic token: what Approov issues to a device that signs its requests.
    const std::string payload = "{\"exp\":" + std::to_string(kCreated + 300) +
                                ",\"ip\":\"203.0.113.7\",\"did\":\"ZKLZwKQ7wzXEY2ugvTJ+bQ==\","
                                "\"arc\":\"H5ABCIM2OEIVNERMR2QA\",\"ipk\":\"" +
                                ipk + "\"}";
    token_ = mint_hs256(R"({"typ":"JWT","alg":"HS256"})", payload, secret.value().bytes().data(),
                        secret.value().bytes().size());
    fields_.emplace_back("Host", "api.example.com");
    fields_.emplace_back("Approov-Token", token_);
    fields_.emplace_back("User-Agent", "okhttp/4.12.0");
    fields_.emplace_back("Accept-Encoding", "gzip");
    if (post) {
      body_ = "{\"shape\":\"circle\",\"pad\":\"" + std::string(1024 - 27, 'x') + "\"}";
      fields_.emplace_back("Content-Type", "application/json; charset=utf-8");
      fields_.emplace_back("Content-Length", std::to_string(body_->size()));
      fields_.emplace_back("Content-Digest", signing::content_digest(*body_));
    }
    method_ = post ? "POST" : "GET";
    target_ = post ? "/v1/shapes" : "/v1/shapes?colour=red&limit=10";

    signing::SignOptions options;
    options.components = signing::sdk_components(view(), "Approov-Token");
    options.created = kCreated;
    options.expires = kCreated + 15;
    auto signed_headers = signing::sign_request(view(), {}, options, &key_, nullptr);
    if (!signed_headers) signing_die(signed_headers.error());
    base_ = signed_headers.value().base;
    fields_.emplace_back("Signature-Input", signed_headers.value().signature_input);
    fields_.emplace_back("Signature", signed_headers.value().signature);
    request_ = view();

    VerifierConfig config;
    config.secrets.push_back(secret.value());
    auto verifier = TokenVerifier::create(std::move(config));
    if (!verifier) signing_die(verifier.error());
    auto check = RequestCheck::create(std::move(verifier.value()), {}, MessageSigningConfig{});
    if (!check) signing_die(check.error());
    check_.emplace(std::move(check.value()));
    route_ = RoutePolicy::token_check().with_signatures();
    // Warm up on this thread: the device's ipk is parsed once and cached, as it is for every
    // request after a device's first on a serving thread.
    if (run() != Reason::ok) signing_die("the signed request does not verify");
  }

  SignedRequest(const SignedRequest&) = delete;
  SignedRequest& operator=(const SignedRequest&) = delete;

  [[nodiscard]] Reason run() const noexcept {
    return check_->check(request_, kCreated + 1, route_, claims_);
  }

  [[nodiscard]] const std::string& base() const noexcept { return base_; }
  [[nodiscard]] const detail::SigningKey& key() const noexcept { return key_; }
  /// The r||s signature bytes (decoded from the Signature header).
  [[nodiscard]] std::vector<std::uint8_t> signature() const {
    const std::string& value = fields_.back().second;  // install=:BASE64:
    const std::string b64 = value.substr(9, value.size() - 10);
    std::vector<std::uint8_t> raw(64);
    if (base64::decode(b64, base64::Alphabet::standard, base64::Padding::required, raw.data(),
                       raw.size()) != 64) {
      signing_die("unexpected signature encoding");
    }
    return raw;
  }

 private:
  BasicRequest view() const {
    BasicRequest r;
    r.set_method(method_).set_scheme("https").set_authority("api.example.com").set_target(target_);
    if (body_) r.set_body(std::string_view(*body_));
    for (const auto& [n, v] : fields_) r.add(n, v);
    return r;
  }

  detail::SigningKey key_;
  std::string token_, method_, target_, base_;
  std::optional<std::string> body_;
  std::vector<std::pair<std::string, std::string>> fields_;
  BasicRequest request_;
  std::optional<RequestCheck> check_;
  RoutePolicy route_;
  mutable Claims claims_;
};

/// One bare OpenSSL ECDSA P-256 verification of a signature base: SHA-256 of the base, then
/// ECDSA_do_verify with the EC key and the ECDSA_SIG decoded in advance.
class EcdsaFloor {
 public:
  explicit EcdsaFloor(const SignedRequest& signed_request) : base_(signed_request.base()) {
    const auto der = signed_request.key().public_spki_der();
    const unsigned char* p = der.data();
    key_ = d2i_EC_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
    const auto raw = signed_request.signature();
    sig_ = ECDSA_SIG_new();
    if (key_ == nullptr || sig_ == nullptr ||
        ECDSA_SIG_set0(sig_, BN_bin2bn(raw.data(), 32, nullptr),
                       BN_bin2bn(raw.data() + 32, 32, nullptr)) != 1) {
      signing_die("cannot decode the floor's key or signature");
    }
    if (!run()) signing_die("the floor does not verify");
  }
  ~EcdsaFloor() {
    ECDSA_SIG_free(sig_);
    EC_KEY_free(key_);
  }
  EcdsaFloor(const EcdsaFloor&) = delete;
  EcdsaFloor& operator=(const EcdsaFloor&) = delete;

  [[nodiscard]] bool run() const noexcept {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(base_.data()), base_.size(), digest);
    return ECDSA_do_verify(digest, sizeof digest, sig_, key_) == 1;
  }

 private:
  std::string base_;
  EC_KEY* key_ = nullptr;
  ECDSA_SIG* sig_ = nullptr;
};

}  // namespace approov::bench
