#include "approov/request_check.hpp"

#include "approov/base64.hpp"
#include "internal/sha256.hpp"
#include "internal/text.hpp"

namespace approov {

namespace {

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

HeaderFields HeaderList::fields(std::string_view name) const noexcept {
  HeaderFields result;
  for (const auto& [n, v] : fields_) {
    if (iequals(n, name)) {
      if (result.count++ == 0) result.first = v;
    }
  }
  return result;
}

Configured<RequestCheck> RequestCheck::create(TokenVerifier verifier, TokenSource source) {
  using Result = Configured<RequestCheck>;
  if (!text::is_token(source.header)) {
    return Result::failure("the token header name \"" + source.header +
                           "\" is not a valid HTTP field name");
  }
  for (char c : source.prefix) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Result::failure("the token prefix contains a control character");
    }
  }
  return RequestCheck(std::move(verifier), std::move(source));
}

Reason RequestCheck::extract_token(const HeaderSource& headers,
                                   std::string_view& token) const noexcept {
  const HeaderFields f = headers.fields(source_.header);
  if (f.count == 0) return Reason::missing_token;
  if (f.count > 1) return Reason::duplicate_token;
  std::string_view value = trim_ows(f.first);
  if (value.empty()) return Reason::missing_token;
  // A token never contains a comma: one means a proxy joined several fields into one.
  if (value.find(',') != std::string_view::npos) return Reason::duplicate_token;
  if (!source_.prefix.empty()) {
    // "Bearer " with nothing after it arrives trimmed as "Bearer": an empty token, not a wrong
    // prefix (docs/DECISIONS.md: nothing after the prefix is missing_token).
    if (iequals(value, trim_ows(source_.prefix))) return Reason::missing_token;
    if (value.size() < source_.prefix.size() ||
        !iequals(value.substr(0, source_.prefix.size()), source_.prefix)) {
      return Reason::bad_prefix;
    }
    value.remove_prefix(source_.prefix.size());
    if (value.empty()) return Reason::missing_token;
  }
  token = value;
  return Reason::ok;
}

Reason RequestCheck::check(const HeaderSource& headers, std::int64_t now,
                           const BindingPolicy* binding, Claims& claims) const noexcept {
  std::string_view token;
  Reason r = extract_token(headers, token);
  if (r != Reason::ok) return r;
  r = verifier_.verify(token, now, claims);
  if (r != Reason::ok || binding == nullptr) return r;
  return check_binding(claims, headers, *binding);
}

VerifyResult RequestCheck::check(const HeaderSource& headers, std::int64_t now,
                                 const BindingPolicy* binding) const noexcept {
  VerifyResult result;
  result.reason_ = check(headers, now, binding, result.claims_);
  return result;
}

Reason RequestCheck::check(const HeaderSource& headers, std::int64_t now, const RoutePolicy& route,
                           Claims& claims) const noexcept {
  switch (route.protection) {
    case Protection::none:
      return Reason::ok;
    case Protection::token:
      return check(headers, now, nullptr, claims);
    case Protection::token_binding:
      return check(headers, now, &route.binding, claims);
  }
  return Reason::bad_header;  // unreachable
}

namespace {

// `pay` must be a canonical base64 (either alphabet, padded or not) of exactly 32 bytes equal
// to `digest`. Compared in constant time.
Reason compare_pay(const Claims& claims, const std::uint8_t* digest) noexcept {
  std::uint8_t expected[detail::kSha256Size + 3];
  const std::ptrdiff_t n = base64::decode(*claims.pay(), base64::Alphabet::either,
                                          base64::Padding::optional, expected, sizeof expected);
  if (n != static_cast<std::ptrdiff_t>(detail::kSha256Size)) return Reason::bad_pay;
  return detail::equal_ct(expected, digest, detail::kSha256Size) ? Reason::ok
                                                                 : Reason::binding_mismatch;
}

Reason pay_presence(const Claims& claims, bool allow_missing_pay) noexcept {
  if (claims.pay()) return Reason::ok;
  if (claims.has_pay()) return Reason::bad_pay;  // present but not a string
  return allow_missing_pay ? Reason::ok : Reason::missing_pay;
}

}  // namespace

Reason check_binding(const Claims& claims, const HeaderSource& headers,
                     const BindingPolicy& policy) noexcept {
  // A missing (when required) or non-string `pay` is the token's fault and reported first.
  // Then SPEC §5: every bound header must be present exactly once and non-empty, even for a
  // token allowed without `pay`. No configured header fails closed instead of binding "".
  const Reason r = pay_presence(claims, policy.allow_missing_pay);
  if (r != Reason::ok) return r;
  if (policy.headers.empty()) return Reason::missing_binding_header;
  detail::Sha256 hash;
  for (const std::string& name : policy.headers) {
    const HeaderFields f = headers.fields(name);
    if (f.count > 1) return Reason::duplicate_binding_header;
    const std::string_view value = trim_ows(f.first);
    if (f.count == 0 || value.empty()) return Reason::missing_binding_header;
    hash.update(value);
  }
  std::uint8_t digest[detail::kSha256Size];
  hash.finish(digest);
  if (!claims.pay()) return Reason::ok;  // allowed without pay, headers present
  return compare_pay(claims, digest);
}

Reason check_binding_value(const Claims& claims, std::string_view bound_value,
                           bool allow_missing_pay) noexcept {
  const Reason r = pay_presence(claims, allow_missing_pay);
  if (r != Reason::ok) return r;
  if (bound_value.empty()) return Reason::missing_binding_header;
  if (!claims.pay()) return Reason::ok;
  std::uint8_t digest[detail::kSha256Size];
  detail::Sha256 hash;
  hash.update(bound_value);
  hash.finish(digest);
  return compare_pay(claims, digest);
}

std::array<char, 17> token_fingerprint(std::string_view token) noexcept {
  detail::Sha256 hash;
  hash.update(token);
  std::uint8_t digest[detail::kSha256Size];
  hash.finish(digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::array<char, 17> out{};
  for (int i = 0; i < 8; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  out[16] = '\0';
  return out;
}

}  // namespace approov
