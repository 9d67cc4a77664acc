// The keyset cases, shared by the Google Benchmark suite (bench_keysets.cpp) and the
// instruction-count loop (verify_loop.cpp): ES256, RS256 (2048-bit) and EdDSA (Ed25519) tokens
// carrying the payload of the realistic HS256 "large" case, verified by a TokenVerifier whose
// keyset holds the three keys (the kid picks one).
//
// Each case has two references, both over the same signing input and signature:
// - floor: the least OpenSSL work a verify of that signature can do, with everything that can
//   be prepared prepared (the digest, then ECDSA_do_verify on an ECDSA_SIG already filled;
//   EVP_PKEY_verify on a context already set up for RSA; EVP_DigestVerify on a digest-verify
//   context already set up for Ed25519). The target: a token verify within 1.1x of it.
// - openssl: the usual EVP one-shot an application writes (EVP_MD_CTX_new,
//   EVP_DigestVerifyInit, EVP_DigestVerify, EVP_MD_CTX_free; DER for ECDSA), for scale.
//
// The keys are the RFCs' example keys (RFC 7515 A.2 RSA, A.3 P-256, RFC 8037 Ed25519), so every
// run measures the same keys.
#pragma once

#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "approov/approov.hpp"
#include "jwk.hpp"
#include "pkey/signing_key.hpp"
#include "test_tokens.hpp"

namespace approov::bench {

struct KeysetCase {
  const char* name;
  Algorithm algorithm;
  const char* kid;
  const char* private_jwk;
};

inline constexpr std::array<KeysetCase, 3> kKeysetCases{{
    {"es256", Algorithm::ES256, "ec-1",
     R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
     R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"})"},
    {"rs256", Algorithm::RS256, "rsa-1",
     R"({"kty":"RSA","e":"AQAB",)"
     R"("n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",)"
     R"("d":"Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ"})"},
    {"eddsa", Algorithm::EdDSA, "ed-1",
     R"({"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",)"
     R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})"},
}};

[[noreturn]] inline void keyset_die(const std::string& what) {
  std::fprintf(stderr, "approov keyset bench: %s\n", what.c_str());
  std::exit(2);
}

inline detail::SigningKey signing_key(const KeysetCase& c) {
  auto key = detail::SigningKey::from_jwk(c.private_jwk);
  if (!key) keyset_die(key.error());
  return std::move(key).value();
}

/// The token of a case: the "large" case's payload under {"typ":"JWT","alg":...,"kid":...}.
inline std::string keyset_token(const KeysetCase& c) {
  const std::string_view large = kTokenLarge;
  const std::size_t dot1 = large.find('.');
  const std::string_view payload_segment = large.substr(dot1 + 1, large.rfind('.') - dot1 - 1);
  const std::string header = "{\"typ\":\"JWT\",\"alg\":\"" + std::string(to_string(c.algorithm)) +
                             "\",\"kid\":\"" + c.kid + "\"}";
  const std::string input = base64::encode_url(header) + "." + std::string(payload_segment);
  const std::vector<std::uint8_t> sig = signing_key(c).sign(c.algorithm, input);
  return input + "." + base64::encode(sig.data(), sig.size(), base64::Alphabet::url, false);
}

/// The verifier of every case: a keyset of the three keys (as a JWKS would give them).
inline TokenVerifier keyset_verifier() {
  VerifierConfig config;
  for (const KeysetCase& c : kKeysetCases) {
    auto key =
        key_from_jwk(detail::public_jwk_json(signing_key(c).public_key(), c.kid, c.algorithm));
    if (!key) keyset_die(key.error());
    config.keys.push_back(std::move(key).value());
  }
  auto verifier = TokenVerifier::create(std::move(config));
  if (!verifier) keyset_die(verifier.error());
  return std::move(verifier).value();
}

/// One case through the library, as a server runs it (a reused Claims).
class KeysetSubject {
 public:
  KeysetSubject(const KeysetCase& c, const TokenVerifier& verifier)
      : verifier_(verifier), token_(keyset_token(c)), claims_(std::make_unique<Claims>()) {}
  [[nodiscard]] Reason run() const noexcept { return verifier_.verify(token_, kNow, *claims_); }
  [[nodiscard]] const std::string& token() const noexcept { return token_; }

 private:
  const TokenVerifier& verifier_;
  std::string token_;
  std::unique_ptr<Claims> claims_;
};

// The signing input and the raw signature of a token.
struct TokenParts {
  std::string signing_input;
  std::vector<std::uint8_t> signature;
  explicit TokenParts(const std::string& token) : signing_input(token.substr(0, token.rfind('.'))) {
    const std::string sig = token.substr(token.rfind('.') + 1);
    signature.resize(base64::max_decoded_size(sig.size()));
    const auto n = base64::decode(sig, base64::Alphabet::url, base64::Padding::forbidden,
                                  signature.data(), signature.size());
    if (n < 0) keyset_die("unreadable signature");
    signature.resize(static_cast<std::size_t>(n));
  }
};

