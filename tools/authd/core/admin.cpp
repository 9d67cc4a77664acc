#include "core/admin.hpp"

#include <string_view>

namespace approov::authd {

void answer_admin(const Service& svc, ListenerCounters check_listeners, const server::Request& req,
                  server::Response& res) {
  namespace http = boost::beast::http;
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  const std::string_view target(req.target().data(), req.target().size());
  if (target == "/healthz") {
    res.body() = "ok\n";
  } else if (target == "/readyz") {
    const bool ready = svc.ready();
    res.result(ready ? http::status::ok : http::status::service_unavailable);
    res.body() = ready ? "ready\n" : "not ready\n";
    res.body() += describe_clock(svc.clock_state()) + "\n";
  } else if (target == "/metrics") {
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = svc.metrics_text(check_listeners);
  } else {
    res.result(http::status::not_found);
    res.body() = "not found\n";
  }
}

}  // namespace approov::authd
