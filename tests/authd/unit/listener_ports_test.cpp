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

}  // namespace
}  // namespace approov::authd
