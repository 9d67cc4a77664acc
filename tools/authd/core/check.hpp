// approov-authd's request handler: given a check request (the proxy's auth subrequest) and
// the policy in force, the decision (200 or the failure response), the Approov-Claim-*
// headers, the counters and the log lines. Everything the sidecar reads from a request is
// read here (docs/SIDECAR.md, "Decisions").
#pragma once

#include <array>
#include <boost/beast/http/status.hpp>
#include <cstddef>
#include <string_view>

#include "approov/server/http_server.hpp"
#include "core/service.hpp"

namespace approov::authd {

/// The claim headers set on a 200, in this order, each present (empty when not applicable).
inline constexpr std::array<std::string_view, 6> kClaimHeaders{
    "Approov-Claim-Did", "Approov-Claim-Ip",    "Approov-Claim-Arc",
    "Approov-Claim-Ipk", "Approov-Claim-Mskid", "Approov-Claim-Exp"};

/// The largest claim value (`exp` text included) copied into a claim header. A longer one is
/// sent empty, so the whole 200 answer stays under 6.5 KiB (six values of at most this size,
/// with the names) whatever the token carries: a verified token may hold a claim of several
/// KiB, and copied whole it would overflow a proxy's buffer for the auth answer (nginx's
/// proxy_buffer_size defaults to 4 KiB) and turn a valid request into a 500. 1 KiB is above
/// every claim Approov issues (an RSA-4096 `ipk` is about 740 bytes). In docs/SIDECAR.md.
inline constexpr std::size_t kMaxClaimHeaderValue = 1024;

/// Answers the check request `req` into `res` (reset to 200, no fields, as the server engine
/// hands it) on worker `worker` of `svc`, from that worker's thread. The original URI and
/// method come from the policy's URI headers (else the request line); the request must pass
/// the route of every reading of its path. Takes no lock; allocates only to log.
void answer_check(Service& svc, std::size_t worker, const server::Request& req,
                  server::Response& res);

/// Answers a request the HTTP parser refused (a control byte in a header value, a header
/// block over header-limit, a malformed request line) with the failure response in force,
/// like any token failure, never a status of its own that a proxy would turn into a 500.
/// `status` is what the engine would have sent; it is counted and logged.
void answer_refused(Service& svc, std::size_t worker, boost::beast::http::status status,
                    server::Response& res);

}  // namespace approov::authd
