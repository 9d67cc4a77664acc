// replay_probe STORE: a process holding one replay store (e.g. "redis://127.0.0.1:6379/0"),
// for the tests that need several processes sharing one Redis. Reads lines "HEXKEY SECONDS"
// on stdin and answers each with a line: first_seen, replayed or unavailable (the store's
// verdict for that key, kept SECONDS from now). "stats" prints the counters. Exits 2 on a bad
// store text (the message never holds a password).
#include <cstdio>
#include <ctime>
#include <iostream>
#include <sstream>
#include <string>

#include "approov/message_signing.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s STORE\n", argv[0]);
    return 2;
  }
  auto store = approov::make_replay_store(argv[1], [](const approov::ReplayStoreEvent& e) {
    std::fprintf(stderr, "replay store %s: %.*s\n",
                 e.kind == approov::ReplayStoreEvent::Kind::recovered ? "recovered" : "unavailable",
                 static_cast<int>(e.message.size()), e.message.data());
  });
  if (!store || !store.value()) {
    std::fprintf(stderr, "replay_probe: %s\n", store ? "no store" : store.error().c_str());
    return 2;
  }
  std::printf("ready %s\n", store.value()->description().c_str());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line == "stats") {
      const approov::ReplayStoreStats s = store.value()->stats();
      std::printf("stored=%llu replayed=%llu unavailable=%llu connects=%llu\n",
                  static_cast<unsigned long long>(s.stored),
                  static_cast<unsigned long long>(s.replayed),
                  static_cast<unsigned long long>(s.unavailable),
                  static_cast<unsigned long long>(s.connects));
      std::fflush(stdout);
      continue;
    }
    std::istringstream in(line);
    std::string hex;
    long long seconds = 0;
    if (!(in >> hex >> seconds) || hex.size() % 2 != 0) {
      std::printf("bad line\n");
      std::fflush(stdout);
      continue;
    }
    std::string key;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
      key += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    const approov::ReplayVerdict v = store.value()->check_and_insert(key, now + seconds, now);
    std::printf("%s\n", v == approov::ReplayVerdict::first_seen ? "first_seen"
                        : v == approov::ReplayVerdict::replayed ? "replayed"
                                                                : "unavailable");
    std::fflush(stdout);
  }
  return 0;
}
