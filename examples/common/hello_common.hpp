// Start-up plumbing shared by the hello servers, so that each example file shows only what
// the quickstarts show: the server, the route, and (in the protected ones) the Approov check.
#pragma once

#include <cstdint>
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

/// Builds the guard from APPROOV_BASE64_SECRET / APPROOV_BASE64URL_SECRET. A missing or
/// malformed secret prints a message naming the variable (never the value) and exits with
/// status 2, except in demo mode where a missing secret falls back to the public Approov test
/// secret with a loud warning. `signing` configures message signatures (for the routes that
/// check them).
approov::adapters::Guard make_guard(const Settings& settings, const char* program,
                                    approov::MessageSigningConfig signing = {});

/// Prints where the server listens and, in demo mode with the public test secret, curl
/// commands for a valid (freshly minted), an invalid and a missing token.
void announce(const Settings& settings, const char* program, std::uint16_t bound_port,
              approov::Protection protection);

inline constexpr const char* kHelloBody = R"({"message": "Hello, World!"})";
inline constexpr const char* kBadRequestBody = "{}";

}  // namespace hello
