#include "hello_common.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "approov/config.hpp"
#include "approov/crypto.hpp"
#include "approov/dotenv.hpp"
#include "approov/keyset.hpp"
#include "approov/token_verifier.hpp"
#ifdef HELLO_HAVE_JWKS_URL
#include "jwks_fetcher.hpp"
#endif

namespace hello {

namespace {

// The public test secret of the Approov quickstarts: anybody can mint tokens with it, so it
// is only ever used in demo mode, and loudly.
constexpr const char* kPublicTestSecret =
    "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww==";
bool g_using_test_secret = false;
#ifdef HELLO_HAVE_JWKS_URL
// The JWKS URL refresher runs for the life of the process (stopped by its destructor at exit).
std::unique_ptr<approov::JwksFetcher> g_jwks_fetcher;
#endif

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

// A configured string (a kid from a JWKS, an audience) as it may go into a log line: printable
// ASCII as is, anything else as \xNN, so that a key set served by a URL cannot forge log lines.
std::string printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static const char* const hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Which keys are in use, for the start-up line and the refresh log: kid, algorithm and kind of
// each key (never key material), at most 20 of them.
std::string describe_keys(const std::vector<approov::VerificationKey>& keys) {
  constexpr std::size_t kListed = 20;
  std::string out;
  for (std::size_t i = 0; i < keys.size() && i < kListed; ++i) {
    if (i > 0) out += ", ";
    out += "kid \"" + printable(keys[i].key_id()) + "\" " +
           std::string(approov::to_string(keys[i].algorithm())) + " (" +
           std::string(keys[i].description()) + ")";
  }
  if (keys.size() > kListed) out += ", and " + std::to_string(keys.size() - kListed) + " more";
  return out;
}

// APPROOV_JWKS_FILE: a JWKS, or one JWK with its alg. A PEM key is refused here (it carries
// neither kid nor algorithm): `approov-token jwks` turns it into a JWKS.
std::vector<approov::VerificationKey> keys_from_jwks_file(const char* program, const char* path) {
  std::ifstream in(path, std::ios::binary);
  char first = '\0';
  while (in.get(first) && (first == ' ' || first == '\t' || first == '\r' || first == '\n')) {
  }
  if (in && first == '-') {
    config_error(program, std::string("APPROOV_JWKS_FILE: key file ") + path +
                              ": holds a PEM key, not a JWKS; make one with `approov-token jwks "
                              "--key FILE --kid KID [--alg ALG]`");
  }
  auto keys = approov::keys_from_file(path);
  if (!keys) config_error(program, "APPROOV_JWKS_FILE: " + keys.error());
  return std::move(keys).value();
}

// APPROOV_AUDIENCE / APPROOV_ISSUER: compared byte for byte with the token's claims.
std::optional<std::string> claim_setting(const char* program, const char* name) {
  const char* value = env(name);
  if (value == nullptr) return std::nullopt;
  for (const char* c = value; *c != '\0'; ++c) {
    if (static_cast<unsigned char>(*c) < 0x20 || *c == 0x7f) {
      config_error(program, std::string(name) + " contains a control character");
    }
  }
  return std::string(value);
}

#ifdef HELLO_HAVE_JWKS_URL
// APPROOV_JWKS_URL: fetched now (a failure stops start-up), then refreshed in the background;
// each refresh is one line on stderr.
std::shared_ptr<approov::KeySet> start_jwks_url(const char* program, const char* url) {
  approov::JwksFetcherOptions options;
  options.url = url;
  if (const char* ca = env("APPROOV_JWKS_CA_FILE")) options.ca_file = ca;
  if (const char* interval = env("APPROOV_JWKS_REFRESH_INTERVAL")) {
    unsigned long seconds = 0;
    if (!parse_uint(interval, 86400, seconds) || seconds == 0) {
      config_error(program,
                   "APPROOV_JWKS_REFRESH_INTERVAL must be a number of seconds from 1 to 86400");
    }
    options.refresh_interval = std::chrono::seconds(seconds);
  }
  // Refreshes for an unknown kid, and retries, at most every 30 s (or every interval, if
  // shorter).
  options.min_refresh_gap = std::min(options.refresh_interval, std::chrono::seconds(30));
  auto set = approov::KeySet::create();
  options.on_refresh = [program, set_ptr = set.get()](const approov::JwksRefresh& r) {
    if (r.trigger == approov::JwksRefresh::Trigger::startup) return;  // the start-up line says
    std::string line = std::string(program) + ": JWKS refresh (" + to_string(r.trigger) +
                       "): " + to_string(r.outcome);
    if (r.outcome == approov::JwksRefresh::Outcome::failed) {
      line += ", keeping the last good keys: " + r.message;
    } else if (r.outcome == approov::JwksRefresh::Outcome::updated) {
      line += ": " + describe_keys(set_ptr->keys());
    }
    std::fprintf(stderr, "%s\n", line.c_str());
  };
  auto fetcher = approov::JwksFetcher::start(set, std::move(options));
  if (!fetcher) config_error(program, "APPROOV_JWKS_URL: " + fetcher.error());
  g_jwks_fetcher = std::move(fetcher).value();
  return set;
}
#endif

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
          "%s"
          "  APPROOV_DEMO=1    same as --demo: with neither secret nor keyset, use the PUBLIC\n"
          "                    test secret\n",
          program, kKeysetHelp);
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
  const bool have_secret =
      env("APPROOV_BASE64_SECRET") != nullptr || env("APPROOV_BASE64URL_SECRET") != nullptr;
  const char* jwks_file = env("APPROOV_JWKS_FILE");
  const char* jwks_url = env("APPROOV_JWKS_URL");
  if (jwks_file != nullptr && jwks_url != nullptr) {
    config_error(program, "APPROOV_JWKS_FILE and APPROOV_JWKS_URL are both set; set only one");
  }
  const bool have_keyset = jwks_file != nullptr || jwks_url != nullptr;
  approov::VerifierConfig config;
  std::string keys_line;  // the start-up line: which keys, never their material

