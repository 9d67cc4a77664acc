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

}  // namespace approov_cli
