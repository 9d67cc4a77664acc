#include <openssl/crypto.h>

#include <cstdlib>
#include <fstream>

#include "approov/base64.hpp"
#include "approov/config.hpp"

namespace approov {

namespace {

bool is_ascii_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim_ascii_space(std::string_view s) noexcept {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

// Says what is wrong with a secret's text without quoting any of it.
std::string describe_malformation(std::string_view text, SecretEncoding encoding) {
  const bool url = encoding == SecretEncoding::base64url;
  for (char c : text) {
    if (is_ascii_space(c)) return "contains whitespace inside the value";
  }
  for (char c : text) {
    const bool common =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '=';
    const bool alphabet = url ? (c == '-' || c == '_') : (c == '+' || c == '/');
    if (!common && !alphabet) {
      if (url && (c == '+' || c == '/')) {
        return "contains '+' or '/', which base64url does not use (is it standard base64? use "
               "APPROOV_BASE64_SECRET)";
      }
      if (!url && (c == '-' || c == '_')) {
        return "contains '-' or '_', which standard base64 does not use (is it base64url? use "
               "APPROOV_BASE64URL_SECRET)";
      }
      return "contains a character outside the base64 alphabet";
    }
  }
  const std::size_t eq = text.find('=');
  if (eq != std::string_view::npos && text.find_first_not_of('=', eq) != std::string_view::npos) {
    return "has '=' padding before the end";
  }
  if (!url && text.size() % 4 != 0) return "is not padded to a multiple of 4 characters";
  return "is not a canonical base64 encoding (wrong padding, length or trailing bits)";
}

}  // namespace

Secret::~Secret() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

Configured<Secret> decode_secret(std::string_view text, SecretEncoding encoding,
                                 std::string_view setting, std::string key_id) {
  using Result = Configured<Secret>;
  const std::string name(setting);
  text = trim_ascii_space(text);
  if (text.empty()) return Result::failure(name + " is empty");
  std::vector<std::uint8_t> bytes(base64::max_decoded_size(text.size()));
  const std::ptrdiff_t n =
      encoding == SecretEncoding::base64
          ? base64::decode(text, base64::Alphabet::standard, base64::Padding::required,
                           bytes.data(), bytes.size())
          : base64::decode(text, base64::Alphabet::url, base64::Padding::optional, bytes.data(),
                           bytes.size());
  if (n < 0) {
    Secret wipe(std::move(bytes));  // wiped on destruction
    return Result::failure(name + " " + describe_malformation(text, encoding));
  }
  bytes.resize(static_cast<std::size_t>(n));
  if (bytes.size() < kMinSecretSize) {
    const std::size_t got = bytes.size();
    Secret wipe(std::move(bytes));
    return Result::failure(name + " decodes to " + std::to_string(got) + " bytes; at least " +
                           std::to_string(kMinSecretSize) + " are required");
  }
  if (bytes.size() > kMaxSecretSize) {
    Secret wipe(std::move(bytes));
    return Result::failure(name + " decodes to more than " + std::to_string(kMaxSecretSize) +
                           " bytes");
  }
  return Secret(std::move(bytes), std::move(key_id));
}

Configured<Secret> secret_from_environment() {
  using Result = Configured<Secret>;
  const char* b64 = std::getenv("APPROOV_BASE64_SECRET");
  const char* b64url = std::getenv("APPROOV_BASE64URL_SECRET");
  if (b64 != nullptr && *b64 == '\0') b64 = nullptr;
  if (b64url != nullptr && *b64url == '\0') b64url = nullptr;
  if (b64 == nullptr && b64url == nullptr) {
    return Result::failure(
        "no secret: set APPROOV_BASE64_SECRET (from `approov secret -get base64`) or "
        "APPROOV_BASE64URL_SECRET");
  }
  if (b64 != nullptr && b64url == nullptr) {
    return decode_secret(b64, SecretEncoding::base64, "APPROOV_BASE64_SECRET");
  }
  if (b64 == nullptr) {
    return decode_secret(b64url, SecretEncoding::base64url, "APPROOV_BASE64URL_SECRET");
  }
  auto a = decode_secret(b64, SecretEncoding::base64, "APPROOV_BASE64_SECRET");
  if (!a) return a;
  auto b = decode_secret(b64url, SecretEncoding::base64url, "APPROOV_BASE64URL_SECRET");
  if (!b) return b;
  if (a.value().bytes() != b.value().bytes()) {
    return Result::failure(
        "APPROOV_BASE64_SECRET and APPROOV_BASE64URL_SECRET are both set and hold different "
        "secrets; set only one");
  }
  return a;
}

Configured<Secret> secret_from_file(const std::string& path, std::optional<SecretEncoding> encoding,
                                    std::string setting, std::string key_id) {
  using Result = Configured<Secret>;
  if (setting.empty()) setting = "secret file " + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Result::failure(setting + ": cannot open the file");
  std::string text;
  text.reserve(256);
  char c;
  while (in.get(c)) {
    if (text.size() == kMaxSecretFileSize) {
      OPENSSL_cleanse(text.data(), text.size());
      return Result::failure(setting + ": the file is larger than " +
                             std::to_string(kMaxSecretFileSize) + " bytes");
    }
    text.push_back(c);
  }
  if (in.bad()) return Result::failure(setting + ": cannot read the file");
  const auto decode = [&](SecretEncoding e) { return decode_secret(text, e, setting, key_id); };
  Result result = decode(encoding.value_or(SecretEncoding::base64));
  if (!result && !encoding) {
    Result url = decode(SecretEncoding::base64url);
    if (url) result = std::move(url);
  }
  OPENSSL_cleanse(text.data(), text.size());
  return result;
}

}  // namespace approov
