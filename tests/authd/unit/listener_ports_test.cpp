// The server engine reports the port each listener bound (approov-authd prints one line per
// listener from it): two `HOST:0` listeners are two ports, each answering.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cstdint>
#include <istream>
#include <string>

#include <sys/socket.h>

#include "approov/server/http_server.hpp"
#include "test_files.hpp"

namespace approov::authd {
namespace {

// The status line of a GET / sent to 127.0.0.1:port.
std::string status_line(std::uint16_t port) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  const std::string request = "GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
  asio::write(socket, asio::buffer(request));
  asio::streambuf reply;
  asio::read_until(socket, reply, "\r\n");
  std::istream in(&reply);
  std::string line;
  std::getline(in, line);
  return line;
}

TEST(ListenerPorts, EachListenerReportsItsOwnPort) {
  test::TempDir dir;
  server::Server srv({}, [](const server::Request&, server::Response& res) {
    res.result(boost::beast::http::status::accepted);
  });
  std::uint16_t first = 1;
  std::uint16_t unix_port = 1;
  std::uint16_t second = 0;
  ASSERT_EQ(srv.listen("127.0.0.1:0", first), "");
  ASSERT_EQ(srv.listen("unix:" + dir.path("s.sock"), unix_port), "");
  ASSERT_EQ(srv.listen("127.0.0.1:0", second), "");
  EXPECT_NE(first, 0);
  EXPECT_NE(second, 0);
  EXPECT_NE(first, second);
  EXPECT_EQ(unix_port, 0);
  EXPECT_EQ(srv.port(), first);  // port(): the first TCP listener's, as before

  std::uint16_t failed = 7;
  EXPECT_NE(srv.listen("not-an-address", failed), "");
  EXPECT_EQ(failed, 0);

  srv.start();
  EXPECT_EQ(status_line(first), "HTTP/1.1 202 Accepted\r");
  EXPECT_EQ(status_line(second), "HTTP/1.1 202 Accepted\r");
  srv.stop();
  srv.wait();
}

// A listening socket of "another program" on 127.0.0.1, with or without SO_REUSEPORT.
struct ForeignListener {
  explicit ForeignListener(bool reuse_port) : socket(ioc) {
    namespace asio = boost::asio;
    socket.open(asio::ip::tcp::v4());
    socket.set_option(asio::socket_base::reuse_address(true));
    if (reuse_port) {
      int one = 1;
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    }
    socket.bind({asio::ip::make_address("127.0.0.1"), 0});
    socket.listen();
    port = socket.local_endpoint().port();
  }
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor socket;
  std::uint16_t port = 0;
};

// SO_REUSEPORT is for the server's own workers only: a port another socket listens on is an
// error, whatever the number of workers and whether the other socket set SO_REUSEPORT too (a
// second sidecar on the port used to start and take half of the connections).
TEST(ListenerPorts, APortInUseByAnotherSocketIsRefused) {
  for (const bool foreign_reuse_port : {false, true}) {
    for (const std::size_t threads : {1u, 2u, 4u}) {
      ForeignListener other(foreign_reuse_port);
      server::ServerOptions opts;
      opts.threads = threads;
      server::Server srv(opts, [](const server::Request&, server::Response&) {});
      std::uint16_t bound = 0;
      const std::string spec = "127.0.0.1:" + std::to_string(other.port);
      const std::string err = srv.listen(spec, bound);
      EXPECT_NE(err.find(spec), std::string::npos) << threads << " " << err;
      EXPECT_NE(err.find("in use"), std::string::npos) << threads << " " << err;
    }
  }
}

// A server's own listener on a port refuses a second server there, and its workers share it.
TEST(ListenerPorts, ASecondServerOnTheSamePortIsRefused) {
  for (const std::size_t threads : {1u, 2u}) {
    server::ServerOptions opts;
    opts.threads = threads;
    server::Server first(opts, [](const server::Request&, server::Response& res) {
      res.result(boost::beast::http::status::accepted);
    });
    std::uint16_t port = 0;
    ASSERT_EQ(first.listen("127.0.0.1:0", port), "");
    server::Server second(opts, [](const server::Request&, server::Response&) {});
    std::uint16_t ignored = 0;
    const std::string err = second.listen("127.0.0.1:" + std::to_string(port), ignored);
    EXPECT_NE(err.find("in use"), std::string::npos) << threads << " " << err;
    first.start();
    for (int i = 0; i < 4; ++i) EXPECT_EQ(status_line(port), "HTTP/1.1 202 Accepted\r");
    first.stop();
    first.wait();
  }
}

}  // namespace
}  // namespace approov::authd