inline EVP_PKEY* openssl_public_key(const KeysetCase& c) {
  const std::vector<std::uint8_t> der = signing_key(c).public_spki_der();
  const unsigned char* p = der.data();
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (key == nullptr) keyset_die("OpenSSL cannot read the public key");
  return key;
}

/// The floor: digest plus the primitive, every context prepared (see the top of the file).
class KeysetFloor {
 public:
  KeysetFloor(const KeysetCase& c, const std::string& token)
      : case_(c), parts_(token), key_(openssl_public_key(c)) {
    switch (c.algorithm) {
      case Algorithm::ES256: {
        ec_ = EVP_PKEY_get1_EC_KEY(key_);
        sig_ = ECDSA_SIG_new();
        ECDSA_SIG_set0(sig_, BN_bin2bn(parts_.signature.data(), 32, nullptr),
                       BN_bin2bn(parts_.signature.data() + 32, 32, nullptr));
        break;
      }
      case Algorithm::RS256:
        pctx_ = EVP_PKEY_CTX_new_from_pkey(nullptr, key_, nullptr);
        if (EVP_PKEY_verify_init(pctx_) != 1 ||
            EVP_PKEY_CTX_set_rsa_padding(pctx_, RSA_PKCS1_PADDING) != 1 ||
            EVP_PKEY_CTX_set_signature_md(pctx_, EVP_sha256()) != 1) {
          keyset_die("RSA context");
        }
        break;
      default:
        mctx_ = EVP_MD_CTX_new();
        if (EVP_DigestVerifyInit(mctx_, nullptr, nullptr, nullptr, key_) != 1) {
          keyset_die("Ed25519 context");
        }
        break;
    }
  }
  ~KeysetFloor() {
    ECDSA_SIG_free(sig_);
    EC_KEY_free(ec_);
    EVP_PKEY_CTX_free(pctx_);
    EVP_MD_CTX_free(mctx_);
    EVP_PKEY_free(key_);
  }
  KeysetFloor(const KeysetFloor&) = delete;
  KeysetFloor& operator=(const KeysetFloor&) = delete;

  [[nodiscard]] bool run() const noexcept {
    const auto* input = reinterpret_cast<const unsigned char*>(parts_.signing_input.data());
    const std::size_t size = parts_.signing_input.size();
    unsigned char digest[SHA256_DIGEST_LENGTH];
    switch (case_.algorithm) {
      case Algorithm::ES256:
        SHA256(input, size, digest);
        return ECDSA_do_verify(digest, sizeof digest, sig_, ec_) == 1;
      case Algorithm::RS256:
        SHA256(input, size, digest);
        return EVP_PKEY_verify(pctx_, parts_.signature.data(), parts_.signature.size(), digest,
                               sizeof digest) == 1;
      default:
        return EVP_DigestVerify(mctx_, parts_.signature.data(), parts_.signature.size(), input,
                                size) == 1;
    }
  }

 private:
  const KeysetCase& case_;
  TokenParts parts_;
  EVP_PKEY* key_ = nullptr;
  EC_KEY* ec_ = nullptr;
  ECDSA_SIG* sig_ = nullptr;
  EVP_PKEY_CTX* pctx_ = nullptr;
  EVP_MD_CTX* mctx_ = nullptr;
};

/// The usual EVP one-shot an application writes, for scale.
class KeysetOpenssl {
 public:
  KeysetOpenssl(const KeysetCase& c, const std::string& token)
      : case_(c), parts_(token), key_(openssl_public_key(c)) {
    signature_ = parts_.signature;
    if (c.algorithm == Algorithm::ES256) {  // OpenSSL wants DER
      ECDSA_SIG* sig = ECDSA_SIG_new();
      ECDSA_SIG_set0(sig, BN_bin2bn(signature_.data(), 32, nullptr),
                     BN_bin2bn(signature_.data() + 32, 32, nullptr));
      unsigned char* der = nullptr;
      const int n = i2d_ECDSA_SIG(sig, &der);
      signature_.assign(der, der + n);
      OPENSSL_free(der);
      ECDSA_SIG_free(sig);
    }
  }
  ~KeysetOpenssl() { EVP_PKEY_free(key_); }
  KeysetOpenssl(const KeysetOpenssl&) = delete;
  KeysetOpenssl& operator=(const KeysetOpenssl&) = delete;

  [[nodiscard]] bool run() const noexcept {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const EVP_MD* md = case_.algorithm == Algorithm::EdDSA ? nullptr : EVP_sha256();
    const bool ok =
        ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key_) == 1 &&
        EVP_DigestVerify(ctx, signature_.data(), signature_.size(),
                         reinterpret_cast<const unsigned char*>(parts_.signing_input.data()),
                         parts_.signing_input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
  }

 private:
  const KeysetCase& case_;
  TokenParts parts_;
  EVP_PKEY* key_ = nullptr;
  std::vector<std::uint8_t> signature_;
};

}  // namespace approov::bench