  // The secret. The public test secret stands in only in demo mode and only when no key at all
  // is configured: a server given a keyset never accepts tokens anybody can mint.
  if (settings.demo && !have_secret && !have_keyset) {
    auto secret = approov::decode_secret(kPublicTestSecret, approov::SecretEncoding::base64,
                                         "the public test secret");
    if (!secret) config_error(program, secret.error());
    config.secrets.push_back(std::move(secret).value());
    g_using_test_secret = true;
    keys_line = "HS256 PUBLIC TEST SECRET (demo mode)";
    std::fprintf(stderr,
                 "\n"
                 "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
                 "!!  DEMO MODE: no APPROOV_BASE64_SECRET is set, so this server uses the     !!\n"
                 "!!  PUBLIC Approov test secret. Anybody can mint tokens that it accepts.    !!\n"
                 "!!  Never use it for a real service: set your account's secret instead      !!\n"
                 "!!  (approov secret -get base64) in the environment or in a .env file.      !!\n"
                 "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
                 "\n");
  } else if (have_secret || !have_keyset) {
    auto secret = approov::secret_from_environment();
    if (!secret) {
      config_error(program, secret.error() + (have_secret ? ""
                                                          : " (or a keyset: APPROOV_JWKS_FILE or "
                                                            "APPROOV_JWKS_URL)"));
    }
    config.secrets.push_back(std::move(secret).value());
    keys_line = env("APPROOV_BASE64_SECRET") != nullptr ? "HS256 secret (APPROOV_BASE64_SECRET)"
                                                        : "HS256 secret (APPROOV_BASE64URL_SECRET)";
  } else if (settings.demo) {
    std::fprintf(stderr,
                 "%s: demo mode: a keyset is configured, so the public test secret is not used\n",
                 program);
  }

  // The keyset: a file read now, or a URL fetched now and refreshed in the background.
  if (jwks_file != nullptr) {
    config.keys = keys_from_jwks_file(program, jwks_file);
    if (!keys_line.empty()) keys_line += "; ";
    keys_line +=
        "keyset from APPROOV_JWKS_FILE " + printable(jwks_file) + ": " + describe_keys(config.keys);
  } else if (jwks_url != nullptr) {
#ifdef HELLO_HAVE_JWKS_URL
    config.key_set = start_jwks_url(program, jwks_url);
    if (!keys_line.empty()) keys_line += "; ";
    keys_line += "keyset from APPROOV_JWKS_URL " + printable(jwks_url) + ": " +
                 describe_keys(config.key_set->keys());
#else
    config_error(program,
                 "APPROOV_JWKS_URL: this build has no JWKS URL support (built without "
                 "libcurl); use APPROOV_JWKS_FILE");
#endif
  }
  config.audience = claim_setting(program, "APPROOV_AUDIENCE");
  config.issuer = claim_setting(program, "APPROOV_ISSUER");
  if (config.audience) keys_line += "; audience \"" + printable(*config.audience) + "\"";
  if (config.issuer) keys_line += "; issuer \"" + printable(*config.issuer) + "\"";

  auto verifier = approov::TokenVerifier::create(std::move(config));
  if (!verifier) config_error(program, verifier.error());
  auto check = approov::RequestCheck::create(std::move(verifier.value()), {}, std::move(signing));
  if (!check) config_error(program, check.error());
  std::printf("%s: approov keys: %s\n", program, keys_line.c_str());
  std::fflush(stdout);
  return approov::adapters::Guard(std::move(check.value()));
}

bool using_public_test_secret() {
  return g_using_test_secret;
}

void announce(const Settings& settings, const char* program, std::uint16_t bound_port,
              approov::Protection protection, const std::function<void()>& extra) {
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
  if (extra) extra();
  std::printf("Press Ctrl-C to stop.\n");
  std::fflush(stdout);
}

}  // namespace hello
