// Start-up plumbing shared by the hello servers, so that each example file shows only what
// the quickstarts show: the server, the route, and (in the protected ones) the Approov check.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "approov/adapters/guard.hpp"
#include "approov/request_check.hpp"

namespace hello {

/// Where and how to serve, from the environment after `.env` has been loaded.
struct Settings {
  std::string host = "127.0.0.1";  ///< SERVER_HOSTNAME
  std::uint16_t port = 8002;       ///< HTTP_PORT (0: any free port)
  unsigned threads = 0;            ///< HTTP_THREADS (default: the number of cores)
  bool demo = false;               ///< --demo or APPROOV_DEMO=1: public test secret fallback
};

/// Blocks SIGINT and SIGTERM in this thread and every thread started after it, so that only
/// `wait_for_stop_signal` receives them. Call first thing in main.
void block_stop_signals();

/// Waits for SIGINT or SIGTERM and returns its number.
int wait_for_stop_signal();

/// Loads `.env` (working directory upward, overriding the environment, like the quickstarts'
/// `load_dotenv(find_dotenv(), override=True)`) and reads the settings. A bad value prints a
/// message naming the variable and exits with status 2.
Settings load_settings(int argc, char** argv, const char* program);

/// Builds the guard from the environment: the HS256 secret (APPROOV_BASE64_SECRET /
/// APPROOV_BASE64URL_SECRET), a keyset (APPROOV_JWKS_FILE, or APPROOV_JWKS_URL with
/// APPROOV_JWKS_CA_FILE and APPROOV_JWKS_REFRESH_INTERVAL), APPROOV_AUDIENCE, APPROOV_ISSUER.
/// The secret, a keyset, or both (a token's alg and kid then decide). With neither, the
/// secret is required, except in demo mode, where the public Approov test secret stands in
/// with a loud warning; a server with a keyset never falls back to it. Any bad setting prints a
/// message naming the variable (never a secret or key material) and exits with status 2.
/// Prints one line saying which keys are in use (kids and algorithms). A JWKS URL is fetched
/// here, then refreshed in the background for the life of the process, one stderr line per
/// refresh. `signing` configures message signatures (for the routes that check them).
approov::adapters::Guard make_guard(const Settings& settings, const char* program,
                                    approov::MessageSigningConfig signing = {});

/// True once make_guard fell back to the public test secret (demo mode, no secret, no keyset).
bool using_public_test_secret();

/// The keyset variables, for --help texts.
inline constexpr const char* kKeysetHelp =
    "  APPROOV_JWKS_FILE a keyset: JWKS (or JWK) file of public keys, beside or instead\n"
    "                    of the secret (docs/KEYSETS.md)\n"
    "  APPROOV_JWKS_URL  a keyset at an https:// URL: fetched at start-up, then\n"
    "                    refreshed in the background\n"
    "  APPROOV_JWKS_CA_FILE   CA bundle (PEM) for the JWKS URL (default: the system's)\n"
    "  APPROOV_JWKS_REFRESH_INTERVAL   seconds between JWKS URL refreshes (default 300)\n"
    "  APPROOV_AUDIENCE  if set, a token's aud must be (or contain) this value\n"
    "  APPROOV_ISSUER    if set, a token's iss must equal this value\n";

/// Prints where the server listens and, in demo mode with the public test secret, curl
/// commands for a valid (freshly minted), an invalid and a missing token.
/// `extra`, if given, prints more before the closing "Press Ctrl-C to stop." line, so that
/// whoever reads the banner up to that line sees all of it.
void announce(const Settings& settings, const char* program, std::uint16_t bound_port,
              approov::Protection protection, const std::function<void()>& extra = {});

inline constexpr const char* kHelloBody = R"({"message": "Hello, World!"})";
inline constexpr const char* kBadRequestBody = "{}";

}  // namespace hello
