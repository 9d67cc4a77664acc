// The README's integration snippet as a downstream program: verify the token in argv[1] with
// the secret from APPROOV_BASE64_SECRET / APPROOV_BASE64URL_SECRET.
#include <approov/approov.hpp>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consume_cpp TOKEN\n";
    return 2;
  }
  auto secret = approov::secret_from_environment();
  if (!secret) {
    std::cerr << secret.error() << "\n";
    return 2;
  }
  approov::VerifierConfig config;
  config.secrets.push_back(std::move(secret).value());
  auto verifier = approov::TokenVerifier::create(std::move(config));
  if (!verifier) {
    std::cerr << verifier.error() << "\n";
    return 2;
  }
  thread_local approov::Claims claims;  // caller-owned, as the README leads with
  const approov::Reason reason = verifier.value().verify(argv[1], approov::unix_now(), claims);
  if (reason != approov::Reason::ok) {
    std::cout << "invalid " << approov::to_string(reason) << "\n";
    return 1;
  }
  std::cout << "valid exp=" << claims.exp_text() << "\n";
  return 0;
}
