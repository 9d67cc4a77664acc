// A request signed as Approov's SDK signs it (installation key, ECDSA P-256), with a fresh
// signature each time, and a check over a replay store: for the replay-store tests.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "approov/approov.hpp"
#include "approov/message_signing.hpp"
#include "keyset_support.hpp"
#include "signing/request_signer.hpp"
#include "test_support.hpp"

namespace approov::test {

// A request signed with the installation key of its token, as the SDK signs it, with a fresh
// signature each time (ECDSA is randomised).
struct SignedRequest {
  std::string token = valid_token(R"("ipk":")" + ipk() + "\"");
  std::string signature_input;
  std::string signature;
  BasicRequest request;

  SignedRequest() {
    BasicRequest unsigned_request = base();
    signing::SignOptions o;
    o.created = kNow - 5;
    o.expires = kNow + 10;
    o.components = signing::sdk_components(unsigned_request, "Approov-Token");
    auto h = signing::sign_request(unsigned_request, {}, o, &p256_key(), nullptr);
    EXPECT_TRUE(h) << h.error();
    signature_input = h.value().signature_input;
    signature = h.value().signature;
    request = base();
    request.add("Signature-Input", signature_input).add("Signature", signature);
  }
  SignedRequest(const SignedRequest&) = delete;
  SignedRequest& operator=(const SignedRequest&) = delete;

  static std::string ipk() {
    const auto der = p256_key().public_spki_der();
    return base64::encode(der.data(), der.size(), base64::Alphabet::standard, true);
  }
  BasicRequest base() const {
    BasicRequest r;
    r.set_method("GET").set_scheme("https").set_authority("api.example.com").set_target("/v1/x");
    r.add("Host", "api.example.com").add("Approov-Token", token);
    return r;
  }
};

inline RequestCheck check_with(std::shared_ptr<ReplayStore> store, bool fail_open) {
  MessageSigningConfig c;
  c.replay_store = std::move(store);
  c.replay_fail_open = fail_open;
  VerifierConfig v;
  v.secrets.emplace_back(test_key());
  auto made = RequestCheck::create(TokenVerifier::create(std::move(v)).value(), {}, std::move(c));
  EXPECT_TRUE(made) << made.error();
  return std::move(made).value();
}

inline Reason run(const RequestCheck& check, const SignedRequest& s,
                  std::chrono::milliseconds* took = nullptr) {
  static const RoutePolicy route = RoutePolicy::token_check().with_signatures();
  Claims claims;
  const auto start = std::chrono::steady_clock::now();
  const Reason r = check.check(s.request, kNow, route, claims);
  if (took != nullptr)
    *took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start);
  return r;
}

}  // namespace approov::test
