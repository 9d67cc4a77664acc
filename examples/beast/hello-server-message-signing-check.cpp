// hello-server-message-signing-check: the Hello World API answering only requests whose valid
// Approov token is accompanied, when the token calls for one, by a valid RFC 9421 message
// signature: an `install` signature (ECDSA P-256) when the token carries the device's public
// key in `ipk`, an `account` signature (HMAC-SHA256) when it carries only `mskid` and an
// account message-signing secret is configured. Every failure gets 401 {}.
//
// GET / and POST / (any body up to 1 MiB, which must match its signed Content-Digest) answer
// {"message": "Hello, World!"}; other paths 400 {} after the check.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "approov/adapters/beast.hpp"
#include "approov/base64.hpp"
#include "approov/crypto.hpp"
#include "approov/message_signing.hpp"
#include "approov/server/http_server.hpp"
#include "approov/token_verifier.hpp"
#include "hello_common.hpp"
// Demo mode only: a device key that signs the example requests printed at start-up. A real
// server never holds a private key (libapproov has none of this).
#include "pkey/signing_key.hpp"
#include "signing/request_signer.hpp"

namespace {

namespace http = boost::beast::http;

constexpr const char* kProgram = "hello-server-message-signing-check";
constexpr std::uint64_t kMaxBody = 1024 * 1024;

void print_help() {
  std::printf(
      "usage: %s [--demo]\n"
      "environment (also read from a .env file in the working directory or above):\n"
      "  SERVER_HOSTNAME   address to listen on (default 127.0.0.1)\n"
      "  HTTP_PORT         port (default 8002; 0 picks a free port)\n"
      "  HTTP_THREADS      serving threads (default: number of cores)\n"
      "  APPROOV_BASE64_SECRET or APPROOV_BASE64URL_SECRET   the Approov secret\n"
      "%s"
      "  APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64 (or ..._BASE64URL)\n"
      "                    the account message-signing secret (account signatures)\n"
      "  APPROOV_ACCOUNT_MESSAGE_SIGNING_KEY_ID   if set, a token's mskid must equal it\n"
      "  APPROOV_SIGNATURE_BASE_URL   public base URL (https://api.example.com) when behind a\n"
      "                    TLS-terminating proxy: its scheme and host are what was signed\n"
      "  APPROOV_SIGNATURE_CLOCK_SKEW (default 60), APPROOV_SIGNATURE_MAX_LIFETIME (default 300)\n"
      "  APPROOV_REPLAY_STORE   accept each signature once: memory (this process), or a\n"
      "                    Redis shared by every instance: redis://[USER:PASSWORD@]HOST:PORT/DB\n"
      "                    or unix:PATH[?db=N] (docs/REPLAY.md); default none\n"
      "  APPROOV_REPLAY_FAIL=closed|open   when the replay store cannot answer: refuse the\n"
      "                    request (closed, the default) or let it through (open)\n"
      "  APPROOV_DEMO=1    same as --demo: with neither secret nor keyset, use the PUBLIC\n"
      "                    test secret\n",
      kProgram, hello::kKeysetHelp);
}

[[noreturn]] void config_error(const std::string& message) {
  std::fprintf(stderr, "%s: configuration error: %s\n", kProgram, message.c_str());
  std::exit(2);
}

// The replay store's events (Redis unreachable, then back), one line each on stderr; the
// store rate-limits them. The message never holds a password, a key or a signature.
void log_replay_event(const approov::ReplayStoreEvent& e) {
  const bool up = e.kind == approov::ReplayStoreEvent::Kind::recovered;
  std::fprintf(stderr, "approov: replay store %s: %.*s (%llu unavailable answers%s)\n",
               up ? "recovered" : "unavailable", static_cast<int>(e.message.size()),
               e.message.data(), static_cast<unsigned long long>(e.unavailable_answers),
               up ? " during the outage" : " since the last report");
}

// Signing settings, the replay store among them, from the environment
// (message_signing_from_environment reads APPROOV_REPLAY_STORE and APPROOV_REPLAY_FAIL).
approov::MessageSigningConfig signing_config() {
  auto config = approov::message_signing_from_environment(log_replay_event);
  if (!config) config_error(config.error());
  return std::move(config).value();
}

// GET / and POST / say hello; anything else is a bad request (after the check, as in the
// other hello servers).
void hello_route(const approov::server::Request& req, approov::server::Response& res) {
  const std::string_view target(req.target().data(), req.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  res.set(http::field::content_type, "application/json");
  if ((req.method() == http::verb::get || req.method() == http::verb::post) && path == "/") {
    res.body() = hello::kHelloBody;
  } else {
    res.result(http::status::bad_request);
    res.body() = hello::kBadRequestBody;
  }
}

// Demo mode: a device key made now, a token carrying its ipk minted with the public test
// secret, and curl commands whose headers are signed with that key.
void print_demo(const std::string& host, std::uint16_t port) {
  const auto key = approov::detail::SigningKey::generate_ec(approov::detail::Curve::p256);
  const auto der = key.public_spki_der();
  const std::string ipk =
      approov::base64::encode(der.data(), der.size(), approov::base64::Alphabet::standard, true);
  const auto secret = approov::decode_secret(
      "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww==",
      approov::SecretEncoding::base64, "the public test secret");
  const std::int64_t now = approov::unix_now();
  const std::string token =
      approov::mint_hs256(R"({"typ":"JWT","alg":"HS256"})",
                          "{\"exp\":" + std::to_string(now + 3600) + ",\"ipk\":\"" + ipk + "\"}",
                          secret.value().bytes().data(), secret.value().bytes().size());
  const bool ipv6 = host.find(':') != std::string::npos;
  const std::string authority = (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  const std::string url = "http://" + authority + "/";
  const std::string body = R"({"hello": "world"})";
  const std::string digest = approov::signing::content_digest(body);

  // Signed for the longest lifetime the server accepts, so that the commands keep working for
  // a few minutes (the SDK's signatures live 15 s).
  const auto headers_for = [&](const char* method, bool with_body) {
    approov::BasicRequest request;
    request.set_method(method).set_scheme("http").set_authority(authority).set_target("/");
    request.add("Approov-Token", token);
    if (with_body) {
      request.add("Content-Type", "application/json").add("Content-Digest", digest);
    }
    approov::signing::SignOptions options;
    options.components = approov::signing::sdk_components(request, "Approov-Token");
    options.created = now;
    options.expires = now + 300;
    auto h = approov::signing::sign_request(request, {}, options, &key, nullptr);
    if (!h) config_error("cannot sign the demo request: " + h.error());
    std::string args = " -H 'Approov-Token: " + token + "'";
    if (with_body) {
      args += " -H 'Content-Type: application/json' -H 'Content-Digest: " + digest +
              "' --data-binary '" + body + "'";
    }
    args += " -H 'Signature-Input: " + h.value().signature_input +
            "' -H 'Signature: " + h.value().signature + "'";
    return args;
  };
  const std::string get = headers_for("GET", false);
  const std::string post = headers_for("POST", true);
  std::printf(
      "\nTry it (a device key was made just now; the token carries its public key in ipk and\n"
      "was minted with the public test secret; the signatures expire in 5 minutes):\n\n"
      "  # signed GET -> 200 {\"message\": \"Hello, World!\"}\n"
      "  curl -i%s %s\n\n"
      "  # signed POST with a JSON body -> 200\n"
      "  curl -i -X POST%s %s\n\n"
      "  # the same GET signature on another URL -> 401 {}\n"
      "  curl -i%s '%s?tampered=1'\n\n"
      "  # the token alone, without its signature -> 401 {}\n"
      "  curl -i -H 'Approov-Token: %s' %s\n\n"
      "Make your own with approov-token: keygen, gen --ipk-key, sign "
      "(docs/MESSAGE_SIGNING.md).\n\n",
      get.c_str(), url.c_str(), post.c_str(), url.c_str(), get.c_str(), url.c_str(), token.c_str(),
      url.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "-h") == 0 || std::strcmp(argv[i], "--help") == 0) {
      print_help();
      return 0;
    }
  }
  hello::block_stop_signals();
  const hello::Settings settings = hello::load_settings(argc, argv, kProgram);
  approov::MessageSigningConfig signing = signing_config();
  const std::shared_ptr<approov::ReplayStore> replay_store = signing.replay_store;
  const bool replay_fail_open = signing.replay_fail_open;
  const approov::adapters::Guard guard = hello::make_guard(settings, kProgram, std::move(signing));
  // Demo mode with neither secret nor keyset: make_guard took the public test secret.
  const bool demo_secret = hello::using_public_test_secret();
  // The token, then the message signature that the token calls for (none for a token with
  // neither ipk nor mskid: Approov's failover tokens).
  const approov::RoutePolicy route = approov::RoutePolicy::token_check().with_signatures();

  approov::server::ServerOptions options;
  options.threads = settings.threads;
  options.body_limit = kMaxBody;
  // Requests the engine refuses before the handler get the same failure response.
  options.reject_response = guard.failure();
  approov::server::Server server(
      options, approov::beast::protect(guard, route, [](const auto& req, auto& res, const auto*) {
        hello_route(req, res);
      }));
  const bool ipv6 = settings.host.find(':') != std::string::npos;
  const std::string address =
      (ipv6 ? "[" + settings.host + "]" : settings.host) + ":" + std::to_string(settings.port);
  if (const std::string error = server.listen(address); !error.empty()) {
    std::fprintf(stderr, "%s: %s\n", kProgram, error.c_str());
    return 1;
  }
  // Where it listens (the token-only demo lines are left out: this server's are printed
  // here), all before the banner's last line.
  hello::announce(settings, kProgram, server.port(), approov::Protection::none, [&] {
    if (replay_store) {
      std::printf("replay store: %s (%s)\n", replay_store->description().c_str(),
                  replay_fail_open ? "fail-open" : "fail-closed");
    }
    if (demo_secret) print_demo(settings.host, server.port());
  });
  server.start();
  const int sig = hello::wait_for_stop_signal();
  std::fprintf(stderr, "%s: signal %d, stopping\n", kProgram, sig);
  server.stop();
  server.wait();
  return 0;
}
