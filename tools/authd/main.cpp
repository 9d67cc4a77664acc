// approov-authd: answers "may this request through?" for a reverse proxy (nginx auth_request,
// Caddy forward_auth, Traefik ForwardAuth, Envoy ext_authz, HAProxy). See docs/SIDECAR.md.
//
// This file only wires the parts in core/ together: settings, the first policy, the check and
// admin servers, signals (SIGHUP reloads, SIGTERM/SIGINT stop gracefully).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "approov/server/http_server.hpp"
#include "core/admin.hpp"
#include "core/check.hpp"
#include "core/clock.hpp"
#include "core/dotenv_reload.hpp"
#include "core/policy.hpp"
#include "core/service.hpp"
#include "core/settings.hpp"
#include "core/startup.hpp"

namespace approov::authd {
namespace {

using approov::server::Request;
using approov::server::Response;
using approov::server::Server;

// How often the clock's synchronisation state is looked at after start-up (a warning is
// logged when it changes).
constexpr std::chrono::seconds kClockCheckInterval{60};

int run(const std::vector<std::string>& args) {
  auto settings = load_settings(args);
  if (!settings) {
    std::cerr << "approov-authd: configuration error: " << settings.error() << "\n";
    return 2;
  }
  if (settings.value().help) {
    std::cout << usage();
    return 0;
  }
  if (settings.value().version) {
    std::cout << version_text();
    return 0;
  }
  const Settings& s = settings.value();
  // The one path for --check-config and a start: everything but binding the ports.
  DotenvReload dotenv;
  auto policy = prepare(s, dotenv);
  if (!policy) {
    std::cerr << "approov-authd: configuration error: " << policy.error() << "\n";
    return 2;
  }
  std::vector<std::string> warnings;
  for (std::string w :
       {failure_status_warning(*policy.value()), account_signing_warning(*policy.value())}) {
    if (!w.empty()) warnings.push_back(std::move(w));
  }
  if (s.check_config) {
    std::cout << describe(s, *policy.value()) << "  " << describe_clock(read_clock_state()) << "\n";
    for (const std::string& w : warnings) std::cerr << "approov-authd: warning: " << w << "\n";
    return 0;
  }

  Service svc(s.threads, policy.value());

  approov::server::ServerOptions opts;
  opts.threads = s.threads;
  opts.header_limit = s.header_limit;
  // A check needs no body, but with forwarded-body the gateway sends the client's whole body
  // (Envoy's with_request_body, up to the 1 MiB of the recipe) for its Content-Digest. Set at
  // start-up: turning forwarded-body on by a reload keeps the 64 KiB limit.
  opts.body_limit = s.forwarded_body ? kMaxForwardedBody : 64 * 1024;
  opts.max_connections = s.max_connections;
  opts.idle_timeout = s.idle_timeout;
  opts.read_timeout = s.read_timeout;
  opts.write_timeout = s.read_timeout;
  opts.drain_timeout = s.drain_timeout;
  // The failure response in force, reloads included.
  opts.reject_handler = [&svc](boost::beast::http::status status, Response& res) {
    answer_refused(svc, Server::worker_index(), status, res);
  };
  Server server(opts, [&svc](const Request& req, Response& res) {
    answer_check(svc, Server::worker_index(), req, res);
  });
  std::vector<std::string> bound;  // each listener as bound: the port chosen for HOST:0
  for (const std::string& spec : s.listen) {
    std::uint16_t port = 0;
    auto err = server.listen(spec, port);
    if (!err.empty()) {
      std::cerr << "approov-authd: " << err << "\n";
      return 2;
    }
    bound.push_back(bound_address(spec, port));
  }
  std::unique_ptr<Server> admin;
  std::string admin_bound;
  if (!s.admin_listen.empty()) {
    approov::server::ServerOptions admin_opts;
    admin_opts.threads = 1;
    admin_opts.max_connections = 64;
    admin =
        std::make_unique<Server>(admin_opts, [&svc, &server](const Request& req, Response& res) {
          answer_admin(svc, {server.connections(), server.refused_connections()}, req, res);
        });
    std::uint16_t port = 0;
    auto err = admin->listen(s.admin_listen, port);
    if (!err.empty()) {
      std::cerr << "approov-authd: admin-listen: " << err << "\n";
      return 2;
    }
    admin_bound = bound_address(s.admin_listen, port);
  }

  boost::asio::io_context main_ioc(1);
  boost::asio::signal_set signals(main_ioc, SIGHUP, SIGTERM, SIGINT);
  boost::asio::steady_timer clock_timer(main_ioc);
  std::function<void(const boost::system::error_code&)> on_clock_timer =
      [&](const boost::system::error_code& ec) {
        if (ec) return;
        svc.check_clock();
        clock_timer.expires_after(kClockCheckInterval);
        clock_timer.async_wait(on_clock_timer);
      };
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP) {
          svc.reload(args, dotenv);
          signals.async_wait(on_signal);
          return;
        }
        svc.log().stopping(sig);
        svc.set_ready(false);
        server.stop();
        signals.cancel();
        clock_timer.cancel();
      };
  signals.async_wait(on_signal);

  server.start();
  if (admin) admin->start();
  svc.set_ready(true);
  // The lines scripts read the ports from (stdout), then the same as the JSON start-up line.
  for (const std::string& b : bound) std::cout << "approov-authd listening on " << b << "\n";
  if (admin) std::cout << "approov-authd admin on " << admin_bound << "\n";
  std::cout << std::flush;
  svc.log().started(1, s.threads, bound, admin_bound);
  {
    const Policy& p = *policy.value();
    std::size_t signing_routes = 0;
    for (const Route& r : p.routes.routes()) signing_routes += r.policy.signing.enabled ? 1 : 0;
    const std::string keyset = !s.jwks_url.empty()    ? "url " + s.jwks_url
                               : !s.jwks_file.empty() ? "file " + s.jwks_file
                                                      : std::string();
    svc.log().features(keyset, signing_routes,
                       p.replay_store ? p.replay_store->description() : std::string(),
                       p.replay_fail_open);
  }
  for (const std::string& w : warnings) svc.log().warning(w);
  svc.check_clock();  // a warning now if the clock is not synchronised
  clock_timer.expires_after(kClockCheckInterval);
  clock_timer.async_wait(on_clock_timer);

  main_ioc.run();
  server.wait();
  if (admin) {
    admin->stop();
    admin->wait();
  }
  svc.log().stopped();
  return 0;
}

}  // namespace
}  // namespace approov::authd

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return approov::authd::run(args);
  } catch (const std::exception& e) {
    std::cerr << "approov-authd: " << e.what() << "\n";
    return 1;
  }
}
