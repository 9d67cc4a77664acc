// What approov-authd prints at start-up: the --check-config summary, the warning about a
// failure status nginx cannot pass on, and the lines that say where it listens (tests and
// scripts read the ports chosen for `HOST:0` from them).
#pragma once

#include <cstdint>
#include <string>

#include "core/policy.hpp"
#include "core/settings.hpp"

namespace approov::authd {

/// The --check-config summary: listeners, token header, secret source, failure response and
/// the routes (longest prefix first, as matched). Never the secret.
[[nodiscard]] std::string describe(const Settings& settings, const Policy& policy);

/// Empty, or why the failure status is a problem behind nginx auth_request (which accepts only
/// 401 and 403 as a deny and turns any other status into a 500 for the client).
[[nodiscard]] std::string failure_status_warning(const Policy& policy);

/// "approov-authd <what> unix:PATH\n" for a unix socket, else with the host of `spec` and
/// the port the listener bound (`port`: the one chosen for `HOST:0`). `what` is "listening on"
/// or "admin on".
[[nodiscard]] std::string listening_line(const std::string& what, const std::string& spec,
                                         std::uint16_t port);

}  // namespace approov::authd
