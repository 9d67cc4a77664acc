#include "core/uri.hpp"

#include <algorithm>
#include <array>

#include "approov/request_check.hpp"  // iequals
#include "internal/text.hpp"

namespace approov::authd {

namespace {

int hex(char c) noexcept {
  return text::hex_digit(static_cast<unsigned char>(c));
}

}  // namespace

const char* normalize_path_why(std::string_view target, std::string& out) {
  out.clear();
  const auto end = target.find_first_of("?#");
  if (end != std::string_view::npos) target = target.substr(0, end);
  if (target.empty() || target[0] != '/') return "not a path starting with /";
  for (std::size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (c == '%') {
      if (i + 2 >= target.size()) return "a bad percent-escape";
      const int hi = hex(target[i + 1]);
      const int lo = hex(target[i + 2]);
      if (hi < 0 || lo < 0) return "a bad percent-escape";
      c = static_cast<char>(hi * 16 + lo);
      // An encoded separator is read differently by different servers: refuse to guess.
      if (c == '/' || c == '\\') return "an encoded / or \\ (%2F, %5C)";
      i += 2;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "a control byte";
    if (c == '\\') return "a backslash";
    // Path parameters: Tomcat, Jetty and Spring serve /api;x/secret as /api/secret, which
    // would otherwise fall to the route of `/`. Encoded (%3B) too: some servers decode
    // before they split parameters off.
    if (c == ';') return "a ; (path parameters)";
    if (c == '/' && !out.empty() && out.back() == '/') continue;  // merge slashes
    out.push_back(c);
  }
  // Per segment: dot segments (the proxy and the upstream may resolve them differently), and
  // a trailing dot or space (Windows servers drop them, serving /api. and /api%20 as /api).
  std::size_t seg = 1;
  while (seg <= out.size()) {
    std::size_t next = out.find('/', seg);
    if (next == std::string::npos) next = out.size();
    const std::string_view s(out.data() + seg, next - seg);
    if (s == "." || s == "..") return "a . or .. dot segment";
    if (!s.empty() && (s.back() == '.' || s.back() == ' ')) {
      return "a segment ending in a dot or a space";
    }
    seg = next + 1;
  }
  // An escape encoded twice (%2561 decodes to %61): a server that decodes again reads `a`.
  for (std::size_t i = out.find('%'); i != std::string::npos; i = out.find('%', i + 1)) {
    if (i + 2 < out.size() && hex(out[i + 1]) >= 0 && hex(out[i + 2]) >= 0) {
      return "a percent-escape encoded twice (%25 before two hex digits)";
    }
  }
  return nullptr;
}

bool covers(std::string_view prefix, std::string_view path, Reading reading) noexcept {
  if (path.size() < prefix.size()) return false;
  const std::string_view head = path.substr(0, prefix.size());
  if (reading.any_case ? !iequals(head, prefix) : head != prefix) return false;
  if (path.size() == prefix.size() || prefix.size() == 1 || path[prefix.size()] == '/') {
    return true;
  }
  if (!reading.suffix || path[prefix.size()] != '.') return false;
  const std::size_t slash = path.find('/', prefix.size());
  return slash == std::string_view::npos || slash + 1 == path.size();
}

namespace {

// The characters fold_to_ascii replaces, as UTF-8, with the lower-case ASCII they stand for.
struct Fold {
  std::string_view utf8;
  std::string_view ascii;
};
constexpr std::array<Fold, 13> kFolds{{{"\xC4\xB0", "i"},
                                       {"\xC4\xB1", "i"},
                                       {"\xC5\xBF", "s"},
                                       {"\xC3\x9F", "ss"},
                                       {"\xE1\xBA\x9E", "ss"},
                                       {"\xE2\x84\xAA", "k"},
                                       {"\xEF\xAC\x80", "ff"},
                                       {"\xEF\xAC\x81", "fi"},
                                       {"\xEF\xAC\x82", "fl"},
                                       {"\xEF\xAC\x83", "ffi"},
                                       {"\xEF\xAC\x84", "ffl"},
                                       {"\xEF\xAC\x85", "st"},
                                       {"\xEF\xAC\x86", "st"}}};

}  // namespace

bool fold_to_ascii(std::string_view path, std::string& out) {
  if (std::all_of(path.begin(), path.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return false;
  }
  out.clear();
  bool folded = false;
  for (std::size_t i = 0; i < path.size();) {
    const Fold* hit = nullptr;
    if (static_cast<unsigned char>(path[i]) >= 0x80) {
      for (const Fold& f : kFolds) {
        if (path.compare(i, f.utf8.size(), f.utf8) == 0) {
          hit = &f;
          break;
        }
      }
    }
    if (hit == nullptr) {
      out.push_back(path[i++]);
      continue;
    }
    out.append(hit->ascii);
    i += hit->utf8.size();
    folded = true;
  }
  return folded;
}

}  // namespace approov::authd
