#include "hello_common.hpp"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>
#include <utility>

#include "approov/config.hpp"
#include "approov/crypto.hpp"
#include "approov/dotenv.hpp"
#include "approov/token_verifier.hpp"

namespace hello {

namespace {

// The public test secret of the Approov quickstarts: anybody can mint tokens with it, so it
// is only ever used in demo mode, and loudly.
constexpr const char* kPublicTestSecret =
    "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww==";
bool g_using_test_secret = false;

[[noreturn]] void config_error(const char* program, const std::string& message) {
  std::fprintf(stderr, "%s: configuration error: %s\n", program, message.c_str());
  std::exit(2);
}

bool parse_uint(std::string_view text, unsigned long max, unsigned long& out) {
  if (text.empty() || text.size() > 10) return false;
  unsigned long v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned long>(c - '0');
  }
  if (v > max) return false;
  out = v;
  return true;
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : nullptr;
}

}  // namespace

void block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that goes away must not kill the server
}

int wait_for_stop_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

Settings load_settings(int argc, char** argv, const char* program) {
  Settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--demo") {
      s.demo = true;
    } else if (arg == "-h" || arg == "--help") {
      std::printf(
          "usage: %s [--demo]\n"
          "environment (also read from a .env file in the working directory or above):\n"
          "  SERVER_HOSTNAME   address to listen on (default 127.0.0.1)\n"
          "  HTTP_PORT         port (default 8002; 0 picks a free port)\n"
          "  HTTP_THREADS      serving threads (default: number of cores)\n"
          "  APPROOV_BASE64_SECRET or APPROOV_BASE64URL_SECRET   the Approov secret\n"
          "  APPROOV_DEMO=1    same as --demo: without a secret, use the PUBLIC test secret\n",
          program);
      std::exit(0);
    } else {
      config_error(program, "unknown argument \"" + std::string(arg) + "\" (try --help)");
    }
  }
  const auto loaded = approov::load_dotenv_if_present();
  if (!loaded) config_error(program, loaded.error());
  if (const char* host = env("SERVER_HOSTNAME")) s.host = host;
  unsigned long v = 0;
  if (const char* port = env("HTTP_PORT")) {
    if (!parse_uint(port, 65535, v)) {
      config_error(program, "HTTP_PORT must be a port number from 0 to 65535");
    }
    s.port = static_cast<std::uint16_t>(v);
  }
  s.threads = std::thread::hardware_concurrency();
  if (s.threads == 0) s.threads = 1;
  if (const char* threads = env("HTTP_THREADS")) {
    if (!parse_uint(threads, 1024, v) || v == 0) {
      config_error(program, "HTTP_THREADS must be a number of threads from 1 to 1024");
    }
    s.threads = static_cast<unsigned>(v);
  }
  if (const char* demo = env("APPROOV_DEMO")) s.demo = s.demo || std::strcmp(demo, "0") != 0;
  return s;
}

approov::adapters::Guard make_guard(const Settings& settings, const char* program,
                                    approov::MessageSigningConfig signing) {
  approov::Configured<approov::Secret> secret = approov::Secret{};
  if (settings.demo && env("APPROOV_BASE64_SECRET") == nullptr &&
      env("APPROOV_BASE64URL_SECRET") == nullptr) {
    secret = approov::decode_secret(kPublicTestSecret, approov::SecretEncoding::base64,
                                    "the public test secret");
    g_using_test_secret = true;
    std::fprintf(stderr,
                 "\n"
                 "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
                 "!!  DEMO MODE: no APPROOV_BASE64_SECRET is set, so this server uses the     !!\n"
                 "!!  PUBLIC Approov test secret. Anybody can mint tokens that it accepts.    !!\n"
                 "!!  Never use it for a real service: set your account's secret instead      !!\n"
                 "!!  (approov secret -get base64) in the environment or in a .env file.      !!\n"
                 "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
                 "\n");
  } else {
    secret = approov::secret_from_environment();
  }
  if (!secret) config_error(program, secret.error());
  approov::VerifierConfig config;
  config.secrets.push_back(std::move(secret.value()));
  auto verifier = approov::TokenVerifier::create(std::move(config));
  if (!verifier) config_error(program, verifier.error());
  auto check = approov::RequestCheck::create(std::move(verifier.value()), {}, std::move(signing));
  if (!check) config_error(program, check.error());
  return approov::adapters::Guard(std::move(check.value()));
}

void announce(const Settings& settings, const char* program, std::uint16_t bound_port,
              approov::Protection protection) {
  const bool ipv6 = settings.host.find(':') != std::string::npos;
  const std::string url = "http://" + (ipv6 ? "[" + settings.host + "]" : settings.host) + ":" +
                          std::to_string(bound_port) + "/";
  std::printf("%s listening on %s\n", program, url.c_str());
  if (g_using_test_secret && protection != approov::Protection::none) {
    const auto secret = approov::decode_secret(kPublicTestSecret, approov::SecretEncoding::base64,
                                               "the public test secret");
    const auto& key = secret.value().bytes();
    const std::string header = R"({"typ":"JWT","alg":"HS256"})";
    const long long exp = static_cast<long long>(approov::unix_now()) + 3600;
    const std::string authorization = "Bearer demo-user-session";
    std::string payload = "{\"exp\":" + std::to_string(exp);
    if (protection == approov::Protection::token_binding) {
      payload += ",\"pay\":\"" + approov::pay_claim_for(authorization) + "\"";
    }
    payload += "}";
    const std::string valid = approov::mint_hs256(header, payload, key.data(), key.size());
    const std::string other_key(32, 'x');
    const std::string invalid = approov::mint_hs256(
        header, payload, reinterpret_cast<const std::uint8_t*>(other_key.data()), other_key.size());
    const std::string auth = protection == approov::Protection::token_binding
                                 ? " -H 'Authorization: " + authorization + "'"
                                 : std::string();
    std::printf(
        "\nTry it (the valid token was minted just now with the public test secret and expires"
        " in 1 hour):\n\n"
        "  # valid token -> 200 {\"message\": \"Hello, World!\"}\n"
        "  curl -i%s -H 'Approov-Token: %s' %s\n\n"
        "  # token signed with another secret -> 401 {}\n"
        "  curl -i%s -H 'Approov-Token: %s' %s\n\n"
        "  # no token -> 401 {}\n"
        "  curl -i%s %s\n\n",
        auth.c_str(), valid.c_str(), url.c_str(), auth.c_str(), invalid.c_str(), url.c_str(),
        auth.c_str(), url.c_str());
    if (protection == approov::Protection::token_binding) {
      std::printf(
          "  # valid token, but another Authorization header than the one it is bound to -> "
          "401 {}\n"
          "  curl -i -H 'Authorization: Bearer someone-else' -H 'Approov-Token: %s' %s\n\n",
          valid.c_str(), url.c_str());
    }
  }
  std::printf("Press Ctrl-C to stop.\n");
  std::fflush(stdout);
}

}  // namespace hello
