// Fuzz target for the RFC 9421 signature-base builder (src/signing/signature_base.cpp), called
// directly with a request and a Signature-Input both taken from the input. Layout (lines split
// on '\n'):
//   line 1  a Signature-Input field value (a Dictionary; every Inner List member is built)
//   line 2  the method
//   line 3  the scheme; a leading '!' also sets a public base URL (https://api.example.com)
//   line 4  the authority (Host)
//   line 5  the request target (path and query)
//   rest    header field lines "name:value" (a line without ':' is a name with an empty value)
// Checks, besides the absence of crashes and sanitizer reports, that a base is only ever built
// from the components the Signature-Input covers:
//  - a successful base has exactly one line per covered identifier, in order, each starting
//    with that identifier serialized canonically and ": ", then the `@signature-params` line
//    whose value is the canonical Inner List with its parameters, and nothing else;
//  - a plain header identifier's value is the request's field lines of that name, trimmed and
//    joined with ", "; @method is the method; @request-target the target;
//  - a covered header the request lacks is never built (missing_component);
//  - building is deterministic, and into a buffer one byte short it fails without writing
//    past the buffer (heap-allocated at its exact size, so the sanitizer sees any overrun);
//  - only ok, bad_component or missing_component is ever returned.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "approov/request.hpp"
#include "sf/structured_fields.hpp"
#include "signing/signature_base.hpp"

namespace {

namespace sf = approov::sf;
using approov::Reason;
namespace signing = approov::signing;

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz_signature_base: invariant broken: %s\n", what);
  std::abort();
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (true) {
    const std::size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

// The request's field lines of `name`, trimmed and joined with ", " (RFC 9421 §2.1), computed
// here without the library's helpers.
bool joined_field(const std::vector<std::pair<std::string_view, std::string_view>>& fields,
                  std::string_view name, std::string& out) {
  bool any = false;
  out.clear();
  for (const auto& [n, v] : fields) {
    if (!approov::iequals(n, name)) continue;
    if (any) out += ", ";
    out += approov::trim_ows(v);
    any = true;
  }
  return any;
}

void check_member(const approov::BasicRequest& request, const signing::UriBase& uri,
                  const std::vector<std::pair<std::string_view, std::string_view>>& fields,
                  const sf::Member& member) {
  static std::vector<char> buffer(signing::kMaxSignatureBase);
  std::size_t size = 0;
  const Reason r = signing::build_signature_base(request, uri, member.items, member.params,
                                                 {buffer.data(), buffer.size()}, size);
  require(r == Reason::ok || r == Reason::bad_component || r == Reason::missing_component,
          "an unexpected reason");
  if (r != Reason::ok) return;
  require(size <= buffer.size(), "size beyond the buffer");
  const std::string base(buffer.data(), size);

  // Deterministic.
  std::size_t again_size = 0;
  std::vector<char> again(signing::kMaxSignatureBase);
  require(signing::build_signature_base(request, uri, member.items, member.params,
                                        {again.data(), again.size()}, again_size) == Reason::ok &&
              std::string_view(again.data(), again_size) == base,
          "a second build differs");

  // One line per covered identifier, in order, then @signature-params.
  const std::vector<std::string_view> lines = split_lines(base);
  require(lines.size() == member.items.size() + 1, "not one line per covered component");
  char id[2048];
  std::string expected;
  for (std::size_t i = 0; i < member.items.size(); ++i) {
    const sf::Item& item = member.items[i];
    const sf::Written w = sf::serialize_item(item, id, sizeof id);
    require(static_cast<bool>(w), "a covered identifier that does not serialize was built");
    const std::string prefix = std::string(w.view(id)) + ": ";
    require(lines[i].substr(0, prefix.size()) == prefix, "a line for another identifier");
    const std::string_view value = lines[i].substr(prefix.size());
    require(item.value.type == sf::Type::string, "an identifier that is not a String");
    const std::string_view name = item.value.text;
    if (!item.params.empty()) continue;
    if (name == "@method") {
      require(value == request.method(), "@method is not the method");
    } else if (name == "@request-target") {
      require(value == request.target(), "@request-target is not the target");
    } else if (name.front() != '@') {
      require(joined_field(fields, name, expected), "a header the request lacks was built");
      require(value == expected, "a header value other than its joined field lines");
    }
  }
  const sf::Written params = sf::serialize_inner_list(member.items, member.params, id, sizeof id);
  if (params) {
    require(lines.back() == "\"@signature-params\": " + std::string(params.view(id)),
            "the @signature-params line is not the canonical Inner List");
  }

  // One byte short: refused, and nothing written past the buffer.
  if (size > 0) {
    std::unique_ptr<char[]> small(new char[size - 1 == 0 ? 1 : size - 1]);
    std::size_t small_size = 0;
    require(signing::build_signature_base(request, uri, member.items, member.params,
                                          {small.get(), size - 1}, small_size) != Reason::ok,
            "a base built into a buffer too small for it");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16 * 1024) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines = split_lines(text);
  while (lines.size() < 5) lines.emplace_back();

  std::vector<std::pair<std::string_view, std::string_view>> fields;
  for (std::size_t i = 5; i < lines.size(); ++i) {
    const std::size_t colon = lines[i].find(':');
    fields.emplace_back(lines[i].substr(0, colon), colon == std::string_view::npos
                                                       ? std::string_view()
                                                       : lines[i].substr(colon + 1));
  }
  std::string_view scheme = lines[2];
  signing::UriBase uri;
  if (!scheme.empty() && scheme.front() == '!') {
    scheme.remove_prefix(1);
    uri = {"https", "api.example.com"};
  }
  approov::BasicRequest request;
  request.set_method(lines[1]).set_scheme(scheme).set_authority(lines[3]).set_target(lines[4]);
  for (const auto& [n, v] : fields) request.add(n, v);

  sf::FixedArena<64, 256, 256> arena;
  sf::Dictionary dict;
  if (!sf::parse_dictionary(lines[0], arena, dict)) return 0;
  for (const sf::Member& member : dict.members) {
    if (member.inner_list) check_member(request, uri, fields, member);
  }
  return 0;
}
