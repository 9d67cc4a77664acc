#include <cmath>
#include <ctime>
#include <iostream>
#include <iterator>

#include "approov/config.hpp"
#include "approov/reason.hpp"
#include "commands.hpp"

namespace approov_cli {

bool read_token_argument(const std::string& arg, std::string& token) {
  if (arg != "-") {
    token = arg;
    return true;
  }
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (std::cin.bad()) {
    std::cerr << "approov-token: cannot read the token from stdin\n";
    return false;
  }
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  token = text.substr(begin, end - begin);
  return true;
}

std::string check_now_option(const std::optional<std::int64_t>& now) {
  if (!now || (*now >= 0 && *now <= approov::kMaxExp)) return {};
  return "--now must be between 0 and " + std::to_string(approov::kMaxExp);
}

std::string utc_time_text(double epoch) {
  // gmtime_r handles any time_t, but only years 0..9999 print sensibly in ISO 8601.
  if (!std::isfinite(epoch) || epoch < -62167219200.0 || epoch > 253402300799.0) return {};
  const auto seconds = static_cast<std::time_t>(std::floor(epoch));
  std::tm tm{};
  if (gmtime_r(&seconds, &tm) == nullptr) return {};
  char buf[32];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return {};
  return buf;
}

const char* describe_reason(std::uint8_t reason) noexcept {
  using approov::Reason;
  switch (static_cast<Reason>(reason)) {
    case Reason::ok:
      return "every check passed";
    case Reason::missing_token:
      return "no token given";
    case Reason::duplicate_token:
      return "token present more than once";
    case Reason::bad_prefix:
      return "configured prefix not found";
    case Reason::token_too_long:
      return "token longer than 8192 bytes";
    case Reason::malformed:
      return "not three non-empty canonical base64url segments";
    case Reason::bad_signature:
      return "signature is not the HMAC-SHA256 of this token under the configured secret";
    case Reason::bad_header:
      return "JOSE header rejected: alg is not HS256, or crit/b64/enc/zip present, or kid not a "
             "string";
    case Reason::unknown_kid:
      return "kid names no configured secret";
    case Reason::bad_json:
      return "header or payload is not a strict I-JSON object";
    case Reason::missing_exp:
      return "no exp claim";
    case Reason::bad_exp:
      return "exp is not a number, or beyond 253402300799";
    case Reason::expired:
      return "now >= exp + leeway";
    case Reason::not_yet_valid:
      return "now + leeway < nbf";
    case Reason::bad_nbf:
      return "nbf is not a number";
    case Reason::iat_future:
      return "iat > now + leeway";
    case Reason::bad_iat:
      return "iat is not a number";
    case Reason::bad_audience:
      return "aud does not contain the configured audience";
    case Reason::bad_issuer:
      return "iss is not the configured issuer";
    case Reason::missing_binding_header:
      return "the bound value (--bind) is empty";
    case Reason::duplicate_binding_header:
      return "a bound header is present more than once";
    case Reason::missing_pay:
      return "binding requested but the token has no pay claim (see --allow-missing-pay)";
    case Reason::bad_pay:
      return "pay is not a string holding a canonical base64 SHA-256";
    case Reason::binding_mismatch:
      return "pay is not the SHA-256 of the --bind value";
  }
  return "unknown reason";
}

}  // namespace approov_cli
