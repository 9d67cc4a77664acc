// Parses structured field values and prints their canonical serialization, for the npm
// differential test (differential.mjs). Reads lines "TYPE HEX" (TYPE list, dictionary or item;
// HEX the field value's bytes, possibly empty) from stdin and writes one line per input:
// "ok HEX" (the canonical serialization) or "error NAME" (sf::describe of the parse error).
#include <cstdio>
#include <iostream>
#include <string>

#include "sf/structured_fields.hpp"

namespace {

namespace sf = approov::sf;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(hex_value(hex[i]) * 16 + hex_value(hex[i + 1]));
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

int main() {
  static sf::FixedArena<1024, 4096, 4096> arena;
  static char out[sf::kMaxFieldSize * 4];
  std::string line;
  while (std::getline(std::cin, line)) {
    const std::size_t space = line.find(' ');
    const std::string type = line.substr(0, space);
    const std::string input = space == std::string::npos ? "" : from_hex(line.substr(space + 1));
    arena.clear();
    sf::Result r;
    sf::Written w;
    if (type == "list") {
      sf::List v;
      r = sf::parse_list(input, arena, v);
      if (r) w = sf::serialize_list(v, out, sizeof out);
    } else if (type == "dictionary") {
      sf::Dictionary v;
      r = sf::parse_dictionary(input, arena, v);
      if (r) w = sf::serialize_dictionary(v, out, sizeof out);
    } else if (type == "item") {
      sf::Item v;
      r = sf::parse_item(input, arena, v);
      if (r) w = sf::serialize_item(v, out, sizeof out);
    } else {
      std::fprintf(stderr, "unknown type %s\n", type.c_str());
      return 2;
    }
    if (!r) {
      std::printf("error %s\n", sf::describe(r.error));
    } else if (!w) {
      std::printf("serialize-error %s\n", sf::describe(w.error));
    } else {
      std::printf("ok %s\n", to_hex(std::string_view(out, w.size)).c_str());
    }
  }
  return 0;
}
