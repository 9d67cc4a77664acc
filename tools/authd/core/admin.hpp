// approov-authd's admin listener: /healthz, /readyz and /metrics (docs/SIDECAR.md, "Admin").
#pragma once

#include <cstddef>

#include "approov/server/http_server.hpp"
#include "core/service.hpp"

namespace approov::authd {

/// Answers an admin request: /healthz (200 while the process runs), /readyz (200 once the
/// listeners are up, 503 before and while stopping; the body also says whether the clock is
/// synchronised, which never changes the status: a sidecar on a drifting clock still answers,
/// and taking every replica out of service at once would be worse), /metrics (the Prometheus
/// text, with the check listeners' counters), anything else 404. Any thread.
void answer_admin(const Service& svc, ListenerCounters check_listeners, const server::Request& req,
                  server::Response& res);

}  // namespace approov::authd
