// approov-authd's admin listener: /healthz, /readyz and /metrics (docs/SIDECAR.md, "Admin").
#pragma once

#include <cstddef>

#include "approov/server/http_server.hpp"
#include "core/service.hpp"

namespace approov::authd {

/// Answers an admin request: /healthz (200 while the process runs), /readyz (200 once the
/// listeners are up, 503 before and while stopping), /metrics (the Prometheus text, with
/// `check_connections` open on the check listeners), anything else 404. Any thread.
void answer_admin(const Service& svc, std::size_t check_connections, const server::Request& req,
                  server::Response& res);

}  // namespace approov::authd
