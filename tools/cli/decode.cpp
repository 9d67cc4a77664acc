// `approov-token decode`: shows what a token says without checking it. Everything printed
// here is attacker-controlled until `verify` says otherwise, hence the UNVERIFIED label.
#include <iostream>
#include <string>

#include "approov/base64.hpp"
#include "commands.hpp"
#include "internal/number.hpp"
#include "json_text.hpp"

namespace approov_cli {

namespace {

bool decode_segment(std::string_view segment, std::string& out) {
  out.resize(approov::base64::max_decoded_size(segment.size()));
  const std::ptrdiff_t n = approov::base64::decode(
      segment, approov::base64::Alphabet::url, approov::base64::Padding::optional,
      reinterpret_cast<std::uint8_t*>(out.data()), out.size());
  if (n < 0) return false;
  out.resize(static_cast<std::size_t>(n));
  return true;
}

// Decodes one segment and indents its JSON under a two-space margin; false if it is not JSON.
bool render(const char* label, std::string_view segment, std::string& out) {
  std::string json;
  if (!decode_segment(segment, json)) {
    std::cerr << "approov-token decode: the " << label << " segment is not base64url\n";
    return false;
  }
  std::string pretty;
  const JsonCheck check = check_json(json, &pretty);
  if (!check.is_json()) {
    std::cerr << "approov-token decode: the " << label << " is not JSON (" << check.describe()
              << ")\n";
    return false;
  }
  if (!check.ok()) {
    std::cerr << "approov-token decode: warning: the " << label << " has a " << check.describe()
              << "; verify rejects such tokens (bad_json)\n";
  }
  out.clear();
  for (const char c : pretty) {
    out.push_back(c);
    if (c == '\n') out += "  ";
  }
  return true;
}

// Prints exp as a date on stderr, a convenience when reading test tokens.
void note_exp(std::string_view payload_segment) {
  std::string json;
  if (!decode_segment(payload_segment, json)) return;
  const auto exp = json_member(json, "exp");
  if (!exp || exp->type != approov::json::Type::number) return;
  const std::string when = utc_time_text(approov::detail::number_to_double(exp->raw));
  if (!when.empty()) std::cerr << "exp: " << when << '\n';
}

}  // namespace

int run_decode(const DecodeOptions& options) {
  std::string token;
  if (!read_token_argument(options.token, token)) return kExitUsage;
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string::npos || token.find('.', dot2 + 1) != std::string::npos) {
    std::cerr << "approov-token decode: not a compact JWS (expected three segments separated "
                 "by two dots)\n";
    return kExitInvalid;
  }
  std::cerr << "UNVERIFIED: decoded without checking the signature or any claim; use "
               "`approov-token verify` to judge the token\n";
  const std::string_view view(token);
  const std::string_view payload = view.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string header_json, claims_json;
  if (!render("header", view.substr(0, dot1), header_json)) return kExitInvalid;
  if (!render("claims", payload, claims_json)) return kExitInvalid;
  // One JSON object on stdout, so the output can be piped to jq.
  std::cout << "{\n  \"header\": " << header_json << ",\n  \"claims\": " << claims_json << "\n}\n";
  note_exp(payload);
  return kExitOk;
}

}  // namespace approov_cli
