// The library's side of the message-signing differential test (differential.mjs): verifies,
// signs and builds signature bases for requests described on stdin, one per line, as
// space-separated KEY=HEX fields (HEX: the bytes in lowercase hex, possibly empty):
//   verify method= scheme= authority= target= [body=] (hn= hv=)... now=DECIMAL [acct=] [keyid=]
//       -> "ok" or the reason code; the token (a header hn/hv like any other) is verified with
//          the public test secret, its message signature with RequestCheck on a route that
//          checks signatures (acct: the account message-signing secret)
//   sign  method= scheme= authority= target= (hn= hv=)... (comp=)... label=install|account
//         created=DEC expires=DEC [key=PEM] [acct=] [form=string]
//       -> "ok INPUT_HEX SIGNATURE_HEX BASE_HEX" (the Signature-Input and Signature member
//          values, and the base) or "error HEX(message)"
//   base  method= scheme= authority= target= (hn= hv=)... input=HEX(Signature-Input member)
//       -> "ok BASE_HEX" or "error REASON"
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "approov/approov.hpp"
#include "pkey/signing_key.hpp"
#include "sf/structured_fields.hpp"
#include "signing/request_signer.hpp"
#include "signing/signature_base.hpp"

namespace {

constexpr const char* kTestSecret =
    "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww==";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return 0;
}

std::string from_hex(std::string_view hex) {
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

struct Line {
  std::string command;
  std::multimap<std::string, std::string> single;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> components;
  std::optional<std::string> body;

  std::string get(const std::string& key) const {
    const auto it = single.find(key);
    return it == single.end() ? std::string() : it->second;
  }
  bool has(const std::string& key) const { return single.count(key) != 0; }

  approov::BasicRequest request() const {
    approov::BasicRequest r;
    r.set_method(get_ref("method")).set_scheme(get_ref("scheme"));
    r.set_authority(get_ref("authority")).set_target(get_ref("target"));
    if (body) r.set_body(std::string_view(*body));
    for (const auto& [n, v] : headers) r.add(n, v);
    return r;
  }
  std::string_view get_ref(const std::string& key) const {
    const auto it = single.find(key);
    return it == single.end() ? std::string_view() : std::string_view(it->second);
  }
};

Line parse(const std::string& text) {
  Line line;
  std::istringstream in(text);
  in >> line.command;
  std::string field;
  std::string pending_name;
  while (in >> field) {
    const std::size_t eq = field.find('=');
    const std::string key = field.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : from_hex(field.substr(eq + 1));
    if (key == "hn") {
      pending_name = value;
    } else if (key == "hv") {
      line.headers.emplace_back(pending_name, value);
    } else if (key == "comp") {
      line.components.push_back(value);
    } else if (key == "body") {
      line.body = value;
    } else {
      line.single.emplace(key, value);
    }
  }
  return line;
}

std::string verify(const Line& line) {
  approov::VerifierConfig config;
  config.secrets.push_back(
      approov::decode_secret(kTestSecret, approov::SecretEncoding::base64, "test").value());
  auto verifier = approov::TokenVerifier::create(std::move(config));
  approov::MessageSigningConfig signing;
  if (line.has("acct")) {
    const std::string acct = line.get("acct");
    signing.account_secret = approov::Secret(std::vector<std::uint8_t>(acct.begin(), acct.end()));
  }
  if (line.has("keyid")) signing.account_key_id = line.get("keyid");
  auto check = approov::RequestCheck::create(std::move(verifier.value()), {}, std::move(signing));
  if (!check) return "config-error";
  const approov::RoutePolicy route = approov::RoutePolicy::token_check().with_signatures();
  approov::Claims claims;
  const approov::Reason r =
      check.value().check(line.request(), std::stoll(line.get("now")), route, claims);
  return std::string(approov::to_string(r));
}

std::string sign(const Line& line) {
  approov::signing::SignOptions options;
  options.label = line.get("label");
  options.components = line.components;
  options.created = std::stoll(line.get("created"));
  options.expires = std::stoll(line.get("expires"));
  options.string_form = line.get("form") == "string";
  std::optional<approov::detail::SigningKey> key;
  std::optional<approov::Secret> secret;
  if (line.has("key")) {
    auto k = approov::detail::SigningKey::from_pem(line.get("key"));
    if (!k) return "error " + to_hex(k.error());
    key.emplace(std::move(k).value());
  }
  if (line.has("acct")) {
    const std::string acct = line.get("acct");
    secret.emplace(std::vector<std::uint8_t>(acct.begin(), acct.end()));
  }
  auto h = approov::signing::sign_request(line.request(), {}, options, key ? &*key : nullptr,
                                          secret ? &*secret : nullptr);
  if (!h) return "error " + to_hex(h.error());
  const std::string input = h.value().signature_input.substr(options.label.size() + 1);
  const std::string signature = h.value().signature.substr(options.label.size() + 1);
  return "ok " + to_hex(input) + " " + to_hex(signature) + " " + to_hex(h.value().base);
}

std::string base(const Line& line) {
  static approov::sf::FixedArena<16, 256, 256> arena;
  arena.clear();
  const std::string member = "sig=" + line.get("input");
  approov::sf::Dictionary dict;
  if (!approov::sf::parse_dictionary(member, arena, dict) || dict.members.size() != 1 ||
      !dict.members[0].inner_list) {
    return "error unparsable";
  }
  std::string out(approov::signing::kMaxSignatureBase, '\0');
  std::size_t size = 0;
  const approov::Reason r = approov::signing::build_signature_base(
      line.request(), {}, dict.members[0].items, dict.members[0].params, {out.data(), out.size()},
      size);
  if (r != approov::Reason::ok) return "error " + std::string(approov::to_string(r));
  out.resize(size);
  return "ok " + to_hex(out);
}

}  // namespace

int main() {
  std::string text;
  while (std::getline(std::cin, text)) {
    const Line line = parse(text);
    std::string answer;
    if (line.command == "verify") {
      answer = verify(line);
    } else if (line.command == "sign") {
      answer = sign(line);
    } else if (line.command == "base") {
      answer = base(line);
    } else {
      answer = "error " + to_hex("unknown command");
    }
    std::cout << answer << '\n';
  }
  return 0;
}
