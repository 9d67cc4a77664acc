// Uses the installed libmicrohttpd adapter: serves a protected route with libmicrohttpd on a
// loopback port, sends one request over a plain socket with the token in argv[1], and prints the
// status and body it answered. (check() audits libmicrohttpd's own parse of the header section,
// so it needs a real connection: a request built in memory is not one.)
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <approov/adapters/microhttpd.hpp>
#include <approov/approov.hpp>

#include <cstring>
#include <iostream>
#include <string>

namespace {

MHD_Result on_request(void* cls, MHD_Connection* connection, const char* url, const char* method,
                      const char* version, const char*, std::size_t* upload_data_size,
                      void** request_state) {
  static int seen;
  if (*request_state == nullptr) {
    *request_state = &seen;
    return MHD_YES;
  }
  if (*upload_data_size != 0) {
    *upload_data_size = 0;
    return MHD_YES;
  }
  const auto& guard = *static_cast<const approov::adapters::Guard*>(cls);
  approov::Claims claims;
  const approov::microhttpd::Decision decision = approov::microhttpd::check(
      guard, connection, method, url, version, approov::RoutePolicy::token_check(), claims);
  if (!decision.allow)
    return approov::microhttpd::queue_failure(guard.failure(), connection, decision);
  return approov::microhttpd::queue_json(connection, MHD_HTTP_OK, "hello");
}

std::string get(unsigned short port, const std::string& token) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nApproov-Token: " + token +
                                "\r\nConnection: close\r\n\r\n";
    if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      ssize_t n;
      while ((n = read(fd, buffer, sizeof buffer)) > 0)
        answer.append(buffer, static_cast<std::size_t>(n));
    }
  }
  close(fd);
  return answer;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto verifier = approov::TokenVerifier::from_environment();
  if (!verifier) return 2;
  auto check = approov::RequestCheck::create(std::move(verifier).value());
  if (!check) return 2;
  approov::adapters::Guard guard(std::move(check).value(), {},
                                 [](const approov::adapters::Rejection&) {});
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  MHD_Daemon* daemon =
      MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, nullptr, nullptr, &on_request, &guard,
                       MHD_OPTION_SOCK_ADDR, &address, MHD_OPTION_END);
  if (daemon == nullptr) return 2;
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  const std::string answer = get(info != nullptr ? info->port : 0, argv[1]);
  MHD_stop_daemon(daemon);
  // "HTTP/1.1 200 OK\r\n...\r\n\r\nhello": the status code and the body.
  const std::size_t body = answer.find("\r\n\r\n");
  if (answer.size() < 12 || body == std::string::npos) return 2;
  const std::string status = answer.substr(9, 3);
  std::cout << "microhttpd " << status << " " << answer.substr(body + 4) << "\n";
  return status == "200" ? 0 : 1;
}
