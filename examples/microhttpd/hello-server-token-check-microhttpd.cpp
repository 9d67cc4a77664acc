// hello-server-token-check on GNU libmicrohttpd: GET / answers 200 {"message": "Hello, World!"}
// only with a valid Approov token; any other path answers 400 {} after the check; every
// token failure answers 401 {} (application/json).
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstring>

#include "approov/adapters/microhttpd.hpp"
#include "hello_common.hpp"

namespace {

struct App {
  const approov::adapters::Guard* guard;
  approov::RoutePolicy route;
};

MHD_Result on_request(void* cls, MHD_Connection* connection, const char* url, const char* method,
                      const char* version, const char* /*upload_data*/,
                      std::size_t* upload_data_size, void** request_state) {
  // libmicrohttpd calls once when the headers are in, then again per body chunk: answer only
  // once the whole request (and any body, which is discarded) has been read.
  static int headers_seen;
  if (*request_state == nullptr) {
    *request_state = &headers_seen;
    return MHD_YES;
  }
  if (*upload_data_size != 0) {
    *upload_data_size = 0;
    return MHD_YES;
  }
  const App& app = *static_cast<const App*>(cls);
  approov::Claims claims;
  // check() first audits libmicrohttpd's parse of the header section (a NUL inside a field, a
  // ':' line, an obs-fold are refused, and the refusal closes the connection), then runs the
  // token check; every failure answers the same response.
  const approov::microhttpd::Decision decision =
      approov::microhttpd::check(*app.guard, connection, method, url, version, app.route, claims);
  if (!decision.allow) {
    return approov::microhttpd::queue_failure(app.guard->failure(), connection, decision);
  }
  if (std::strcmp(method, "GET") == 0 && std::strcmp(url, "/") == 0) {
    return approov::microhttpd::queue_json(connection, MHD_HTTP_OK, hello::kHelloBody);
  }
  return approov::microhttpd::queue_json(connection, MHD_HTTP_BAD_REQUEST, hello::kBadRequestBody);
}

}  // namespace

int main(int argc, char** argv) {
  const char* program = "hello-server-token-check-microhttpd";
  hello::block_stop_signals();
  const hello::Settings settings = hello::load_settings(argc, argv, program);
  const approov::adapters::Guard guard = hello::make_guard(settings, program);
  App app{&guard, approov::RoutePolicy::token_check()};

  sockaddr_storage address{};
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  if (inet_pton(AF_INET, settings.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(settings.port);
  } else if (inet_pton(AF_INET6, settings.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(settings.port);
    flags |= MHD_USE_IPv6;
  } else {
    std::fprintf(stderr, "%s: configuration error: SERVER_HOSTNAME must be an IP address here\n",
                 program);
    return 2;
  }
  MHD_Daemon* daemon = MHD_start_daemon(flags, settings.port, nullptr, nullptr, &on_request, &app,
                                        MHD_OPTION_SOCK_ADDR, &address, MHD_OPTION_THREAD_POOL_SIZE,
                                        settings.threads, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                        MHD_OPTION_CONNECTION_LIMIT, 10000u, MHD_OPTION_END);
  if (daemon == nullptr) {
    std::fprintf(stderr, "%s: cannot listen on %s:%u\n", program, settings.host.c_str(),
                 settings.port);
    return 1;
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  hello::announce(settings, program, info != nullptr ? info->port : settings.port,
                  approov::Protection::token);
  const int sig = hello::wait_for_stop_signal();
  std::fprintf(stderr, "%s: signal %d, stopping\n", program, sig);
  MHD_stop_daemon(daemon);
  return 0;
}
