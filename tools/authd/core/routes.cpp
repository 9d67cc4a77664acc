#include "core/routes.hpp"

#include <algorithm>
#include <utility>

#include "core/uri.hpp"

namespace approov::authd {

std::string normalize_prefix(const std::string& written, const std::string& where,
                             std::string& out) {
  auto bad = [&](const std::string& what) { return where + ": route " + written + ": " + what; };
  if (written.empty() || written[0] != '/') return bad("the prefix must start with /");
  for (char c : written) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return bad("the prefix holds a control byte");
    if (c == '?') return bad("a query (?) is not part of a path: give the path alone");
    if (c == '#') return bad("a fragment (#) never reaches the server: give the path alone");
    if (c == '*') {
      return bad("prefixes are literal (no wildcard): `/api` already covers `/api/...`");
    }
  }
  if (const char* why = normalize_path_why(written, out)) {
    return bad(std::string("the prefix has ") + why +
               ", which every request path is denied for, so the route could never match");
  }
  for (char c : out) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return bad(
          "the prefix must be ASCII (after percent-decoding): routers disagree on the case "
          "and Unicode forms of non-ASCII paths, so such a route cannot be matched fail-closed; "
          "route its ASCII parent instead");
    }
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();  // `/admin/` also covers `/admin`
  return {};
}

RouteTable::RouteTable(std::vector<Route> routes) : routes_(std::move(routes)) {
  std::stable_sort(routes_.begin(), routes_.end(), [](const Route& a, const Route& b) {
    return a.prefix.size() > b.prefix.size();
  });
}

namespace {

// Routes are sorted longest prefix first, so the first that covers is the longest; two
// prefixes never cover the same path at one length (equal under case folding are refused).
const Route* longest(const std::vector<Route>& routes, std::string_view path,
                     Reading reading) noexcept {
  for (const Route& r : routes) {
    if (covers(r.prefix, path, reading)) return &r;
  }
  return nullptr;
}

constexpr Reading kAsWritten{false, false};
constexpr Reading kAnyCase{true, false};
constexpr Reading kSuffix{false, true};
constexpr Reading kAnyCaseSuffix{true, true};

}  // namespace

const Route* RouteTable::match(std::string_view path) const noexcept {
  return longest(routes_, path, kAsWritten);
}

RouteTable::Matches RouteTable::match_readings(std::string_view path, std::string& scratch) const {
  Matches m;
  auto add = [&m](const Route* r) {
    if (r == nullptr) return;
    for (std::size_t i = 0; i < m.count; ++i) {
      if (m.routes[i] == r) return;
    }
    m.routes[m.count++] = r;
  };
  m.routes[0] = match(path);
  if (m.routes[0] == nullptr) return m;  // no route as written: denied whatever else
  m.count = 1;
  if (routes_.size() == 1) return m;  // `/` alone (simple mode): every reading gives it
  // The suffix readings differ from the others only for a path with a dot.
  const bool dotted = path.find('.') != std::string_view::npos;
  add(longest(routes_, path, kAnyCase));
  if (dotted) {
    add(longest(routes_, path, kSuffix));
    add(longest(routes_, path, kAnyCaseSuffix));
  }
  if (fold_to_ascii(path, scratch)) {
    add(longest(routes_, scratch, kAnyCase));
    add(longest(routes_, scratch, kAnyCaseSuffix));
  }
  return m;
}

}  // namespace approov::authd
