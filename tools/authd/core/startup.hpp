// approov-authd's start-up: what it checks before binding (shared by --check-config and a
// start, so that the one never accepts what the other refuses), the --check-config summary,
// the warning about a failure status nginx cannot pass on, and the lines that say where it
// listens (tests and scripts read the ports chosen for `HOST:0` from them).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/dotenv_reload.hpp"
#include "core/policy.hpp"
#include "core/settings.hpp"

namespace approov::authd {

/// Checks the listeners as start-up will bind them, without binding: each address as the
/// server engine reads it (form, port, host resolved), none given twice, and admin-listen not
/// one of the check listeners (the same address in any spelling). Empty, or the message.
[[nodiscard]] std::string check_listeners(const Settings& settings);

/// Everything start-up does before it binds, for --check-config and for a start alike:
/// check_listeners, then the first policy (generation 1) built, reading the .env file and the
/// secrets through `dotenv`. Whether a port is free is the one thing left to the bind:
/// --check-config runs next to the sidecar it checks for (before a reload or a restart),
/// whose ports are taken by that very sidecar.
[[nodiscard]] Configured<std::shared_ptr<const Policy>> prepare(const Settings& settings,
                                                                DotenvReload& dotenv);

/// The --check-config summary: listeners, token header, secret source, failure response and
/// the routes (longest prefix first, as matched). Never the secret.
[[nodiscard]] std::string describe(const Settings& settings, const Policy& policy);

/// Empty, or why the failure status is a problem behind nginx auth_request (which accepts only
/// 401 and 403 as a deny and turns any other status into a 500 for the client).
[[nodiscard]] std::string failure_status_warning(const Policy& policy);

/// Empty, or, when some route checks message signatures and no account signing secret is set,
/// that tokens carrying `mskid` without `ipk` (account-signed apps) go through unsigned on
/// `message-signing` routes (and are refused on `-required` ones): a forgotten
/// account-signing-secret-file would otherwise turn signing off for those apps silently.
[[nodiscard]] std::string account_signing_warning(const Policy& policy);

/// A listener as bound: `spec` itself for a unix socket, else the host of `spec` with the
/// port the listener bound (`port`: the one chosen for `HOST:0`).
[[nodiscard]] std::string bound_address(const std::string& spec, std::uint16_t port);

}  // namespace approov::authd
