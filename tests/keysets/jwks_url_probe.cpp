// A test driver for the JWKS URL refresher: a verifier on a KeySet that an approov::JwksFetcher
// keeps current, driven line by line on stdin by test_jwks_url.py:
//   verify TOKEN            -> the reason name
//   state                   -> "generation=G keys=K updated=U unchanged=N failed=F requests=R"
//   events                  -> one line per refresh so far: "TRIGGER OUTCOME keys=K MESSAGE"
//   wait GENERATION SECONDS -> waits until the set reaches GENERATION, then prints "state"
//   quit
// Usage: jwks_url_probe URL CA_FILE INTERVAL_S MIN_GAP_S
// Start-up prints "ready ..." or, when the first fetch fails, "error: MESSAGE" and exits 2.
#include <chrono>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "approov/approov.hpp"
#include "jwks_fetcher.hpp"

namespace {

std::mutex g_events_mutex;
std::vector<std::string> g_events;

std::string state(const approov::JwksFetcher& fetcher) {
  const approov::JwksRefreshCounters c = fetcher.counters();
  std::ostringstream out;
  out << "generation=" << fetcher.key_set()->generation()
      << " keys=" << fetcher.key_set()->keys().size() << " updated=" << c.updated
      << " unchanged=" << c.unchanged << " failed=" << c.failed
      << " requests=" << c.unknown_kid_requests;
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: jwks_url_probe URL CA_FILE INTERVAL_S MIN_GAP_S\n";
    return 2;
  }
  approov::JwksFetcherOptions options;
  options.url = argv[1];
  options.ca_file = argv[2];
  options.refresh_interval = std::chrono::seconds(std::stol(argv[3]));
  options.min_refresh_gap = std::chrono::seconds(std::stol(argv[4]));
  options.timeout = std::chrono::seconds(5);
  options.on_refresh = [](const approov::JwksRefresh& r) {
    std::lock_guard<std::mutex> lock(g_events_mutex);
    g_events.push_back(std::string(approov::to_string(r.trigger)) + " " +
                       approov::to_string(r.outcome) + " keys=" + std::to_string(r.keys) + " " +
                       r.message);
  };
  auto set = approov::KeySet::create();
  auto fetcher = approov::JwksFetcher::start(set, options);
  if (!fetcher) {
    std::cout << "error: " << fetcher.error() << std::endl;
    return 2;
  }
  approov::VerifierConfig config;
  config.key_set = set;
  auto verifier = approov::TokenVerifier::create(config);
  if (!verifier) {
    std::cout << "error: " << verifier.error() << std::endl;
    return 2;
  }
  std::cout << "ready " << state(*fetcher.value()) << std::endl;
  std::string line;
  approov::Claims claims;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string command;
    in >> command;
    if (command == "verify") {
      std::string token;
      in >> token;
      std::cout << approov::to_string(verifier.value().verify(token, approov::unix_now(), claims))
                << std::endl;
    } else if (command == "state") {
      std::cout << state(*fetcher.value()) << std::endl;
    } else if (command == "events") {
      std::lock_guard<std::mutex> lock(g_events_mutex);
      for (const std::string& e : g_events) std::cout << e << '\n';
      std::cout << "end" << std::endl;
    } else if (command == "wait") {
      std::uint64_t generation = 0;
      double seconds = 0;
      in >> generation >> seconds;
      const auto deadline = std::chrono::steady_clock::now() +
                            std::chrono::milliseconds(static_cast<long>(seconds * 1000));
      while (set->generation() < generation && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      std::cout << state(*fetcher.value()) << std::endl;
    } else if (command == "quit") {
      break;
    } else {
      std::cout << "unknown command" << std::endl;
    }
  }
  return 0;
}
